"""Results, for moderators and analysts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import Role, require
from api.routes.deps import ResultsDep, ServiceDep
from api.schemas import ResultFilter, ResultsOut

router = APIRouter(prefix="/api/v1", tags=["results"])


@router.get(
    "/consultations/{slug}/results",
    dependencies=[require(Role.MODERATOR, Role.ANALYST)],
)
async def results(
    results: ResultsDep,
    service: ServiceDep,
    slug: str,
    filters: Annotated[ResultFilter, Query()],
) -> ResultsOut:
    """Per accepted proposal: counts, agree share with its 95 % interval, consensus and
    controversy; participation; opinion groups. Best first by the interval's lower bound, so
    a proposal is not ranked high on a handful of votes. Filters count only some participants.
    With them, the evaluation of the process by its participants (api/evaluations.py)."""
    found = await results.results(slug, filters)
    evaluation = await service.evaluation_summary(slug)
    return found.model_copy(update={"evaluation": evaluation})
