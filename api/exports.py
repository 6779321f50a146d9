"""Exports as CSV: our own files (proposals, results, ballots, participants) and Pol.is's
(api/polis.py), so that Pol.is's analysis tools read our consultations.

Participants appear as numbers, the same in every file of one export, never as their ref:
an export may be published, and a ref joined with the pseudonym key would lead back to a
phone number. A participant imported from Pol.is keeps its Pol.is number, a proposal its
comment id (key polis-<id>); the others are numbered after them, in arrival order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api import analysis, polis
from api.imports import POLIS_KEY
from api.models import Ballot, Choice, Consultation, Participant, Proposal, ProposalStatus
from api.results import Results
from api.rows import as_utc, consultation_row
from api.spreadsheet import to_csv

OURS = ("proposals.csv", "results.csv", "ballots.csv", "participants.csv")
FILES = OURS + tuple(f"polis/{name}" for name in polis.FILES)
VOTE = {Choice.AGREE: 1, Choice.DISAGREE: -1, Choice.SKIP: 0}
MODERATED = {ProposalStatus.ACCEPTED: 1, ProposalStatus.REJECTED: -1}  # others: 0


def _ms(moment: datetime | None) -> int:
    return int((as_utc(moment) or datetime.now(UTC)).timestamp() * 1000)


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else as_utc(moment).isoformat()


def _numbers(fixed: Sequence[int | None]) -> list[int]:
    """Keep the given numbers; number the others (None) after the largest, in order."""
    following = max((n for n in fixed if n is not None), default=-1) + 1
    out = []
    for n in fixed:
        if n is None:
            n, following = following, following + 1
        out.append(n)
    return out


def _comment_id(p: Proposal) -> int | None:
    number = (p.key or "").removeprefix(POLIS_KEY)
    return int(number) if p.key and p.key.startswith(POLIS_KEY) and number.isdigit() else None


class Exports:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self._results = Results(sessions)

    async def files(self, slug: str) -> dict[str, str]:
        """Every export file by name (see FILES), as CSV text."""
        async with self.sessions() as db:
            consultation = await consultation_row(db, slug)
            proposals = list(
                await db.scalars(
                    select(Proposal)
                    .where(Proposal.consultation_id == consultation.id)
                    .order_by(Proposal.id)
                )
            )
            people = list(
                await db.scalars(
                    select(Participant)
                    .where(Participant.consultation_id == consultation.id)
                    .where(Participant.simulated.is_(False))
                    .order_by(Participant.id)
                )
            )
            ballots = list(
                await db.scalars(
                    select(Ballot)
                    .join(Participant, Participant.id == Ballot.participant_id)
                    .where(Participant.consultation_id == consultation.id)
                    .where(Participant.simulated.is_(False))
                    .order_by(Ballot.id)
                )
            )
        results = await self._results.results(slug)
        pid = dict(zip((p.id for p in people), _numbers([p.polis_id for p in people]), strict=True))
        cid = dict(
            zip(
                (p.id for p in proposals),
                _numbers([_comment_id(p) for p in proposals]),
                strict=True,
            )
        )
        files = {
            "proposals.csv": _proposals(consultation, proposals, pid),
            "results.csv": [
                [
                    "rank",
                    "id",
                    "text",
                    "agree",
                    "disagree",
                    "skip",
                    "votes",
                    "agree_rate",
                    "agree_low",
                    "agree_high",
                    "consensus",
                    "controversy",
                ]  # fmt: skip
            ]
            + [
                [
                    rank,
                    r.id,
                    r.text,
                    r.agree,
                    r.disagree,
                    r.skip,
                    r.votes,
                    "" if r.agree_rate is None else r.agree_rate,
                    r.agree_low,
                    r.agree_high,
                    r.consensus,
                    r.controversy,
                ]  # fmt: skip
                for rank, r in enumerate(results.proposals, start=1)
            ],
            "ballots.csv": [
                ["participant", "proposal_id", "choice", "qualification", "channel", "cast_at"]
            ]
            + [
                [
                    pid[b.participant_id],
                    b.proposal_id,
                    b.choice.value,
                    b.qualification.value if b.qualification else "",
                    b.channel,
                    _iso(b.cast_at),
                ]  # fmt: skip
                for b in ballots
            ],
            "participants.csv": _participants(people, ballots, proposals, pid),
        }
        files.update(
            _polis(consultation, proposals, people, ballots, pid, cid, len(results.groups))
        )
        # Safe to open in a spreadsheet: a resident's `=...` stays text (api/spreadsheet.py).
        return {name: to_csv(rows) for name, rows in files.items()}


def _proposals(
    consultation: Consultation, proposals: list[Proposal], pid: dict[int, int]
) -> list[list[object]]:
    languages = consultation.languages
    rows: list[list[object]] = [
        [
            "id",
            "key",
            "status",
            "reject_reason",
            "language",
            "theme",
            "text",
            "original_text",
            "flags",
            "channel",
            "author",
            "created_at",
            "moderated_at",
        ]  # fmt: skip
        + [f"text_{lang}" for lang in languages]
    ]
    for p in proposals:
        translated = {t.language: t.text for t in p.translations}
        rows.append(
            [
                p.id,
                p.key or "",
                p.status.value,
                p.reject_reason or "",
                p.language,
                p.theme or "",
                p.text,
                p.original_text or "",
                ";".join(p.flags or []),
                p.channel or "",
                "" if p.author_id not in pid else pid[p.author_id],
                _iso(p.created_at),
                _iso(p.moderated_at),
            ]  # fmt: skip
            + [translated.get(lang, p.text if lang == p.language else "") for lang in languages]
        )
    return rows


def _participants(
    people: list[Participant], ballots: list[Ballot], proposals: list[Proposal], pid: dict[int, int]
) -> list[list[object]]:
    cast: dict[int, int] = {}
    for b in ballots:
        cast[b.participant_id] = cast.get(b.participant_id, 0) + 1
    ideas: dict[int, int] = {}
    for p in proposals:
        if p.author_id is not None:
            ideas[p.author_id] = ideas.get(p.author_id, 0) + 1
    return [
        [
            "participant",
            "channel",
            "language",
            "district",
            "age_band",
            "centre",
            "created_at",
            "ballots",
            "ideas",
            "demo",
        ]  # fmt: skip
    ] + [
        [
            pid[p.id],
            p.channel,
            p.language or "",
            p.district or "",
            p.age_band or "",
            p.centre or "",
            _iso(p.created_at),
            cast.get(p.id, 0),
            ideas.get(p.id, 0),
            "demo" if p.demo else "",  # generated by `parlons demo`, never a real resident
        ]  # fmt: skip
        for p in people
    ]


def _polis(
    consultation: Consultation,
    proposals: list[Proposal],
    people: list[Participant],
    ballots: list[Ballot],
    pid: dict[int, int],
    cid: dict[int, int],
    groups: int,
) -> dict[str, list[list[object]]]:
    comments = [
        polis.Comment(
            id=cid[p.id],
            author=pid.get(p.author_id, -1),  # -1: no author (a proposal of the city)
            at_ms=_ms(p.created_at),
            moderated=MODERATED.get(p.status, 0),
            body=p.text,
        )
        for p in proposals
    ]
    votes = [
        polis.Vote(pid[b.participant_id], cid[b.proposal_id], VOTE[b.choice], _ms(b.cast_at))
        for b in ballots
    ]
    language = consultation.default_language
    voters = {v.voter for v in votes}
    summary = {
        "topic": consultation.title.get(language, ""),
        "url": "",
        "views": len(people),
        "voters": len(voters),
        "voters-in-conv": len(voters),
        "commenters": len({c.author for c in comments if c.author >= 0}),
        "comments": len(comments),
        "groups": groups,
        "conversation-description": consultation.question.get(language, ""),
    }
    return {
        "polis/comments.csv": polis.comments_rows(comments, votes),
        "polis/votes.csv": polis.votes_rows(votes),
        "polis/participants-votes.csv": polis.participants_votes_rows(
            comments, votes, _groups(comments, votes)
        ),
        "polis/summary.csv": polis.summary_rows(summary),
    }


def _groups(comments: list[polis.Comment], votes: list[polis.Vote]) -> dict[int, int]:
    """Each participant's opinion group, from the accepted comments (api/analysis.py)."""
    accepted = [c.id for c in comments if c.moderated == 1]
    column = {c: j for j, c in enumerate(accepted)}
    last = polis.last_votes(votes)
    voters = sorted({v for v, _ in last})
    row = {v: i for i, v in enumerate(voters)}
    matrix = np.full((len(voters), len(accepted)), np.nan)
    for (voter, comment), v in last.items():
        if comment in column:
            matrix[row[voter], column[comment]] = v.vote
    labels = analysis.opinion_groups(matrix).labels
    return {voter: int(label) for voter, label in zip(voters, labels, strict=True) if label >= 0}
