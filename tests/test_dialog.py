"""The dialog alone: pure steps, no network, no database."""

from __future__ import annotations

from dialogs import (
    Ask,
    CastBallot,
    Choice,
    Context,
    OptIn,
    OptOut,
    ProposalView,
    Say,
    Session,
    Text,
    step,
)
from dialogs.session import Stage
from dialogs.words import Intent, normalise, understand

CTX = Context(
    question={"fr": "Comment améliorer la vie à Mulhouse ?", "en": "How could life be improved?"},
    languages=("fr", "en"),
    default_language="fr",
    proposals={
        7: ProposalView(7, "fr", "Il faut des bancs.", {"en": "We need benches."}),
        9: ProposalView(9, "fr", "Il faut des arbres."),
    },
)


def run(session: Session, *texts: str):  # noqa: ANN201
    turns = []
    for text in texts:
        turn = step(session, Text(text), CTX)
        turns.append(turn)
        session = turn.session
    return turns


def test_a_greeting_welcomes_and_asks_the_first_proposal() -> None:
    (turn,) = run(Session(queue=[7, 9]), "Bonjour")
    assert turn.session.stage is Stage.VOTING and turn.session.current == 7
    assert isinstance(turn.replies[-1], Ask)
    assert "Il faut des bancs." in turn.replies[-1].text
    assert [o.key for o in turn.replies[-1].options] == ["agree", "disagree", "skip"]


def test_a_vote_is_an_effect_and_moves_on() -> None:
    _, turn = run(Session(queue=[7, 9]), "Bonjour", "2")
    assert turn.effects == (CastBallot(7, Choice.DISAGREE),)
    assert turn.session.current == 9 and turn.session.answered == 1


def test_step_does_not_change_the_session_it_was_given() -> None:
    session = Session(queue=[7, 9])
    step(session, Text("Bonjour"), CTX)
    assert session == Session(queue=[7, 9])


def test_an_english_greeting_chooses_english_and_translations() -> None:
    (turn,) = run(Session(queue=[7]), "hello!")
    assert turn.session.language == "en"
    assert "We need benches." in turn.replies[-1].text


def test_a_proposal_no_longer_available_is_passed_over() -> None:
    (turn,) = run(Session(queue=[404, 9]), "Bonjour")
    assert turn.session.current == 9


def test_stop_then_silence_then_start() -> None:
    turns = run(Session(queue=[7, 9]), "Bonjour", "STOP", "1", "aide", "start")
    assert turns[1].effects == (OptOut(),)
    assert turns[2].replies == () and turns[2].effects == ()
    assert turns[3].replies == ()
    assert turns[4].effects == (OptIn(),)
    assert "Il faut des bancs." in turns[4].replies[-1].text


def test_nothing_left_to_vote_on_says_so() -> None:
    _, turn = run(Session(queue=[7]), "Bonjour", "1")
    assert turn.session.stage is Stage.DONE
    assert isinstance(turn.replies[-1], Say) and "Merci" in turn.replies[-1].text


def test_a_session_is_small_and_round_trips() -> None:
    session = Session(
        language="fr", stage=Stage.VOTING, current=512, queue=[513, 514, 515, 516, 517], answered=42
    )
    raw = session.to_bytes()
    assert len(raw) < 120
    assert Session.from_bytes(raw) == session


def test_replies_are_read_whatever_the_case_accents_and_digits() -> None:
    assert normalise("  Pas D’ACCORD !! ") == "pas daccord"
    assert understand("PAS d'accord", "fr", ("fr", "en")).intent is Intent.DISAGREE
    assert understand("٢", "fr", ("fr", "en")).intent is Intent.DISAGREE  # Arabic-Indic two
    assert understand("Stop.", "en", ("fr", "en")).intent is Intent.STOP
    assert understand("arrêt", "en", ("fr", "en")).intent is Intent.STOP  # French STOP in English
    assert understand("oui oui", "fr", ("fr", "en")).intent is Intent.UNKNOWN
