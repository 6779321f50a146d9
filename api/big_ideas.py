"""Big ideas as part of the consultation: titled groups of accepted proposals that analysts and
moderators create, rename, merge, split and re-arrange, each change in their audit trail; the
suggested grouping (api/clusters.py) for a person to review; the results per big idea
(api/cluster_results.py), sorted as Make.org publishes them.

A proposal is in one big idea at most: `cluster_members` is keyed by the proposal, and putting
a proposal in a big idea takes it out of the one it was in.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api import analysis, clusters
from api import big_idea_rows as idea_rows
from api import cluster_results as measure
from api.errors import Invalid
from api.models import (
    Ballot,
    Cluster,
    ClusterEvent,
    ClusterMember,
    Consultation,
    Participant,
    Proposal,
    ProposalStatus,
)
from api.results import VALUE
from api.rows import accepted_proposals, as_utc, consultation_row
from api.schemas import (
    ClusterEdit,
    ClusterEventOut,
    ClusterIn,
    ClusterOut,
    ClusterResult,
    ClusterResultsOut,
    ClusterSplitIn,
    GroupShare,
    SuggestionOut,
    SupportOut,
)
from api.tokens import Caller

# Make.org's order: what residents widely support, what divides them, what they reject.
ORDER = {
    measure.Verdict.WIDELY_SUPPORTED: 0,
    measure.Verdict.CONTROVERSIAL: 1,
    measure.Verdict.REJECTED: 2,
    measure.Verdict.UNDECIDED: 3,
}
THRESHOLDS = {
    "classified_from_residents": measure.CLASSIFIED_FROM,
    "widely_supported_low_at_least": round(measure.SUPPORTED, 4),
    "rejected_high_at_most": round(measure.REJECTED, 4),
    "controversial_at_least": measure.CONTROVERSIAL,
}


class BigIdeas:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    # --- reading -------------------------------------------------------------------------

    async def list(self, slug: str) -> list[ClusterOut]:
        async with self.sessions() as db:
            consultation = await consultation_row(db, slug)
            return await idea_rows.every(db, consultation.id)

    async def log(self, slug: str, limit: int = 100) -> list[ClusterEventOut]:
        """The audit trail, newest first."""
        async with self.sessions() as db:
            consultation = await consultation_row(db, slug)
            rows = await db.scalars(
                select(ClusterEvent)
                .where(ClusterEvent.consultation_id == consultation.id)
                .order_by(ClusterEvent.id.desc())
                .limit(limit)
            )
            return [
                ClusterEventOut(
                    id=r.id,
                    cluster_id=r.cluster_id,
                    actor=r.actor,
                    action=r.action,
                    change=r.change,
                    at=as_utc(r.at),
                )
                for r in rows
            ]

    # --- changes, each in the audit trail ---------------------------------------------------

    async def create(self, slug: str, caller: Caller, body: ClusterIn) -> ClusterOut:
        async with self.sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            idea_rows.check_texts(consultation, body.title, body.description, need_default=True)
            row = Cluster(
                consultation_id=consultation.id, title=body.title, description=body.description
            )
            db.add(row)
            await db.flush()
            moved = await idea_rows.place(db, consultation.id, row.id, body.proposals)
            idea_rows.audit(
                db,
                consultation.id,
                row.id,
                caller,
                "create",
                {
                    "title": body.title,
                    "proposals": sorted(set(body.proposals)),
                    "from": moved,
                },
            )
            return await idea_rows.one(db, row)

    async def edit(
        self, slug: str, cluster_id: int, caller: Caller, body: ClusterEdit
    ) -> ClusterOut:
        """Rename it, or change its description, in the languages given."""
        async with self.sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            row = await idea_rows.cluster(db, consultation.id, cluster_id)
            idea_rows.check_texts(consultation, body.title, body.description, need_default=False)
            before = {"title": dict(row.title), "description": dict(row.description)}
            row.title = {**row.title, **body.title}
            row.description = {**row.description, **body.description}
            after = {"title": row.title, "description": row.description}
            change = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
            idea_rows.audit(db, consultation.id, row.id, caller, "rename", change)
            return await idea_rows.one(db, row)

    async def arrange(
        self, slug: str, cluster_id: int, caller: Caller, proposals: list[int]
    ) -> ClusterOut:
        """Its proposals become these: new ones leave their big idea, the others leave it."""
        async with self.sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            row = await idea_rows.cluster(db, consultation.id, cluster_id)
            before = await idea_rows.members(db, row.id)
            await db.execute(delete(ClusterMember).where(ClusterMember.cluster_id == row.id))
            moved = await idea_rows.place(db, consultation.id, row.id, proposals)
            idea_rows.audit(
                db,
                consultation.id,
                row.id,
                caller,
                "arrange",
                {
                    "proposals": [before, sorted(set(proposals))],
                    "from": moved,
                },
            )
            return await idea_rows.one(db, row)

    async def merge(self, slug: str, cluster_id: int, caller: Caller, other: int) -> ClusterOut:
        """The other big idea's proposals join this one; the other is deleted."""
        if other == cluster_id:
            raise Invalid("a big idea cannot be merged with itself")
        async with self.sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            row = await idea_rows.cluster(db, consultation.id, cluster_id)
            gone = await idea_rows.cluster(db, consultation.id, other)
            theirs = await idea_rows.members(db, gone.id)
            await db.execute(delete(ClusterMember).where(ClusterMember.cluster_id == gone.id))
            await idea_rows.place(db, consultation.id, row.id, theirs)
            idea_rows.audit(
                db,
                consultation.id,
                row.id,
                caller,
                "merge",
                {
                    "merged": gone.id,
                    "title": gone.title,
                    "proposals": theirs,
                },
            )
            idea_rows.audit(db, consultation.id, gone.id, caller, "delete", {"merged_into": row.id})
            await db.delete(gone)
            return await idea_rows.one(db, row)

    async def split(
        self, slug: str, cluster_id: int, caller: Caller, body: ClusterSplitIn
    ) -> ClusterOut:
        """Some of its proposals leave it for a new big idea; the new one is returned."""
        async with self.sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            row = await idea_rows.cluster(db, consultation.id, cluster_id)
            mine = set(await idea_rows.members(db, row.id))
            leaving = sorted(set(body.proposals))
            if strangers := [p for p in leaving if p not in mine]:
                raise Invalid(f"proposals {strangers} are not in big idea {cluster_id}")
            if len(leaving) == len(mine):
                raise Invalid("a split leaves at least one proposal where it was")
            idea_rows.check_texts(consultation, body.title, body.description, need_default=True)
            new = Cluster(
                consultation_id=consultation.id, title=body.title, description=body.description
            )
            db.add(new)
            await db.flush()
            await idea_rows.place(db, consultation.id, new.id, leaving)
            idea_rows.audit(
                db,
                consultation.id,
                row.id,
                caller,
                "split",
                {
                    "into": new.id,
                    "proposals": leaving,
                },
            )
            idea_rows.audit(
                db,
                consultation.id,
                new.id,
                caller,
                "create",
                {
                    "title": body.title,
                    "proposals": leaving,
                    "split_from": row.id,
                },
            )
            return await idea_rows.one(db, new)

    async def delete(self, slug: str, cluster_id: int, caller: Caller) -> None:
        """Its proposals belong to no big idea any more; nothing else changes."""
        async with self.sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            row = await idea_rows.cluster(db, consultation.id, cluster_id)
            members = await idea_rows.members(db, row.id)
            await db.execute(delete(ClusterMember).where(ClusterMember.cluster_id == row.id))
            idea_rows.audit(
                db,
                consultation.id,
                row.id,
                caller,
                "delete",
                {
                    "title": row.title,
                    "proposals": members,
                },
            )
            await db.delete(row)

    # --- suggestions and results -------------------------------------------------------------

    async def suggest(self, slug: str, groups: int | None = None) -> list[SuggestionOut]:
        """A grouping of all the accepted proposals for a person to review; nothing is stored."""
        data = await self._read(slug)
        texts = [
            clusters.ProposalText(
                p.id,
                clusters.text_for(
                    p.text,
                    p.language,
                    {t.language: t.text for t in p.translations},
                    data.consultation.default_language,
                ),
                p.theme,
            )
            for p in data.proposals
        ]
        votes = [clusters.Vote(b.participant_id, b.proposal_id, b.choice) for b in data.ballots]
        return [
            SuggestionOut(
                proposals=s.proposals,
                title=s.title,
                shared_words=s.shared_words,
                shared_voters=s.shared_voters,
            )
            for s in clusters.suggest(texts, votes, groups)
        ]

    async def results(self, slug: str) -> ClusterResultsOut:
        data = await self._read(slug)
        async with self.sessions() as db:
            ideas = await idea_rows.every(db, data.consultation.id)
        groups = _opinion_groups(data)
        texts = {p.id: p.text for p in data.proposals}
        accepted = set(texts)
        out = []
        for idea in ideas:
            counted = [p for p in idea.proposals if p in accepted]
            r = measure.idea_result(counted, data.ballots, groups, data.people)
            out.append(_result_out(idea, r, texts))
        out.sort(key=lambda r: (ORDER[measure.Verdict(r.verdict)], _within(r), r.cluster.id))
        inside = {p for idea in ideas for p in idea.proposals}
        return ClusterResultsOut(
            slug=slug,
            thresholds=THRESHOLDS,
            ideas=out,
            outside=len(accepted - inside),
        )

    async def _read(self, slug: str) -> _Data:
        """The accepted proposals, the counted ballots on them, the counted participants."""
        async with self.sessions() as db:
            consultation = await consultation_row(db, slug)
            proposals = await accepted_proposals(db, consultation)
            counted = (
                Participant.consultation_id == consultation.id,
                Participant.simulated.is_(False),
            )
            rows = await db.execute(
                select(Ballot.participant_id, Ballot.proposal_id, Ballot.choice, Ballot.channel)
                .join(Participant, Participant.id == Ballot.participant_id)
                .join(Proposal, Proposal.id == Ballot.proposal_id)
                .where(*counted, Proposal.status == ProposalStatus.ACCEPTED)
            )
            ballots = [measure.Ballot(r[0], r[1], str(r[2]), r[3]) for r in rows]
            people_rows = await db.execute(
                select(
                    Participant.id,
                    Participant.language,
                    Participant.district,
                    Participant.age_band,
                    Participant.centre,
                ).where(*counted)
            )
            people = [measure.Person(*r) for r in people_rows]
            return _Data(consultation, proposals, ballots, people)


class _Data:
    def __init__(
        self,
        consultation: Consultation,
        proposals: list[Proposal],
        ballots: list[measure.Ballot],
        people: list[measure.Person],
    ) -> None:
        self.consultation = consultation
        self.proposals = proposals
        self.ballots = ballots
        self.people = people


def _within(r: ClusterResult) -> float:
    """Inside a verdict: the most supported first; controversies the most divided first;
    rejections the most rejected first."""
    if r.verdict == measure.Verdict.CONTROVERSIAL:
        return -r.controversy
    if r.verdict == measure.Verdict.REJECTED:
        return r.agree_high
    return -r.agree_low


def _opinion_groups(data: _Data) -> dict[int, int]:
    """Each counted participant's opinion group, as the results find them (api/results.py)."""
    columns = {p.id: j for j, p in enumerate(data.proposals)}
    rows = {person.id: i for i, person in enumerate(data.people)}
    matrix = np.full((len(rows), len(columns)), np.nan)
    for b in data.ballots:
        if b.participant_id in rows and b.proposal_id in columns:
            matrix[rows[b.participant_id], columns[b.proposal_id]] = VALUE[b.choice]
    labels = analysis.opinion_groups(matrix).labels
    return {pid: int(labels[i]) for pid, i in rows.items()}


def _result_out(idea: ClusterOut, r: measure.IdeaResult, texts: dict[int, str]) -> ClusterResult:
    return ClusterResult(
        cluster=idea,
        residents=r.residents,
        agree=r.agree,
        disagree=r.disagree,
        skip=r.skip,
        agree_rate=round(r.agree_rate, 4) if r.agree_rate is not None else None,
        agree_low=round(r.agree_low, 4),
        agree_high=round(r.agree_high, 4),
        consensus=round(r.consensus, 4),
        controversy=round(r.controversy, 4),
        verdict=r.verdict.value,
        groups=[
            GroupShare(
                group=g.group,
                agree=g.agree,
                disagree=g.disagree,
                skip=g.skip,
                agree_rate=round(g.agree / (g.agree + g.disagree), 4)
                if g.agree + g.disagree
                else None,
            )
            for g in r.groups
        ],
        participation=r.participation,
        most_supported=[
            SupportOut(
                id=s.id,
                text=texts[s.id],
                agree=s.agree,
                disagree=s.disagree,
                skip=s.skip,
                agree_low=round(s.agree_low, 4),
            )
            for s in r.most_supported
        ],
    )
