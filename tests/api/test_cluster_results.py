"""Results per big idea (api/cluster_results.py) against figures computed by hand."""

import pytest

from api import analysis
from api.cluster_results import (
    Ballot,
    Person,
    Verdict,
    idea_result,
    pooled_interval,
    verdict,
)


def ballots_of(votes: dict[int, dict[int, str]], channel: str = "sms") -> list[Ballot]:
    """{participant: {proposal: choice}} -> ballots."""
    return [
        Ballot(person, proposal, choice, channel)
        for person, theirs in votes.items()
        for proposal, choice in theirs.items()
    ]


def test_agreement_is_pooled_over_the_ideas_proposals_only():
    people = [Person(i) for i in range(1, 5)]
    ballots = ballots_of(
        {
            1: {10: "agree", 11: "agree", 99: "disagree"},  # 99 is another idea's
            2: {10: "agree", 11: "disagree"},
            3: {10: "disagree", 11: "skip"},
            4: {99: "agree"},
        }
    )
    result = idea_result([10, 11], ballots, {}, people)
    # 3 agree, 2 disagree, 1 skip on proposals 10 and 11; residents 1, 2, 3
    assert (result.agree, result.disagree, result.skip) == (3, 2, 1)
    assert result.residents == 3
    assert result.agree_rate == pytest.approx(3 / 5)
    assert result.proposals == [10, 11]


def test_the_interval_counts_residents_not_ballots():
    """20 residents, 5 ballots each on the idea: 10 agree with all, 10 disagree with all.
    Drawing residents, the agree share is a Binomial(20, 1/2) / 20, whose 2.5 % and 97.5 %
    quantiles are 6/20 and 14/20 (P(X <= 5) = 0.021, P(X <= 6) = 0.058). Counting the 100
    ballots as independent would claim far more precision: Wilson gives 0.40 to 0.60.
    2,000 draws estimate those quantiles to within one step of 1/20 (P(X <= 5) is near 2.5 %)."""
    votes = {
        person: {p: ("agree" if person < 10 else "disagree") for p in range(5)}
        for person in range(20)
    }
    result = idea_result(range(5), ballots_of(votes), {}, [Person(i) for i in range(20)])
    assert result.agree_low in (0.25, 0.30) and result.agree_high in (0.70, 0.75)
    wilson_low, wilson_high = analysis.wilson(50, 100)
    assert wilson_low == pytest.approx(0.404, abs=1e-3) and wilson_high == pytest.approx(
        0.596, abs=1e-3
    )
    # each side holds at least a quarter: controversy 2 x the minority's lower bound
    assert result.controversy == pytest.approx(2 * min(result.agree_low, 1 - result.agree_high))
    assert result.controversy >= 0.5


def test_the_interval_is_reproducible_and_seeded():
    agrees = [3, 0, 2, 1, 4, 0, 2]
    decided = [4, 2, 2, 3, 4, 1, 3]
    import numpy as np

    a, d = np.array(agrees, float), np.array(decided, float)
    assert pooled_interval(a, d) == pooled_interval(a, d)
    low, high = pooled_interval(a, d)
    assert low < sum(agrees) / sum(decided) < high
    assert pooled_interval(np.array([]), np.array([])) == (0.0, 1.0)


def test_consensus_needs_every_opinion_group():
    """Group 0 (residents 1, 2) agrees with both proposals; group 1 (residents 3, 4) agrees
    once and disagrees three times. Smoothed shares: (4 + 1) / (4 + 2) = 5/6 and
    (1 + 1) / (4 + 2) = 1/3; consensus 5/6 x 1/3 = 5/18."""
    votes = {
        1: {1: "agree", 2: "agree"},
        2: {1: "agree", 2: "agree"},
        3: {1: "agree", 2: "disagree"},
        4: {1: "disagree", 2: "disagree"},
    }
    groups = {1: 0, 2: 0, 3: 1, 4: 1}
    result = idea_result([1, 2], ballots_of(votes), groups, [Person(i) for i in range(1, 5)])
    assert result.consensus == pytest.approx(5 / 18)
    assert [(g.group, g.agree, g.disagree) for g in result.groups] == [(0, 4, 0), (1, 1, 3)]
    # without opinion groups: the smoothed share of all, (5 + 1) / (8 + 2)
    assert idea_result(
        [1, 2], ballots_of(votes), {}, [Person(i) for i in range(1, 5)]
    ).consensus == pytest.approx(0.6)


def test_participation_by_channel_and_profile():
    people = [
        Person(1, language="fr", district="Bourtzwiller", age_band="25-34", centre="csb"),
        Person(2, language="ar", district="Bourtzwiller"),
        Person(3, language="fr", district="Drouot"),
        Person(4, language="tr"),  # voted on another idea only
    ]
    ballots = [
        Ballot(1, 10, "agree", "sms"),
        Ballot(1, 11, "agree", "sms"),
        Ballot(2, 10, "disagree", "voice"),
        Ballot(3, 11, "skip", "telegram"),
        Ballot(4, 99, "agree", "sms"),
    ]
    result = idea_result([10, 11], ballots, {}, people)
    by = {
        part: {k: (v.participants, v.ballots) for k, v in d.items()}
        for part, d in result.participation.items()
    }
    assert by["channel"] == {"sms": (1, 2), "telegram": (1, 1), "voice": (1, 1)}
    assert by["district"] == {"Bourtzwiller": (2, 3), "Drouot": (1, 1)}
    assert by["language"] == {"ar": (1, 1), "fr": (2, 3)}
    assert by["age_band"] == {"25-34": (1, 2), "unknown": (2, 2)}
    assert by["centre"] == {"csb": (1, 2), "unknown": (2, 2)}


def test_uncounted_participants_are_left_out():
    """The caller passes the counted people (no simulated ones): other ballots do not count."""
    ballots = ballots_of({1: {10: "agree"}, 2: {10: "disagree"}})
    result = idea_result([10], ballots, {}, [Person(1)])
    assert (result.agree, result.disagree, result.residents) == (1, 0, 1)


def test_most_supported_proposals_by_wilson_lower_bound():
    """Proposal 1: 3 agrees of 3 (Wilson low 0.44); proposal 2: 18 of 20 (0.70); proposal 3:
    9 of 20 (0.26): 2 first, though 1 has the higher share."""
    votes = {}
    for person in range(20):
        votes[person] = {
            2: "agree" if person < 18 else "disagree",
            3: "agree" if person < 9 else "disagree",
        }
        if person < 3:
            votes[person][1] = "agree"
    result = idea_result([1, 2, 3], ballots_of(votes), {}, [Person(i) for i in range(20)])
    assert [s.id for s in result.most_supported] == [2, 1, 3]
    assert result.most_supported[0].agree_low == pytest.approx(analysis.wilson(18, 20)[0])
    assert analysis.wilson(3, 3)[0] == pytest.approx(0.438, abs=1e-3)


@pytest.mark.parametrize(
    ("residents", "low", "high", "controversy", "expected"),
    [
        (100, 0.70, 0.80, 0.40, Verdict.WIDELY_SUPPORTED),
        (100, 2 / 3, 0.75, 0.50, Verdict.WIDELY_SUPPORTED),  # the threshold itself
        (100, 0.20, 0.30, 0.40, Verdict.REJECTED),
        (100, 0.40, 0.60, 0.80, Verdict.CONTROVERSIAL),
        (100, 0.55, 0.75, 0.50, Verdict.UNDECIDED),  # in between
        (19, 0.90, 1.00, 0.00, Verdict.UNDECIDED),  # too few residents to say
    ],
)
def test_the_classification_thresholds(residents, low, high, controversy, expected):
    assert verdict(residents, low, high, controversy) == expected


def test_widely_supported_and_rejected_ideas():
    people = [Person(i) for i in range(40)]
    loved = ballots_of({i: {1: "agree" if i < 38 else "disagree"} for i in range(40)})
    assert idea_result([1], loved, {}, people).verdict == Verdict.WIDELY_SUPPORTED
    hated = ballots_of({i: {1: "agree" if i < 4 else "disagree"} for i in range(40)})
    assert idea_result([1], hated, {}, people).verdict == Verdict.REJECTED
    split = ballots_of({i: {1: "agree" if i % 2 else "disagree", 2: "skip"} for i in range(60)})
    assert idea_result([1, 2], split, {}, [Person(i) for i in range(60)]).verdict == (
        Verdict.CONTROVERSIAL
    )
    nobody = idea_result([1], [], {}, people)
    assert (nobody.agree_rate, nobody.agree_low, nobody.agree_high) == (None, 0.0, 1.0)
    assert nobody.verdict == Verdict.UNDECIDED and nobody.controversy == 0.0
