"""Redis mode's stores for a load run: a private redis-server and a fresh PostgreSQL
database, and Redis's own counters of the work it did."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from bench.processes import free_port

POSTGRES = os.environ.get("PARLONS_BENCH_POSTGRES", "postgresql://127.0.0.1:5432/postgres")


async def _postgres(statement: str) -> None:
    import asyncpg  # a dependency of Parlons already (PostgreSQL in production)

    connection = await asyncpg.connect(POSTGRES)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def production_stores(work: Path) -> Iterator[tuple[dict[str, str], int]]:
    """Redis mode's stores: a private redis-server (AOF on, as in production), so its
    counters are ours alone, and a fresh PostgreSQL database; both removed afterwards.
    Yields the environment for Parlons and Redis's port."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(work)]
    command += ["--appendonly", "yes", "--save", ""]
    name = f"parlons_load_{os.getpid()}"
    with (work / "redis.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        while redis_info(port) is None:
            if server.poll() is not None:
                raise SystemExit(f"redis-server did not start, see {work / 'redis.log'}")
            time.sleep(0.1)
        asyncio.run(_postgres(f"CREATE DATABASE {name}"))
        try:
            base = POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
            yield (
                {
                    "PARLONS_REDIS_URL": f"redis://127.0.0.1:{port}/0",
                    "PARLONS_DATABASE_URL": f"{base}/{name}",
                },
                port,
            )
        finally:
            asyncio.run(_postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        server.terminate()
        server.wait(timeout=30)


def redis_info(port: int) -> dict | None:
    """Redis's own counters: commands, and reads (about one per round trip a client makes)."""
    try:
        with redis.Redis(port=port, socket_timeout=2) as client:
            return client.info("stats")
    except redis.ConnectionError:
        return None


def redis_mode_missing() -> str | None:
    """Why Redis mode cannot run here, or None."""
    if shutil.which("redis-server") is None:
        return "no redis-server on the PATH"
    try:
        asyncio.run(_postgres("SELECT 1"))
    except (OSError, Exception) as error:  # noqa: BLE001 - any failure means: not here
        return f"PostgreSQL not reachable at {POSTGRES} ({type(error).__name__})"
    return None
