"""Autogenerate a migration after changing models: `make migration WHERE=api MESSAGE="..."`.

Upgrades a scratch SQLite database to head, then compares it with the models.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile

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
            command.revision(config, message=message, autogenerate=True)

        async with engine.begin() as connection:
            await connection.run_sync(run)
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
