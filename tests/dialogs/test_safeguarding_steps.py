"""A disclosure of danger in the dialog alone: the help numbers at once, the disclosure to
moderators, an idea never swallowed, and on the phone the numbers said slowly and again."""

from __future__ import annotations

from dataclasses import replace

from dialogs import Ask, Context, ProposalView, Say, Session, SubmitIdea, Text, step
from dialogs.session import Stage

CTX = Context(
    question={"fr": "Comment améliorer la vie à Mulhouse ?", "en": "How could life be improved?"},
    languages=("fr", "en"),
    default_language="fr",
    proposals={7: ProposalView(7, "fr", "Il faut des bancs.")},
    safeguarding={"fr": "Urgence : 15 ou 112. Violences femmes : 3919.", "en": "Emergency: 112."},
    qualify=False,
)
PHONE = replace(CTX, spoken=True)
ALERT_FLAGS = ("safeguarding", "disclosure")


def voting() -> Session:
    return Session(language="fr", stage=Stage.VOTING, current=7, answered=1)


def help_numbers(turn) -> Say:  # noqa: ANN001
    first = turn.replies[0]
    assert isinstance(first, Say) and "3919" in first.text, turn.replies
    return first


def test_a_disclosure_gets_the_numbers_and_the_question_again() -> None:
    turn = step(voting(), Text("mon mari me frappe"), CTX)
    help_numbers(turn)
    assert isinstance(turn.replies[-1], Ask) and "Il faut des bancs." in turn.replies[-1].text
    assert turn.effects == (SubmitIdea("mon mari me frappe", "fr", flags=ALERT_FLAGS),)
    assert turn.session.stage is Stage.VOTING and turn.session.draft is None


def test_a_disclosure_in_another_offered_language_is_heard() -> None:
    turn = step(voting(), Text("my husband hits me"), CTX)
    help_numbers(turn)
    assert turn.effects[0].flags == ALERT_FLAGS


def test_an_idea_written_with_a_disclosure_is_read_back_after_the_numbers_and_sent_once() -> None:
    writing = replace(voting(), stage=Stage.IDEA_WRITING)
    text = "Il faut un foyer, mon mari me frappe"
    turn = step(writing, Text(text), CTX)
    help_numbers(turn)
    assert turn.replies[-1].text.startswith(f'Votre idée : "{text}"')
    assert turn.effects == (SubmitIdea(text, "fr", flags=ALERT_FLAGS),)
    assert turn.session.stage is Stage.IDEA_CONFIRMING and turn.session.draft == text
    sent = step(turn.session, Text("1"), CTX)
    assert sent.effects == (SubmitIdea(text, "fr"),)  # its own proposal, no flag, once


def test_a_proposal_that_discloses_is_read_back_even_when_not_asked_for() -> None:
    text = "Il faut plus de foyers, je dors dans la rue depuis une semaine"
    turn = step(voting(), Text(text), CTX)
    help_numbers(turn)
    assert turn.session.stage is Stage.IDEA_CONFIRMING and turn.session.draft == text


def test_a_newcomer_who_discloses_gets_the_numbers_then_the_first_proposal() -> None:
    turn = step(Session(queue=[7]), Text("il me frappe tous les soirs"), CTX)
    help_numbers(turn)
    assert "Il faut des bancs." in turn.replies[-1].text
    assert turn.session.stage is Stage.VOTING


def test_a_proposal_on_a_hard_subject_is_read_back_without_the_numbers() -> None:
    text = "Une campagne contre le suicide des jeunes"
    turn = step(voting(), Text(text), CTX)
    assert turn.replies[0].text.startswith(f'Votre idée : "{text}"')
    assert turn.effects == () and not turn.session.helped


def test_the_numbers_are_said_slowly_on_the_phone_and_zero_says_them_again() -> None:
    turn = step(voting(), Text("mon mari me frappe"), PHONE)
    numbers = help_numbers(turn)
    assert numbers.slow and numbers.text.endswith("Pour réécouter ces numéros, tapez 0.")
    again = step(turn.session, Text("0"), PHONE)
    assert help_numbers(again).text == numbers.text
    assert again.effects == ()  # heard again, not sent again
    assert isinstance(again.replies[-1], Ask)


def test_by_sms_the_numbers_say_nothing_of_pressing_zero() -> None:
    numbers = help_numbers(step(voting(), Text("mon mari me frappe"), CTX))
    assert "tapez 0" not in numbers.text and not numbers.text.endswith("0.")


def test_zero_says_only_the_question_again_when_no_numbers_were_just_given() -> None:
    turn = step(voting(), Text("0"), PHONE)
    assert "3919" not in " ".join(r.text for r in turn.replies)


def test_silence_after_the_numbers_says_them_again_then_goodbye() -> None:
    turn = step(voting(), Text("mon mari me frappe"), PHONE)
    silent = step(turn.session, Text(""), PHONE)
    help_numbers(silent)
    goodbye = step(silent.session, Text(""), PHONE)
    assert "3919" not in " ".join(r.text for r in goodbye.replies)


def test_on_the_phone_zero_is_not_offered_for_the_numbers_when_it_answers_the_question() -> None:
    qualifying = replace(voting(), stage=Stage.QUALIFYING, current=None, last=7)
    qualifying.last_choice = "agree"
    turn = step(qualifying, Text("mon mari me frappe"), replace(PHONE, qualify=True))
    numbers = help_numbers(turn)
    assert "tapez 0" not in numbers.text
    assert any(d == 0 for d, _ in turn.replies[-1].numbered())  # 0 = go on, there


def test_the_session_keeps_that_the_numbers_were_just_given() -> None:
    turn = step(voting(), Text("mon mari me frappe"), PHONE)
    assert Session.from_bytes(turn.session.to_bytes()).helped is True
    assert Session.from_bytes(voting().to_bytes()).helped is False


def test_on_the_phone_zero_is_not_offered_while_an_idea_is_asked_for_in_words() -> None:
    writing = replace(voting(), stage=Stage.IDEA_WRITING)
    too_long = "Il faut un foyer, mon mari me frappe " + "tous les soirs " * 20
    turn = step(writing, Text(too_long), PHONE)
    assert "tapez 0" not in help_numbers(turn).text
    assert turn.session.stage is Stage.IDEA_WRITING  # asked again, more briefly


def test_a_danger_is_answered_even_when_speech_recognition_was_unsure() -> None:
    turn = step(voting(), Text("mon mari me frappe", confidence=0.2), PHONE)
    help_numbers(turn)
    assert turn.effects[0].flags == ALERT_FLAGS
