"""The consultation API over HTTP: `/api/v1/...`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from api.auth import Role, check_role, require
from api.evaluations import Evaluations
from api.http import ParticipantRef, call, state
from api.models import ProposalStatus
from api.schemas import (
    BallotsIn,
    BallotsOut,
    ConsultationOut,
    Erased,
    Id,
    IdeaIn,
    ProfileIn,
    ProfileOut,
    ProposalOut,
    ResultFilter,
    ResultsOut,
)
from api.service import ConsultationService

router = APIRouter(prefix="/api/v1")


def _service(request: Request) -> ConsultationService:
    return request.app.state.parlons_api.service


@router.get("/consultations", tags=["consultations"])
async def list_consultations(request: Request) -> list[ConsultationOut]:
    return await _service(request).consultations()


@router.get("/consultations/{slug}", tags=["consultations"])
async def get_consultation(request: Request, slug: str) -> ConsultationOut:
    return await call(_service(request).consultation(slug))


@router.get("/consultations/{slug}/proposals", tags=["proposals"])
async def list_proposals(
    request: Request,
    slug: str,
    status: ProposalStatus = ProposalStatus.ACCEPTED,
    ids: Annotated[list[Id] | None, Query()] = None,
) -> list[ProposalOut]:
    """The proposals of one status: accepted ones (what residents are shown) for anyone,
    the others for moderators and analysts."""
    if status is not ProposalStatus.ACCEPTED:
        await check_role(request, Role.MODERATOR, Role.ANALYST)
    return await call(_service(request).proposals(slug, status=status, ids=ids))


@router.post(
    "/consultations/{slug}/ideas",
    tags=["proposals"],
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Role.BOT)],
)
async def submit_idea(request: Request, slug: str, idea: IdeaIn) -> ProposalOut:
    """A resident's idea, pending until a moderator accepts it. Idempotent by key."""
    return await call(_service(request).submit_idea(slug, idea))


@router.get(
    "/consultations/{slug}/participants/{participant}/next",
    tags=["ballots"],
    dependencies=[require(Role.BOT)],
)
async def next_proposals(
    request: Request,
    slug: str,
    participant: ParticipantRef,
    language: str,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
    exclude: Annotated[list[Id], Query()] = [],  # noqa: B006 (FastAPI reads it, never mutates)
) -> list[ProposalOut]:
    """What to show this participant next (api/selection.py): accepted, not yet voted on nor
    in `exclude`, new proposals and those whose rank is still unsure first, their language
    preferred, no two of one theme or author in a row."""
    return await call(_service(request).next_proposals(slug, participant, language, limit, exclude))


@router.put(
    "/consultations/{slug}/participants/{participant}/profile",
    tags=["participants"],
    dependencies=[require(Role.BOT)],
)
async def set_profile(
    request: Request, slug: str, participant: ParticipantRef, profile: ProfileIn
) -> ProfileOut:
    """Set parts of the optional profile (district, age band, centre); others are kept."""
    return await call(_service(request).set_profile(slug, participant, profile))


@router.delete(
    "/consultations/{slug}/participants/{participant}",
    tags=["participants"],
    dependencies=[require(Role.BOT)],
)
async def erase(request: Request, slug: str, participant: ParticipantRef) -> Erased:
    """ERASE: remove the participant's ballots and profile; the results follow."""
    return await call(_service(request).erase(slug, participant))


@router.post(
    "/consultations/{slug}/ballots",
    tags=["ballots"],
    dependencies=[require(Role.BOT)],
)
async def post_ballots(request: Request, slug: str, body: BallotsIn) -> BallotsOut:
    """Store a batch of ballots. Posting the same idempotency key again changes nothing."""
    return await call(_service(request).cast_ballots(slug, body.ballots))


@router.get(
    "/consultations/{slug}/results",
    tags=["results"],
    dependencies=[require(Role.MODERATOR, Role.ANALYST)],
)
async def results(
    request: Request, slug: str, filters: Annotated[ResultFilter, Query()]
) -> ResultsOut:
    """Per accepted proposal: counts, agree share with its 95 % interval, consensus and
    controversy; participation; opinion groups. Best first by the interval's lower bound, so
    a proposal is not ranked high on a handful of votes. Filters count only some participants.
    With them, the evaluation of the process by its participants (api/evaluations.py)."""
    found = await call(state(request).results.results(slug, filters))
    evaluation = await Evaluations(state(request).service.sessions).summary(slug)
    return found.model_copy(update={"evaluation": evaluation})
