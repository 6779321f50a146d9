"""Results per big idea (a group of proposals), as pure functions over ballots, opinion groups
and participants' profiles, so that the API, the staff page and the report compute them alike.

Definitions (the README's "Results per big idea" says them in words):
- agreement: pooled over the idea's proposals, agree / (agree + disagree). One resident often
  votes on several of its proposals, and their votes go together; the 95 % interval is
  therefore a bootstrap over residents (residents drawn with replacement, all their ballots
  on the idea with them; 2,000 draws, seeded: the same ballots always give the same figures).
- consensus: as for a proposal (api/analysis.py), the product over opinion groups of each
  group's smoothed agree share, its ballots on all the idea's proposals pooled.
- controversy: as for a proposal, 2 x the lower bound of the minority side's share, here from
  the bootstrap interval: near 1 when residents split evenly on the idea, 0 when one side wins.
- classification, as Make.org publishes its results, once CLASSIFIED_FROM residents voted:
  widely supported when the interval's lower bound is at least 2/3, rejected when its upper
  bound is at most 1/3, controversial when controversy is at least 0.6 (each side holds at
  least 30 %), otherwise undecided.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from api import analysis
from api.results import participation
from api.schemas import Participation

DRAWS = 2000
SEED = 0
CLASSIFIED_FROM = 20  # residents with an agree or disagree on the idea
SUPPORTED = 2 / 3
REJECTED = 1 / 3
CONTROVERSIAL = 0.6
TOP = 5  # most supported proposals listed


class Verdict(StrEnum):
    WIDELY_SUPPORTED = "widely_supported"
    CONTROVERSIAL = "controversial"
    REJECTED = "rejected"
    UNDECIDED = "undecided"  # too few residents, or in between


@dataclass(frozen=True, slots=True)
class Ballot:
    participant_id: int
    proposal_id: int
    choice: str  # "agree", "disagree", "skip" (api.models.Choice is a str)
    channel: str


@dataclass(frozen=True, slots=True)
class Person:
    """A participant's profile: what participation is broken down by (None: not given)."""

    id: int
    language: str | None = None
    district: str | None = None
    age_band: str | None = None
    centre: str | None = None


@dataclass(frozen=True)
class GroupVotes:
    group: int
    agree: int
    disagree: int
    skip: int


@dataclass(frozen=True)
class ProposalSupport:
    id: int
    agree: int
    disagree: int
    skip: int
    agree_low: float  # Wilson 95 % lower bound: the rank, as in the results


@dataclass(frozen=True)
class IdeaResult:
    proposals: list[int]
    residents: int  # who voted on at least one of its proposals
    agree: int
    disagree: int
    skip: int
    agree_rate: float | None
    agree_low: float
    agree_high: float
    consensus: float
    controversy: float
    verdict: Verdict
    groups: list[GroupVotes]
    participation: dict[str, dict[str, Participation]]
    most_supported: list[ProposalSupport] = field(default_factory=list)


def pooled_interval(
    agrees: np.ndarray, decided: np.ndarray, draws: int = DRAWS, seed: int = SEED
) -> tuple[float, float]:
    """95 % bootstrap interval over residents of sum(agrees) / sum(decided), where resident i
    gave agrees[i] agrees out of decided[i] agree-or-disagree ballots. (0, 1) when nobody did."""
    keep = decided > 0
    agrees, decided = agrees[keep], decided[keep]
    if not len(decided):
        return 0.0, 1.0
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, len(decided), size=(draws, len(decided)), dtype=np.int32)
    rates = agrees[drawn].sum(axis=1) / decided[drawn].sum(axis=1)
    low, high = np.percentile(rates, [2.5, 97.5], method="inverted_cdf")
    return float(low), float(high)


def verdict(residents: int, low: float, high: float, controversy: float) -> Verdict:
    if residents < CLASSIFIED_FROM:
        return Verdict.UNDECIDED
    if low >= SUPPORTED:
        return Verdict.WIDELY_SUPPORTED
    if high <= REJECTED:
        return Verdict.REJECTED
    if controversy >= CONTROVERSIAL:
        return Verdict.CONTROVERSIAL
    return Verdict.UNDECIDED


def idea_result(
    proposals: Iterable[int],
    ballots: Iterable[Ballot],
    groups: Mapping[int, int],
    people: Sequence[Person],
    seed: int = SEED,
) -> IdeaResult:
    """The results of one big idea. `ballots` may cover the whole consultation (those on other
    proposals are left out); `groups` gives a participant's opinion group (absent or -1: not
    placed); `people` are the counted participants (simulated ones left out by the caller)."""
    members = set(proposals)
    counted = {p.id for p in people}
    mine = [b for b in ballots if b.proposal_id in members and b.participant_id in counted]
    per_person: dict[int, Counter] = defaultdict(Counter)
    per_proposal: dict[int, Counter] = defaultdict(Counter)
    per_group: dict[int, Counter] = defaultdict(Counter)
    for b in mine:
        per_person[b.participant_id][b.choice] += 1
        per_proposal[b.proposal_id][b.choice] += 1
        if (g := groups.get(b.participant_id, -1)) >= 0:
            per_group[g][b.choice] += 1
    agree = sum(c["agree"] for c in per_person.values())
    disagree = sum(c["disagree"] for c in per_person.values())
    skip = sum(c["skip"] for c in per_person.values())
    agrees = np.array([c["agree"] for c in per_person.values()], dtype=float)
    decided = np.array([c["agree"] + c["disagree"] for c in per_person.values()], dtype=float)
    low, high = pooled_interval(agrees, decided, seed=seed)
    controversy = 2 * min(low, 1 - high) if agree + disagree else 0.0
    group_votes = [
        GroupVotes(g, c["agree"], c["disagree"], c["skip"]) for g, c in sorted(per_group.items())
    ]
    return IdeaResult(
        proposals=sorted(members),
        residents=len(per_person),
        agree=agree,
        disagree=disagree,
        skip=skip,
        agree_rate=agree / (agree + disagree) if agree + disagree else None,
        agree_low=low,
        agree_high=high,
        consensus=_consensus(group_votes, agree, agree + disagree + skip),
        controversy=controversy,
        verdict=verdict(int((decided > 0).sum()), low, high, controversy),
        groups=group_votes,
        participation=participation(
            [p for p in people if p.id in per_person],
            mine,
        ),
        most_supported=_most_supported(per_proposal),
    )


def _consensus(groups: list[GroupVotes], agree: int, votes: int) -> float:
    """As api/results.py for a proposal: every opinion group must agree; without groups, the
    smoothed agree share of all."""
    if not groups:
        return analysis.smoothed_agree(agree, votes)
    shares = [analysis.smoothed_agree(g.agree, g.agree + g.disagree + g.skip) for g in groups]
    return float(np.prod(shares))


def _most_supported(per_proposal: dict[int, Counter]) -> list[ProposalSupport]:
    support = [
        ProposalSupport(
            pid,
            c["agree"],
            c["disagree"],
            c["skip"],
            analysis.wilson(c["agree"], c["agree"] + c["disagree"])[0],
        )
        for pid, c in per_proposal.items()
    ]
    support.sort(key=lambda s: (-s.agree_low, -(s.agree + s.disagree + s.skip), s.id))
    return support[:TOP]
