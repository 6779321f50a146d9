"""Moderation over HTTP: the queue, claims, decisions, edits, translations, the audit trail.
Moderators and admins only; every action is written to the audit trail under the token's name."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.auth import Caller, Role, require
from api.models import ModerationAction, ProposalStatus
from api.moderation import Moderation, reasons
from api.routes.deps import IdPath, ModerationDep
from api.schemas import (
    Decision,
    Edit,
    Id,
    ModerationEventOut,
    ProposalOut,
    ReasonOut,
    Rejection,
    TranslationIn,
)

router = APIRouter(prefix="/api/v1", tags=["moderation"])
Moderator = Annotated[Caller, require(Role.MODERATOR)]
AT = "/consultations/{slug}/proposals/{proposal_id}"


@router.get("/moderation/reasons")
async def rejection_reasons() -> list[ReasonOut]:
    """The fixed list of rejection reasons, each explained in plain words."""
    return reasons()


@router.get("/consultations/{slug}/moderation/queue")
async def queue(
    moderation: ModerationDep,
    slug: str,
    _caller: Moderator,
    status: ProposalStatus = ProposalStatus.PENDING,
) -> list[ProposalOut]:
    """Proposals waiting for a decision (or of another status): urgent ones (a safeguarding
    flag) first, then oldest first; each shows its flags and who holds it."""
    return await moderation.queue(slug, status)


@router.post(f"{AT}/claim")
async def claim(
    moderation: ModerationDep, slug: str, proposal_id: IdPath, caller: Moderator
) -> ProposalOut:
    """Hold the proposal for 15 minutes so no other moderator acts on it (409 if another
    holds it). Claiming again extends the hold."""
    return await moderation.claim(slug, proposal_id, caller)


@router.post(f"{AT}/release")
async def release(
    moderation: ModerationDep, slug: str, proposal_id: IdPath, caller: Moderator
) -> ProposalOut:
    """Let go of a proposal without deciding."""
    return await moderation.release(slug, proposal_id, caller)


@router.post(f"{AT}/accept")
async def accept(
    moderation: ModerationDep,
    slug: str,
    proposal_id: IdPath,
    caller: Moderator,
    body: Decision | None = None,
) -> ProposalOut:
    """Residents are shown the proposal from now on."""
    return await _decide(moderation, slug, proposal_id, caller, ModerationAction.ACCEPT, body)


@router.post(f"{AT}/reject")
async def reject(
    moderation: ModerationDep, slug: str, proposal_id: IdPath, caller: Moderator, body: Rejection
) -> ProposalOut:
    """The proposal is never shown; the reason (from GET /moderation/reasons) is kept."""
    return await moderation.decide(
        slug, proposal_id, caller, ModerationAction.REJECT, body.reason, body.note
    )


@router.post(f"{AT}/postpone")
async def postpone(
    moderation: ModerationDep,
    slug: str,
    proposal_id: IdPath,
    caller: Moderator,
    body: Decision | None = None,
) -> ProposalOut:
    """Set aside for later (e.g. to ask a colleague); it leaves the pending queue."""
    return await _decide(moderation, slug, proposal_id, caller, ModerationAction.POSTPONE, body)


async def _decide(
    moderation: Moderation,
    slug: str,
    proposal_id: int,
    caller: Caller,
    action: ModerationAction,
    body: Decision | None,
) -> ProposalOut:
    note = body.note if body else None
    return await moderation.decide(slug, proposal_id, caller, action, note=note)


@router.patch(AT)
async def edit(
    moderation: ModerationDep, slug: str, proposal_id: IdPath, caller: Moderator, body: Edit
) -> ProposalOut:
    """Correct the text or the theme; the resident's original words are kept."""
    return await moderation.edit(slug, proposal_id, caller, body)


@router.put(f"{AT}/translations/{{language}}")
async def translate(
    moderation: ModerationDep,
    slug: str,
    proposal_id: IdPath,
    language: Annotated[str, Path(max_length=8)],
    caller: Moderator,
    body: TranslationIn,
) -> ProposalOut:
    """Add or correct the proposal's text in another of the consultation's languages."""
    return await moderation.translate(slug, proposal_id, caller, language, body.text)


@router.put(f"{AT}/quote")
async def quote(
    moderation: ModerationDep, slug: str, proposal_id: IdPath, caller: Moderator
) -> ProposalOut:
    """Choose the accepted proposal's words as an anonymous quote for the synthesis report."""
    return await moderation.quote(slug, proposal_id, caller, quoted=True)


@router.delete(f"{AT}/quote")
async def unquote(
    moderation: ModerationDep, slug: str, proposal_id: IdPath, caller: Moderator
) -> ProposalOut:
    """No longer quote it."""
    return await moderation.quote(slug, proposal_id, caller, quoted=False)


@router.get("/consultations/{slug}/moderation/log")
async def audit_log(
    moderation: ModerationDep,
    slug: str,
    _caller: Moderator,
    proposal_id: Id | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Id | None = None,
) -> list[ModerationEventOut]:
    """Every moderation action (who, when, what, why), newest first; `before` pages back."""
    return await moderation.log(slug, proposal_id, limit, before)
