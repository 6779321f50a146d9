"""Autogenerate a migration after changing models: `make migration WHERE=api MESSAGE="..."`.

Upgrades a scratch SQLite database to head, then compares it with the models.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from importlib.resources import files

from alembic import command
from alembic.config import Config

from api import db


async def main(where: str, message: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        engine = db.create_engine(f"sqlite+aiosqlite:///{scratch}/scratch.db")

        def run(connection) -> None:  # noqa: ANN001
            config = Config()
            config.set_main_option("script_location", f"{where}:migrations")
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            # Sequential ids (0001, 0002...) read in order; a clash between two branches
            # shows up as two heads, which alembic refuses until they are merged.
            versions = files(where) / "migrations" / "versions"
            number = len([p for p in versions.iterdir() if p.name[:4].isdigit()]) + 1
            command.revision(config, message=message, autogenerate=True, rev_id=f"{number:04d}")

        async with engine.begin() as connection:
            await connection.run_sync(run)
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
