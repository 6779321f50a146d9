"""Results read from the ballots themselves, so that any filter (channel, language, district,
age band, centre) gives the same measures as the whole: counts, Wilson interval, consensus,
controversy, opinion groups (api/analysis.py). Simulated participants never count."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, date, timedelta

import numpy as np
from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api import analysis
from api.models import Ballot, Choice, Participant, Proposal, ProposalStatus
from api.rows import accepted_proposals, consultation_row
from api.schemas import (
    Day,
    GroupOut,
    GroupShare,
    Participation,
    ProposalResult,
    ResultFilter,
    ResultsOut,
)

VALUE = {Choice.AGREE: 1.0, Choice.DISAGREE: -1.0, Choice.SKIP: 0.0}  # Pol.is's signs
PROFILE = ("language", "district", "age_band", "centre")
PROFILE_COLUMNS = [getattr(Participant, part) for part in PROFILE]
DISTINCTIVE = 3  # proposals listed per group
UNITING = 10


def _counted(query: Select, consultation_id: int, filters: ResultFilter) -> Select:
    """Restrict a query joined to Participant (and Ballot) to the participants that count."""
    query = query.where(Participant.consultation_id == consultation_id).where(
        Participant.simulated.is_(False)
    )
    for part in PROFILE:
        if (value := getattr(filters, part)) is not None:
            query = query.where(getattr(Participant, part) == value)
    if filters.channel is not None:
        query = query.where(Ballot.channel == filters.channel)
    return query


class Results:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def results(self, slug: str, filters: ResultFilter | None = None) -> ResultsOut:
        filters = filters or ResultFilter()
        async with self.sessions() as db:
            consultation = await consultation_row(db, slug)
            proposals = await accepted_proposals(db, consultation)
            ballots = (
                await db.execute(
                    _counted(
                        select(
                            Ballot.participant_id,
                            Ballot.proposal_id,
                            Ballot.choice,
                            Ballot.qualification,
                            Ballot.channel,
                            Ballot.cast_at,
                        )
                        .join(Participant, Participant.id == Ballot.participant_id)
                        .join(Proposal, Proposal.id == Ballot.proposal_id)
                        .where(Proposal.status == ProposalStatus.ACCEPTED),
                        consultation.id,
                        filters,
                    )
                )
            ).all()
            people = (
                await db.execute(
                    _counted(
                        select(
                            Participant.id, Participant.channel, Participant.demo, *PROFILE_COLUMNS
                        ).select_from(Participant),
                        consultation.id,
                        filters.model_copy(update={"channel": None}),
                    )
                )
            ).all()
            if filters.channel is not None:  # those who voted on that channel
                voters = {b.participant_id for b in ballots}
                people = [p for p in people if p.id in voters]
        return _summarise(slug, filters, proposals, ballots, people)


def _summarise(
    slug: str,
    filters: ResultFilter,
    proposals: list[Proposal],
    ballots: Sequence[Row],
    people: Sequence[Row],
) -> ResultsOut:
    columns = {p.id: j for j, p in enumerate(proposals)}
    rows = {person.id: i for i, person in enumerate(people)}
    matrix = np.full((len(people), len(proposals)), np.nan)
    counts: dict[int, Counter] = defaultdict(Counter)
    qualifications: dict[int, Counter] = defaultdict(Counter)
    for b in ballots:
        counts[b.proposal_id][b.choice] += 1
        if b.qualification is not None:
            qualifications[b.proposal_id][b.qualification] += 1
        if b.participant_id in rows:
            matrix[rows[b.participant_id], columns[b.proposal_id]] = VALUE[b.choice]
    groups = analysis.opinion_groups(matrix)

    results = []
    for j, p in enumerate(proposals):
        c = counts[p.id]
        agree, disagree, skip = c[Choice.AGREE], c[Choice.DISAGREE], c[Choice.SKIP]
        low, high = analysis.wilson(agree, agree + disagree)
        shares = [_group_share(g, matrix[groups.labels == g, j]) for g in range(groups.k)]
        consensus = (
            float(
                np.prod(
                    [
                        analysis.smoothed_agree(s.agree, s.agree + s.disagree + s.skip)
                        for s in shares
                    ]
                )
            )
            if shares
            else analysis.smoothed_agree(agree, agree + disagree + skip)
        )
        results.append(
            ProposalResult(
                id=p.id,
                text=p.text,
                language=p.language,
                theme=p.theme,
                agree=agree,
                disagree=disagree,
                skip=skip,
                votes=agree + disagree + skip,
                agree_rate=round(agree / (agree + disagree), 4) if agree + disagree else None,
                agree_low=round(low, 4),
                agree_high=round(high, 4),
                consensus=round(consensus, 4),
                controversy=round(analysis.controversy(agree, disagree), 4),
                groups=shares,
                qualifications=dict(qualifications[p.id]),
            )
        )
    uniting = sorted(results, key=lambda r: (-r.consensus, r.id))[:UNITING] if groups.k else []
    results.sort(key=lambda r: (-r.agree_low, -r.votes, r.id))
    return ResultsOut(
        slug=slug,
        filters=filters,
        participants=len(people),
        demo=sum(1 for person in people if person.demo),
        ballots=len(ballots),
        proposals=results,
        participation=participation(people, ballots),
        timeline=_timeline(ballots),
        groups=[_group_out(g, groups, matrix, proposals) for g in range(groups.k)],
        uniting=[r.id for r in uniting],
    )


def _group_share(group: int, column: np.ndarray) -> GroupShare:
    agree, disagree = int((column == 1).sum()), int((column == -1).sum())
    return GroupShare(
        group=group,
        agree=agree,
        disagree=disagree,
        skip=int((column == 0).sum()),
        agree_rate=round(agree / (agree + disagree), 4) if agree + disagree else None,
    )


def _group_out(
    group: int, groups: analysis.Groups, matrix: np.ndarray, proposals: list[Proposal]
) -> GroupOut:
    """Pol.is's representative comments, simply: the smoothed agree share inside the group
    minus outside it, for proposals the group saw at least 3 times."""
    inside = matrix[groups.labels == group]
    outside = matrix[(groups.labels != group) & (groups.labels >= 0)]

    def share(votes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        seen = (~np.isnan(votes)).sum(axis=0)
        return (np.nansum(votes == 1, axis=0) + 1) / (seen + 2), seen

    p_in, seen_in = share(inside)
    p_out, _ = share(outside)
    lift = np.where(seen_in >= 3, p_in - p_out, -np.inf)
    order = [j for j in np.argsort(-lift, kind="stable")[:DISTINCTIVE] if lift[j] > 0]
    return GroupOut(
        id=group,
        participants=int((groups.labels == group).sum()),
        distinctive=[proposals[j].id for j in order],
    )


def participation(
    people: Sequence[Row], ballots: Sequence[Row]
) -> dict[str, dict[str, Participation]]:
    """Participants and ballots by channel (the ballot's), language, district, age band and
    centre (the participant's profile; "unknown" when not given)."""
    by_person: Counter = Counter(b.participant_id for b in ballots)
    out: dict[str, dict[str, Participation]] = {}
    channel_people: dict[str, set[int]] = defaultdict(set)
    channel_ballots: Counter = Counter()
    for b in ballots:
        channel_people[b.channel].add(b.participant_id)
        channel_ballots[b.channel] += 1
    out["channel"] = {
        ch: Participation(participants=len(who), ballots=channel_ballots[ch])
        for ch, who in sorted(channel_people.items())
    }
    for part in PROFILE:
        tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for person in people:
            key = getattr(person, part) or "unknown"
            tally[key][0] += 1
            tally[key][1] += by_person[person.id]
        out[part] = {
            k: Participation(participants=n, ballots=m) for k, (n, m) in sorted(tally.items())
        }
    return out


def _timeline(ballots: Sequence[Row]) -> list[Day]:
    """Ballots and newcomers (whose first counted ballot it is) per UTC day, every day from the
    first ballot's to the last's: a chart of it shows the quiet days as they were."""
    by_day: dict[date, Counter] = defaultdict(Counter)  # channel -> ballots
    first: dict[int, date] = {}
    for b in ballots:
        at = b.cast_at  # naive from SQLite, which stores UTC; as_utc is too slow for millions
        day = (at if at.tzinfo is None else at.astimezone(UTC)).date()
        by_day[day][b.channel] += 1
        if day < first.get(b.participant_id, date.max):
            first[b.participant_id] = day
    if not by_day:
        return []
    newcomers = Counter(first.values())
    start, end = min(by_day), max(by_day)
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [
        Day(
            day=day,
            ballots=sum(by_day[day].values()),
            participants=newcomers[day],
            channels=dict(sorted(by_day[day].items())),
        )
        for day in days
    ]
