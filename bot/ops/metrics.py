"""Prometheus metrics (`GET /metrics`): counts and latencies, never a phone number or a ref.

With `parlons serve --workers N` the CLI points PROMETHEUS_MULTIPROC_DIR at a fresh folder
before the workers start, and every scrape adds up all the workers' files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import ASGIApp, Receive, Scope, Send

MESSAGES = Counter("parlons_messages_total", "Inbound messages by channel", ["channel"])
TURNS = Counter("parlons_turns_total", "Dialog turns by channel and result", ["channel", "result"])
REFUSED = Counter(
    "parlons_refused_total",
    "Messages not read: a country not served, or over a rate limit (docs/faults.md)",
    ["channel", "reason"],
)
TURN_SECONDS = Histogram(
    "parlons_turn_seconds",
    "Time from an inbound message to its replies (lock, session, dialog, effects)",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WEBHOOK_SECONDS = Histogram(
    "parlons_webhook_seconds",
    "Webhook latency by channel, as the provider sees it",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


@dataclass(frozen=True)
class ChannelMetrics:
    """A channel's children of the turn metrics, looked up once (`labels` costs per call)."""

    messages: Any
    answered: Any
    failed: Any
    seconds: Any


@cache
def of_channel(channel: str) -> ChannelMetrics:
    return ChannelMetrics(
        MESSAGES.labels(channel),
        TURNS.labels(channel, "answered"),
        TURNS.labels(channel, "failed"),
        TURN_SECONDS.labels(channel),
    )


OUTBOX_QUEUED = Counter("parlons_outbox_queued_total", "Ballots appended to the outbox")
OUTBOX_POSTED = Counter("parlons_outbox_posted_total", "Ballots the API stored from the outbox")
OUTBOX_DEAD = Counter("parlons_outbox_dead_lettered_total", "Outbox entries the API refused")
OUTBOX_DEPTH = Gauge(
    "parlons_outbox_depth", "Outbox entries waiting to be posted", multiprocess_mode="max"
)
# Messages a fault held (bot/held.py): held, taken later, or set aside for an operator.
HELD = Counter("parlons_held_total", "Messages held by a fault, to be taken when stores answer")
HELD_TAKEN = Counter("parlons_held_taken_total", "Held messages taken since, and counted")
HELD_SET_ASIDE = Counter(
    "parlons_held_set_aside_total",
    "Held messages set aside for an operator: refused by the API, expired, unreadable",
    ["reason"],
)
for _reason in ("refused", "expired", "unreadable"):
    HELD_SET_ASIDE.labels(_reason)  # 0 from the start: an alert can watch it
HELD_NOW = Gauge(
    "parlons_held_messages",
    "Held messages on this host's disk, waiting or set aside",
    ["state"],
    multiprocess_mode="max",
)


def exposition() -> bytes:
    """The text a scrape gets: this process's metrics, or every worker's when several run."""
    # prometheus_client itself reads this variable (set by `parlons serve --workers N`).
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


def router(
    outbox_depth: Callable[[], Awaitable[int | None]],
    held: Callable[[], tuple[int, int]] = lambda: (0, 0),
) -> APIRouter:
    routes = APIRouter(tags=["health"])

    @routes.get("/metrics", include_in_schema=False)
    async def scrape() -> Response:
        depth = await outbox_depth()
        if depth is not None:
            OUTBOX_DEPTH.set(depth)
        waiting, set_aside = held()
        HELD_NOW.labels("waiting").set(waiting)
        HELD_NOW.labels("set_aside").set(set_aside)
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    return routes


class WebhookTimer:
    """Latency of `/webhooks/<channel>...` as the provider sees it.

    Plain ASGI: `app.middleware("http")` (Starlette's BaseHTTPMiddleware) runs every request
    through a task group and memory streams, which cost about a tenth of an SMS turn.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/webhooks/"):
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            channel = "/".join(path.split("/")[2:4])  # twilio/sms, twilio/voice, telegram
            WEBHOOK_SECONDS.labels(channel).observe(time.perf_counter() - started)
