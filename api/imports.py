"""Imports, all or nothing: a proposals CSV written by the city, and a Pol.is conversation
(comments and votes) carried onto SMS and the phone. Any error refuses the whole file and is
reported with its line and reason."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api import polis
from api.errors import ImportRefused
from api.models import (
    Ballot,
    Choice,
    Consultation,
    Participant,
    Proposal,
    ProposalStatus,
    RejectReason,
)
from api.rows import consultation_row, new_proposal
from api.schemas import Imported, ImportProblem, ProposalSpec

CSV_COLUMNS = ("key", "text", "language", "theme", "status")  # and text_<language> columns
POLIS_CHANNEL = "polis"
POLIS_KEY = "polis-"  # a proposal's key: polis-<comment-id>
CHOICE = {1: Choice.AGREE, -1: Choice.DISAGREE, 0: Choice.SKIP}
STATUS = {1: ProposalStatus.ACCEPTED, -1: ProposalStatus.REJECTED, 0: ProposalStatus.PENDING}


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


class Imports:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def proposals_csv(self, slug: str, text: str) -> Imported:
        """Columns key, text, language, optional theme and status (accepted or pending), and
        text_<language> for translations."""
        async with self.sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            known = set(
                await db.scalars(
                    select(Proposal.key).where(Proposal.consultation_id == consultation.id)
                )
            )
            specs = _read_proposals(text, consultation, known)
            db.add_all(new_proposal(consultation.id, spec) for spec in specs)
            return Imported(proposals=len(specs))

    async def polis(
        self, slug: str, conversation: polis.Conversation, language: str | None = None
    ) -> Imported:
        """A Pol.is conversation: comments become proposals (their moderation kept), voters
        pseudonymous participants (their Pol.is number kept for exports), each participant's
        last vote on each comment a ballot."""
        async with self.sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            language = language or consultation.default_language
            if language not in consultation.languages:
                raise ImportRefused([ImportProblem(line=0, reason=f"{language!r} is not offered")])
            await _refuse_a_second_import(db, consultation, conversation)
            last = polis.last_votes(conversation.votes)
            people = sorted({c.author for c in conversation.comments} | {v for v, _ in last})
            participants = {
                pid: Participant(
                    consultation_id=consultation.id,
                    ref=f"polis:{pid}",
                    channel=POLIS_CHANNEL,
                    language=language,
                    polis_id=pid,
                )
                for pid in people
            }
            db.add_all(participants.values())
            await db.flush()
            counts = {c.id: [0, 0, 0] for c in conversation.comments}
            for v in last.values():
                counts[v.comment][(1, -1, 0).index(v.vote)] += 1
            proposals = {
                c.id: Proposal(
                    consultation_id=consultation.id,
                    key=f"{POLIS_KEY}{c.id}",
                    text=c.body.strip(),
                    language=language,
                    status=STATUS[c.moderated],
                    reject_reason=RejectReason.OTHER if c.moderated == -1 else None,
                    author_id=participants[c.author].id,
                    channel=POLIS_CHANNEL,
                    created_at=_at(c.at_ms),
                    agree=counts[c.id][0],
                    disagree=counts[c.id][1],
                    skip=counts[c.id][2],
                    translations=[],
                )
                for c in conversation.comments
            }
            db.add_all(proposals.values())
            await db.flush()
            if last:
                await db.execute(
                    insert(Ballot),
                    [
                        {
                            "participant_id": participants[v.voter].id,
                            "proposal_id": proposals[v.comment].id,
                            "choice": CHOICE[v.vote],
                            "channel": POLIS_CHANNEL,
                            "idempotency_key": f"polis:{consultation.id}:{v.voter}:{v.comment}",
                            "cast_at": _at(v.at_ms),
                        }
                        for v in last.values()
                    ],
                )
            return Imported(proposals=len(proposals), participants=len(people), ballots=len(last))


async def _refuse_a_second_import(
    db: AsyncSession, consultation: Consultation, conversation: polis.Conversation
) -> None:
    keys = [f"{POLIS_KEY}{c.id}" for c in conversation.comments]
    clash = await db.scalar(
        select(Proposal.key)
        .where(Proposal.consultation_id == consultation.id)
        .where(Proposal.key.in_(keys))
        .limit(1)
    )
    if clash is not None:
        raise ImportRefused(
            [ImportProblem(line=0, reason=f"already imported: a proposal has the key {clash!r}")]
        )


def _read_proposals(
    text: str, consultation: Consultation, known: set[str | None]
) -> list[ProposalSpec]:
    # newline="": line breaks inside quoted cells are the csv module's to read; a BOM is a
    # spreadsheet's.
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        columns = reader.fieldnames or []
    except csv.Error as e:
        raise ImportRefused([ImportProblem(line=1, reason=f"not CSV: {e}")]) from None
    offered = set(consultation.languages)
    problems: list[ImportProblem] = []
    allowed = set(CSV_COLUMNS) | {f"text_{lang}" for lang in offered}
    if unknown := [c for c in columns if c not in allowed]:
        problems.append(ImportProblem(line=1, reason=f"unknown columns {unknown}"))
    if missing := [c for c in ("key", "text", "language") if c not in columns]:
        problems.append(ImportProblem(line=1, reason=f"missing columns {missing}"))
    if problems:
        raise ImportRefused(problems)
    specs: list[ProposalSpec] = []
    taken = set(known)
    try:
        for row in reader:
            spec = _read_row(row, offered, taken)
            if isinstance(spec, str):
                problems.append(ImportProblem(line=reader.line_num, reason=spec))
            else:
                taken.add(spec.key)
                specs.append(spec)
    except csv.Error as e:
        problems.append(ImportProblem(line=reader.line_num, reason=f"not CSV: {e}"))
    if not specs and not problems:
        problems.append(ImportProblem(line=1, reason="no proposal in the file"))
    if problems:
        raise ImportRefused(problems)
    return specs


def _read_row(row: dict[str, str], offered: set[str], taken: set[str | None]) -> ProposalSpec | str:
    """One row as a proposal, or the reason it is refused."""
    if None in row:
        return "more cells than columns"
    values = {k: (v or "").strip() for k, v in row.items()}
    try:
        spec = ProposalSpec(
            key=values["key"],
            text=values["text"],
            language=values["language"],
            theme=values.get("theme") or None,
            status=values.get("status") or ProposalStatus.ACCEPTED,
            translations={
                c.removeprefix("text_"): v
                for c, v in values.items()
                if c.startswith("text_") and v and c != f"text_{values['language']}"
            },
        )
    except ValidationError as e:
        return "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
    if spec.language not in offered:
        return f"language {spec.language!r} is not offered"
    if spec.status not in (ProposalStatus.ACCEPTED, ProposalStatus.PENDING):
        return "status must be accepted or pending"
    if spec.key in taken:
        return f"the key {spec.key!r} is taken"
    return spec
