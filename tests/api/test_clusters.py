"""Suggested big ideas (api/clusters.py) and the bench's measure of them (bench/grouping.py)."""

from api.clusters import ProposalText, Vote, group_count, suggest, text_for, words
from bench.grouping import moves, separation


def test_moves_counts_single_moves_and_merges():
    assert moves([0, 0, 1, 1], ["a", "a", "b", "b"]) == 0
    # one proposal in the wrong group: one move
    assert moves([0, 0, 0, 1], ["a", "a", "b", "b"]) == 1
    # one big idea cut in two: one merge
    assert moves([0, 0, 1, 1], ["a", "a", "a", "a"]) == 1
    # two big ideas lumped together: the smaller part moves out, one by one
    assert moves([0, 0, 0, 0, 0], ["a", "a", "a", "b", "b"]) == 2
    # three suggested groups for one big idea, one stray: two merges and one move
    assert moves([0, 1, 2, 2, 3], ["a", "a", "a", "b", "a"]) == 3


def test_separation_is_high_when_groups_follow_the_votes():
    import numpy as np

    similar = np.array([[1, 0.9, 0, 0], [0.9, 1, 0, 0], [0, 0, 1, 0.8], [0, 0, 0.8, 1]])
    assert separation([0, 0, 1, 1], similar) > 0.8
    assert separation([0, 1, 0, 1], similar) < 0


def test_text_in_the_default_language_where_a_translation_exists():
    assert text_for("More buses", "en", {"fr": "Plus de bus"}, "fr") == "Plus de bus"
    assert text_for("Mehr Busse", "de", {"en": "More buses"}, "fr") == "Mehr Busse"
    assert text_for("Plus de bus", "fr", {"en": "More buses"}, "fr") == "Plus de bus"


def test_words_fold_accents_and_leave_common_words_out():
    assert words("Il faut végétaliser les écoles du 11e !") == ["vegetaliser", "ecoles"]


def test_proposals_that_say_the_same_thing_are_suggested_together():
    proposals = [
        ProposalText(1, "Il faut plus de pistes cyclables"),
        ProposalText(2, "Il faut des pistes cyclables protégées"),
        ProposalText(3, "Il faut rénover les écoles du quartier"),
        ProposalText(4, "Il faut rénover les écoles maternelles"),
        ProposalText(5, "Il faut planter des arbres dans les rues"),
        ProposalText(6, "Il faut planter des arbres fruitiers"),
    ]
    suggestions = suggest(proposals, n_groups=3)
    assert sorted(s.proposals for s in suggestions) == [[1, 2], [3, 4], [5, 6]]
    by_first = {s.proposals[0]: s for s in suggestions}
    assert by_first[1].shared_words == ["cyclables", "pistes"]
    assert by_first[3].shared_words[:2] == ["ecoles", "renover"]
    assert by_first[5].title == "arbres, planter"


def test_proposals_agreed_by_the_same_residents_are_suggested_together():
    """No word in common: only the votes tell that 10 and 11 go together, and 12 with 13."""
    proposals = [
        ProposalText(10, "Ouvrir la piscine le dimanche"),
        ProposalText(11, "Un marché bio le samedi"),
        ProposalText(12, "Davantage de parkings gratuits"),
        ProposalText(13, "Élargir la rocade"),
    ]
    votes = []
    for resident in range(20):
        first = resident < 10  # two camps of residents
        for pid in (10, 11):
            votes.append(Vote(resident, pid, "agree" if first else "disagree"))
        for pid in (12, 13):
            votes.append(Vote(resident, pid, "disagree" if first else "agree"))
    suggestions = suggest(proposals, votes, n_groups=2)
    assert sorted(s.proposals for s in suggestions) == [[10, 11], [12, 13]]
    assert all(s.shared_voters == 10 for s in suggestions)
    assert all(s.shared_words == [] for s in suggestions)


def test_every_proposal_lands_in_exactly_one_suggestion():
    proposals = [ProposalText(i, f"Proposition numéro {i} sur le thème {i % 4}") for i in range(50)]
    suggestions = suggest(proposals)
    placed = [pid for s in suggestions for pid in s.proposals]
    assert sorted(placed) == list(range(50))
    assert len(suggestions) == group_count(50) == 7


def test_nothing_to_group():
    assert suggest([]) == []
    assert suggest([ProposalText(1, "???")])[0].proposals == [1]
