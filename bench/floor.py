"""The floor: the least an SMS webhook can cost on this framework and server.

A bare FastAPI route that parses the same Twilio form and answers a constant TwiML, served by
uvicorn exactly as `parlons serve` serves Parlons. A full turn's throughput is reported as a
share of this one's, measured in the same run, so the figure holds on any machine.
"""

from __future__ import annotations

import argparse

from fastapi import FastAPI, Request, Response
from twilio.twiml.messaging_response import MessagingResponse

from bot.commands.serve import run_server

ANSWER = str(MessagingResponse().message("Noté."))


def create_floor() -> FastAPI:
    app = FastAPI()

    @app.post("/webhooks/twilio/sms")
    async def sms_webhook(request: Request) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if "MessageSid" not in form:
            return Response("not an inbound SMS", status_code=400, media_type="text/plain")
        return Response(ANSWER, media_type="application/xml")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    run_server("bench.floor:create_floor", args.host, args.port, args.workers)


if __name__ == "__main__":
    main()
