"""The dialog's answers to what only a call brings: the call answered, silence, hanging up."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from dialogs import Ask, Context, HungUp, Opened, Phase, Prompt, Say, Session, Stage, Text, step
from tests.dialogs.helpers import CTX

PHONE = replace(CTX, spoken=True)


def test_a_newcomer_hears_the_language_menu_alone_then_the_welcome() -> None:
    menu = step(Session(queue=[7, 9]), Opened(), PHONE)
    assert [type(r) for r in menu.replies] == [Ask]
    assert [o.key for o in menu.replies[0].options] == ["fr", "en"]
    chosen = step(menu.session, Text("2"), PHONE)
    assert chosen.replies[0].text.startswith("Hello! How could life be improved?")
    assert chosen.replies[-1].about == 7


def test_a_known_caller_is_welcomed_back_to_the_proposal_they_left() -> None:
    session = Session(language="fr", stage=Stage.VOTING, current=9, answered=4, silences=1)
    turn = step(session, Opened(), PHONE)
    assert turn.replies[0] == Say("Bon retour ! Vous avez répondu à 4 propositions.")
    assert turn.replies[-1].about == 9
    assert turn.session.silences == 0  # a new call starts with a clean slate


@pytest.mark.parametrize(("spoken", "goodbye"), [(True, "Rappelez"), (False, "Écrivez-nous")])
def test_silence_repeats_the_question_once_then_says_goodbye(spoken: bool, goodbye: str) -> None:
    ctx = replace(CTX, spoken=spoken)
    session = Session(language="fr", stage=Stage.VOTING, current=7)
    again = step(session, Text(""), ctx)
    assert again.replies[-1].about == 7 and not again.effects
    bye = step(again.session, Text(""), ctx)
    assert [type(r) for r in bye.replies] == [Say] and goodbye in bye.replies[0].text
    assert bye.session.current == 7  # nothing lost: the next contact asks the same proposal


def test_an_answer_between_two_silences_starts_the_count_again() -> None:
    session = Session(language="fr", stage=Stage.VOTING, current=7, queue=[9])
    turn = step(session, Text(""), PHONE)
    turn = step(turn.session, Text("1"), PHONE)
    turn = step(turn.session, Text(""), PHONE)
    assert turn.replies[-1].about == 9  # asked again, not goodbye


def test_hanging_up_drops_an_unconfirmed_idea_and_says_nothing() -> None:
    session = Session(language="fr", stage=Stage.IDEA_CONFIRMING, draft="Des bancs", current=7)
    turn = step(session, HungUp(), PHONE)
    assert (turn.replies, turn.effects) == ((), ())
    assert (turn.session.stage, turn.session.draft) == (Stage.VOTING, None)


def test_on_the_phone_an_idea_is_said_and_a_misheard_one_recorded() -> None:
    session = Session(language="fr", stage=Stage.IDEA_CONFIRMING, draft="des fond tenir")
    turn = step(session, Text("2"), PHONE)
    assert turn.replies == (
        Prompt("Dites votre idée après le bip. Tapez dièse quand vous avez fini.", record=True),
    )
    by_sms = step(session, Text("2"), CTX)
    assert not by_sms.replies[0].record and by_sms.replies[0].text.startswith("Écrivez")


@pytest.mark.parametrize(
    "ctx",
    [
        replace(PHONE, phase=Phase.BEFORE),
        replace(PHONE, phase=Phase.BEFORE, opens_at=datetime(2031, 3, 1, tzinfo=UTC)),
        replace(PHONE, ideas_closed=True),
    ],
    ids=["not-open-yet", "opens-on", "ideas-for-today"],
)
def test_lines_that_send_a_caller_away_tell_them_to_call_again(ctx: Context) -> None:
    session = Session(language="en", stage=Stage.IDEA_WRITING, current=7)
    turn = step(session, Text("We need more benches in the parks please"), ctx)
    said = turn.replies[0].text.lower()
    assert "call" in said and "write" not in said and "send" not in said, said
