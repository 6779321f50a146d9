"""The evaluation of the process by its participants: the bot posts each answer, analysts
read the summary."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import Role, require
from api.routes.deps import ServiceDep
from api.schemas import EvaluationIn, EvaluationSummary

router = APIRouter(prefix="/api/v1", tags=["evaluation"])


@router.post("/consultations/{slug}/evaluations", status_code=204, dependencies=[require(Role.BOT)])
async def post_answer(service: ServiceDep, slug: str, body: EvaluationIn) -> None:
    """A participant's answer to an evaluation question (the bot posts it)."""
    await service.evaluate(slug, body)


@router.get(
    "/consultations/{slug}/evaluations",
    dependencies=[require(Role.MODERATOR, Role.ANALYST)],
)
async def summary(service: ServiceDep, slug: str) -> dict[str, EvaluationSummary]:
    """Per evaluation question: how many answered, the mean score, and each score's count."""
    return await service.evaluation_summary(slug)
