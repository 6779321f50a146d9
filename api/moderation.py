"""Moderation: a queue with the urgent first, claims so two moderators never handle one
proposal at once, decisions with reasons from a fixed list, edits that keep the resident's
words, translations, and an audit trail of every action."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import Conflict, Invalid, NotFound
from api.flags import DISCLOSURE, urgent_first
from api.models import (
    ModerationAction,
    ModerationEvent,
    Proposal,
    ProposalStatus,
    ProposalTranslation,
    RejectReason,
    Role,
)
from api.rows import as_utc, claim_live, consultation_row, proposal_out
from api.schemas import Edit, ModerationEventOut, ProposalOut, ReasonOut
from api.tokens import Caller

log = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=15)  # long enough to read and decide; a forgotten claim lapses

# What the author may be told, in plain words (the bot translates them through its catalogs).
EXPLANATIONS: dict[RejectReason, str] = {
    RejectReason.INCOMPREHENSIBLE: "We could not understand the idea.",
    RejectReason.OFF_TOPIC: "The idea is not about the consultation's question.",
    RejectReason.PARTISAN: "The idea supports or attacks a party or a candidate.",
    RejectReason.ILLEGAL: "The idea asks for something against the law.",
    RejectReason.ADVERTISING: "The idea advertises a business or a product.",
    RejectReason.SEVERAL_IDEAS: "The message holds several ideas: send them one at a time.",
    RejectReason.RUDE: "The idea insults or attacks people.",
    RejectReason.DUPLICATE: "The same idea is already in the consultation.",
    RejectReason.PERSONAL_DATA: "The idea names a person or gives a phone number or address.",
    RejectReason.OTHER: "The idea does not follow the consultation's rules.",
}

DECISIONS = {
    ModerationAction.ACCEPT: ProposalStatus.ACCEPTED,
    ModerationAction.REJECT: ProposalStatus.REJECTED,
    ModerationAction.POSTPONE: ProposalStatus.POSTPONED,
}


def reasons() -> list[ReasonOut]:
    return [ReasonOut(code=code, explanation=text) for code, text in EXPLANATIONS.items()]


def _event_out(row: ModerationEvent) -> ModerationEventOut:
    return ModerationEventOut(
        id=row.id,
        proposal_id=row.proposal_id,
        actor=row.actor,
        action=row.action,
        reason=row.reason,
        note=row.note,
        change=row.change,
        at=as_utc(row.at),
    )


class Moderation:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def queue(self, slug: str, status: ProposalStatus) -> list[ProposalOut]:
        """Proposals of one status, urgent (safeguarding) first, then oldest first."""
        async with self.sessions() as db:
            consultation = await consultation_row(db, slug)
            rows = await db.scalars(
                select(Proposal)
                .where(Proposal.consultation_id == consultation.id)
                .where(Proposal.status == status)
                .order_by(Proposal.id)
            )
            ordered = sorted(rows, key=lambda r: urgent_first(r.flags or []))
            return [proposal_out(r) for r in ordered]

    async def claim(self, slug: str, proposal_id: int, caller: Caller) -> ProposalOut:
        async def act(db: AsyncSession, proposal: Proposal) -> dict[str, Any]:
            proposal.claimed_by = caller.name
            proposal.claimed_until = datetime.now(UTC) + CLAIM_FOR
            return {}

        return await self._act(slug, proposal_id, caller, ModerationAction.CLAIM, act)

    async def release(self, slug: str, proposal_id: int, caller: Caller) -> ProposalOut:
        async def act(db: AsyncSession, proposal: Proposal) -> dict[str, Any]:
            proposal.claimed_by = proposal.claimed_until = None
            return {}

        return await self._act(slug, proposal_id, caller, ModerationAction.RELEASE, act)

    async def decide(
        self,
        slug: str,
        proposal_id: int,
        caller: Caller,
        action: ModerationAction,
        reason: RejectReason | None = None,
        note: str | None = None,
    ) -> ProposalOut:
        """Accept (residents are shown it from now on), reject with a reason, or postpone.
        The decision ends the caller's claim."""
        status = DECISIONS[action]

        async def act(db: AsyncSession, proposal: Proposal) -> dict[str, Any]:
            if status is ProposalStatus.ACCEPTED and DISCLOSURE in (proposal.flags or []):
                raise Conflict("a disclosure of danger is never published")
            before = proposal.status
            proposal.status = status
            proposal.reject_reason = reason if status is ProposalStatus.REJECTED else None
            proposal.moderated_at = datetime.now(UTC)
            proposal.claimed_by = proposal.claimed_until = None
            return {"status": [before, status]}

        return await self._act(slug, proposal_id, caller, action, act, reason, note)

    async def edit(self, slug: str, proposal_id: int, caller: Caller, edit: Edit) -> ProposalOut:
        async def act(db: AsyncSession, proposal: Proposal) -> dict[str, Any]:
            change: dict[str, Any] = {}
            if edit.text is not None and edit.text.strip() != proposal.text:
                if proposal.original_text is None:
                    proposal.original_text = proposal.text
                change["text"] = [proposal.text, edit.text.strip()]
                proposal.text = edit.text.strip()
            if "theme" in edit.model_fields_set and edit.theme != proposal.theme:
                change["theme"] = [proposal.theme, edit.theme]
                proposal.theme = edit.theme
            if not change:
                raise Invalid("nothing to change")
            return change

        return await self._act(
            slug, proposal_id, caller, ModerationAction.EDIT, act, note=edit.note
        )

    async def translate(
        self, slug: str, proposal_id: int, caller: Caller, language: str, text: str
    ) -> ProposalOut:
        async def act(db: AsyncSession, proposal: Proposal) -> dict[str, Any]:
            languages = (await consultation_row(db, slug)).languages
            if language not in languages or language == proposal.language:
                others = sorted(set(languages) - {proposal.language})
                raise Invalid(f"translate into one of {others}")
            current = next((t for t in proposal.translations if t.language == language), None)
            before = None if current is None else current.text
            if current is None:
                proposal.translations.append(ProposalTranslation(language=language, text=text))
            else:
                current.text = text
            return {f"translation:{language}": [before, text]}

        return await self._act(slug, proposal_id, caller, ModerationAction.TRANSLATE, act)

    async def quote(self, slug: str, proposal_id: int, caller: Caller, quoted: bool) -> ProposalOut:
        """Choose (or no longer) an accepted proposal's words as a quote for the synthesis
        report, where it is shown without its author."""

        async def act(db: AsyncSession, proposal: Proposal) -> dict[str, Any]:
            if quoted and proposal.status != ProposalStatus.ACCEPTED:
                raise Invalid("only an accepted proposal may be quoted")
            if proposal.quoted == quoted:
                raise Invalid("nothing to change")
            proposal.quoted = quoted
            return {"quoted": [not quoted, quoted]}

        action = ModerationAction.QUOTE if quoted else ModerationAction.UNQUOTE
        return await self._act(slug, proposal_id, caller, action, act)

    async def log(
        self, slug: str, proposal_id: int | None = None, limit: int = 100, before: int | None = None
    ) -> list[ModerationEventOut]:
        """The audit trail, newest first; `before` (an event id) pages back."""
        async with self.sessions() as db:
            consultation = await consultation_row(db, slug)
            query = select(ModerationEvent).where(
                ModerationEvent.consultation_id == consultation.id
            )
            if proposal_id is not None:
                query = query.where(ModerationEvent.proposal_id == proposal_id)
            if before is not None:
                query = query.where(ModerationEvent.id < before)
            rows = await db.scalars(query.order_by(ModerationEvent.id.desc()).limit(limit))
            return [_event_out(r) for r in rows]

    async def _act(
        self,
        slug: str,
        proposal_id: int,
        caller: Caller,
        action: ModerationAction,
        act,  # noqa: ANN001 (async (db, proposal) -> change)
        reason: RejectReason | None = None,
        note: str | None = None,
    ) -> ProposalOut:
        """One moderation action in one transaction: refused while another moderator holds
        the proposal (admins may step in), and written to the audit trail with what it changed."""
        async with self.sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            # Row lock on PostgreSQL, so two claims at the same moment cannot both win.
            proposal = await db.scalar(
                select(Proposal)
                .where(Proposal.id == proposal_id)
                .where(Proposal.consultation_id == consultation.id)
                .with_for_update()
            )
            if proposal is None:
                raise NotFound(f"no proposal {proposal_id} in consultation {slug!r}")
            held = claim_live(proposal) and proposal.claimed_by != caller.name
            if held and caller.role is not Role.ADMIN:  # an admin may step in
                raise Conflict(
                    f"{proposal.claimed_by} is handling proposal {proposal_id} "
                    f"until {as_utc(proposal.claimed_until):%H:%M} UTC"
                )
            change = await act(db, proposal)
            db.add(
                ModerationEvent(
                    consultation_id=consultation.id,
                    proposal_id=proposal.id,
                    actor=caller.name,
                    action=action,
                    reason=reason,
                    note=note,
                    change=change,
                )
            )
            log.info("moderation %s proposal=%d by=%s", action, proposal.id, caller.name)
            return proposal_out(proposal)
