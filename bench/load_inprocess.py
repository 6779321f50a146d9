"""A turn's CPU in process: the ASGI app called directly, no HTTP server, no load generator.

`python -m bench.load_inprocess` plays the same residents as bench/load.py (64 at once, whole
conversations, signed Twilio forms) against the embedded default (SQLite in a temporary
directory) and prints the CPU each turn costs and the SQL statements it runs. It moves far
less with what else the machine runs than `make bench-load`, so it is how a change to the
turn itself is judged; the figures under load stay the reference (docs/load.md).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import os
import tempfile
import time
from urllib.parse import urlencode

from sqlalchemy import event
from sqlalchemy.util import await_only as await_
from twilio.request_validator import RequestValidator

from bench import residents

TOKEN = "load-inprocess-token"
URL = "http://bench.invalid"


async def post(app, body: bytes, signature: str) -> None:  # noqa: ANN001
    """One webhook call, as uvicorn would make it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": residents.SMS_PATH,
        "raw_path": residents.SMS_PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "server": ("bench.invalid", 80),
        "client": ("127.0.0.1", 1),
        "headers": [
            (b"host", b"bench.invalid"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"x-twilio-signature", signature.encode()),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = []

    async def receive() -> dict:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    if status != [200]:
        raise SystemExit(f"the webhook answered {status}")


async def run(count: int, at_once: int, args_top: int = 12) -> None:
    from bot.app import create_app  # after the environment is set

    app = create_app()
    statements: collections.Counter[str] = collections.Counter()

    engine = app.state.parlons.engine.sync_engine

    # Every statement the database sees, as SQLite itself reports them (its trace callback):
    # BEGIN and COMMIT included, and only those the driver really sends.
    def _seen(statement: str) -> None:
        statements[" ".join(statement.split()[:4])] += 1

    @event.listens_for(engine, "connect")
    def _trace(dbapi_connection, _record) -> None:  # noqa: ANN001
        await_(dbapi_connection._connection.set_trace_callback(_seen))

    signer = residents.Signer(TOKEN, URL, "bench.invalid")
    validator = RequestValidator(TOKEN)
    url = f"{URL}{residents.SMS_PATH}"

    # Signed before the run, as bench/load.py writes its requests before wrk starts: the
    # residents' own CPU is not the server's.
    requests = {
        resident: [
            (urlencode(form).encode(), validator.compute_signature(url, form))
            for form in residents.forms(signer, resident, "I")
        ]
        for resident in range(count)
    }

    async def resident_turns(first: int) -> None:
        for resident in range(first, count, at_once):
            for body, signature in requests[resident]:
                await post(app, body, signature)

    async with app.router.lifespan_context(app):
        logging.disable(logging.INFO)  # as quiet as a production log level would not be
        await resident_turns(count - 1)  # the last resident alone: caches, compiled statements
        statements.clear()
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(resident_turns(k) for k in range(at_once)))
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    turns = (count - 1) * len(residents.conversation(0))
    print(f"{turns} turns, {at_once} residents at once, in process (no HTTP server, logs off)")
    print(f"{1000 * cpu / turns:.2f} ms CPU a turn, {turns / wall:,.0f} turns/s")
    print(f"{sum(statements.values()) / turns:.2f} SQL statements a turn:")
    for statement, n in statements.most_common(args_top):
        print(f"  {n / turns:.3f}  {statement} ...")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=640)
    parser.add_argument("--at-once", type=int, default=64)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="parlons-inprocess-")
    os.environ.update(
        PARLONS_DATABASE_URL=f"sqlite+aiosqlite:///{work}/parlons.db",
        PARLONS_HELD_DIR=f"{work}/held",
        PARLONS_PUBLIC_URL=URL,
        PARLONS_ADMIN_TOKEN="load-inprocess-admin-token",
        TWILIO_AUTH_TOKEN=TOKEN,
    )
    asyncio.run(run(args.residents + 1, args.at_once))


if __name__ == "__main__":
    main()
