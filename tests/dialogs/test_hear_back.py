"""The dialog asks once, at the end, whether we may write about the results and the idea; a
broadcast may ask an evaluation question, answered from 1 to 5."""

from __future__ import annotations

from dataclasses import replace

from dialogs import Ask, Evaluate, HearBack, Phase, Session, SubmitIdea, Text, step
from dialogs.flow import HEAR_BACK_AFTER
from dialogs.session import Stage
from tests.dialogs.helpers import CTX, run

QUESTION = "Voulez-vous recevoir les résultats plus tard, et des nouvelles de votre idée ?"


def _asked(turn) -> bool:  # noqa: ANN001
    return any(isinstance(r, Ask) and r.text == QUESTION for r in turn.replies)


def test_asked_after_an_idea_is_sent_then_back_to_the_proposal() -> None:
    turns = run(Session(queue=[7, 9]), "Bonjour", "Il faut des toilettes publiques au parc", "1")
    sent = turns[-1]
    assert sent.effects == (SubmitIdea("Il faut des toilettes publiques au parc", "fr"),)
    assert _asked(sent) and sent.session.stage is Stage.HEAR_BACK
    (yes,) = run(sent.session, "1")
    assert yes.effects == (HearBack(True),)
    assert "Nous vous écrirons seulement" in yes.replies[0].text
    assert yes.session.stage is Stage.VOTING and yes.session.current == 7


def test_no_is_recorded_too_and_nothing_is_assumed_before_the_answer() -> None:
    turns = run(Session(queue=[7]), "Bonjour", "1", "2")  # vote, decline to write an idea
    assert _asked(turns[-1])
    assert all(not isinstance(e, HearBack) for t in turns for e in t.effects)
    (no,) = run(turns[-1].session, "non")
    assert no.effects == (HearBack(False),) and no.session.stage is Stage.DONE


def test_asked_once_after_enough_votes_never_again() -> None:
    session = Session(language="fr", stage=Stage.VOTING, current=7, queue=[9] * 30, offered="ip")
    session.answered = HEAR_BACK_AFTER - 1
    (vote,) = run(session, "1")
    assert _asked(vote)
    turns = run(vote.session, "2", *["1"] * 5)
    assert not any(_asked(t) for t in turns)
    assert turns[0].effects == (HearBack(False),)


def test_an_answer_not_understood_asks_again() -> None:
    session = Session(language="fr", stage=Stage.HEAR_BACK, offered="iph", queue=[9])
    (turn,) = run(session, "peut-être")
    assert turn.effects == () and turn.session.stage is Stage.HEAR_BACK
    assert [o.label for o in turn.replies[-1].options] == ["Oui", "Non"]


def test_the_question_is_in_every_offered_language() -> None:
    texts = set()
    for language in ("fr", "en"):
        session = Session(language=language, stage=Stage.HEAR_BACK, offered="iph")
        (turn,) = run(session, "0")  # 0 asks the question again
        texts.add(turn.replies[-1].text)
    assert len(texts) == 2 and CTX.languages == ("fr", "en")


def test_a_score_answers_the_evaluation_question_even_once_the_consultation_closed() -> None:
    closed = replace(CTX, phase=Phase.CLOSED)
    session = Session(language="fr", stage=Stage.DONE, evaluating="heard")
    turn = step(session, Text("4"), closed)
    assert turn.effects == (Evaluate("heard", 4),)
    assert [r.text for r in turn.replies] == ["Merci pour votre réponse."]
    assert turn.session.evaluating is None


def test_anything_but_a_score_drops_the_question_and_is_read_as_usual() -> None:
    session = Session(language="fr", stage=Stage.VOTING, current=7, queue=[9], evaluating="heard")
    for text in ("7", "Bonjour"):
        turn = step(session, Text(text), CTX)
        assert not any(isinstance(e, Evaluate) for e in turn.effects)
        assert turn.session.evaluating is None
    (vote,) = run(Session(language="fr", stage=Stage.VOTING, current=7, queue=[9]), "1")
    assert vote.effects[0].proposal_id == 7  # and without a question, 1 is a vote


def test_never_asked_at_a_shared_tablet() -> None:
    """The next resident at a mediator's tablet would be the one we wrote to."""
    tablet = replace(CTX, reachable=False)
    session = Session(queue=[7, 9])
    turns = []
    for text in ("Bonjour", "Il faut des toilettes publiques au parc", "1", "1", "1", "2"):
        turn = step(session, Text(text), tablet)
        turns.append(turn)
        session = turn.session
    assert turns[2].effects == (SubmitIdea("Il faut des toilettes publiques au parc", "fr"),)
    assert not any(_asked(t) for t in turns)
    assert all(t.session.stage is not Stage.HEAR_BACK for t in turns)
