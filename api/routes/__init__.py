"""The API's routes, one module per resource, all under `/api/v1`: `ROUTERS` is every one
of them, in the order they are matched (and listed in the OpenAPI document)."""

from __future__ import annotations

from api.routes import (
    ballots,
    big_ideas,
    consultations,
    decisions,
    evaluations,
    exports,
    imports,
    moderation,
    participants,
    proposals,
    results,
    tokens,
)

ROUTERS = (
    consultations.router,
    proposals.router,
    participants.router,
    ballots.router,
    results.router,
    big_ideas.router,
    moderation.router,
    imports.router,
    exports.router,
    tokens.router,
    decisions.router,
    evaluations.router,
)
