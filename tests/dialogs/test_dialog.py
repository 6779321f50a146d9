"""The dialog alone: pure steps, no network, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from dialogs import (
    Ask,
    CastBallot,
    Choice,
    Context,
    District,
    Erase,
    Media,
    OptIn,
    OptOut,
    Phase,
    Press,
    ProposalView,
    Say,
    Session,
    SetProfile,
    SubmitIdea,
    Text,
    Turn,
    step,
)
from dialogs.session import Stage
from dialogs.words import Intent, normalise, understand
from tests.dialogs.helpers import CTX, run, run_events


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


def test_nothing_left_to_vote_on_says_so_and_offers_an_idea_once() -> None:
    _, done, later = run(Session(queue=[7]), "Bonjour", "1", "2")
    assert "Vous avez vu toutes les propositions" in done.replies[1].text
    assert isinstance(done.replies[-1], Ask) and done.session.stage is Stage.IDEA_OFFERED
    assert later.session.stage is Stage.HEAR_BACK  # not offered again; may we write later?
    assert [r.text for r in later.replies[:-1]] == [done.replies[1].text]


def test_an_idea_is_read_back_and_sent_only_when_confirmed() -> None:
    turns = run(Session(queue=[7, 9]), "Bonjour", "Il faut des toilettes publiques au parc", "1")
    assert turns[1].effects == () and turns[1].session.draft
    assert turns[2].effects == (SubmitIdea("Il faut des toilettes publiques au parc", "fr"),)
    assert turns[2].session.current == 7  # back to the proposal the resident was answering


def test_a_picture_without_words_is_answered() -> None:
    _, turn = run_events(Session(queue=[7]), Text("Bonjour"), Media())
    assert "texte" in turn.replies[0].text and isinstance(turn.replies[-1], Ask)


def test_before_opening_and_after_closing_the_calendar_is_told() -> None:
    opens = datetime(2027, 3, 1, 8, tzinfo=UTC)
    before = replace(CTX, phase=Phase.BEFORE, opens_at=opens)
    (turn,) = [step(Session(queue=[7]), Text("Bonjour"), before)]
    assert turn.replies == (
        Say("La consultation ouvre le 1 mars 2027. Réécrivez-nous à partir de ce jour !"),
    )
    assert turn.session.stage is Stage.NEW  # welcomed properly once it opens
    closed = replace(
        CTX, phase=Phase.CLOSED, closes_at=opens, next_steps={"fr": "Résultats en mai."}
    )
    (turn,) = [step(Session(queue=[7]), Text("1"), closed)]
    assert turn.replies[0].text.endswith("participé ! Résultats en mai.")
    assert turn.effects == ()


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
    assert understand("٢", "fr", ("fr", "en")).number == 2  # Arabic-Indic two
    assert understand("Stop.", "en", ("fr", "en")).intent is Intent.STOP
    assert understand("arrêt", "en", ("fr", "en")).intent is Intent.STOP  # French STOP in English
    assert understand("oui oui", "fr", ("fr", "en")).intent is Intent.AGREE  # said twice
    assert understand("oui et non", "fr", ("fr", "en")).intent is Intent.UNCLEAR


DISTRICTS = (District("bourtzwiller", "Bourtzwiller"), District("dornach", "Dornach"))
MANY = replace(
    CTX,
    proposals={i: ProposalView(i, "fr", f"Il faut la chose {i}.") for i in range(1, 9)},
    districts=DISTRICTS,
)


def vote_through(ctx: Context, *texts: str) -> list[Turn]:
    session = Session(queue=list(range(1, 9)))
    turns = []
    for text in ("Bonjour", "1", "1", "1", "2", "1", "1", *texts):  # 5 votes, idea declined
        turn = step(session, Text(text), ctx)
        turns.append(turn)
        session = turn.session
    return turns[7:]


def test_the_profile_is_asked_once_after_five_votes_each_part_skippable() -> None:
    district, age = vote_through(MANY, "2", "3")
    assert district.session.stage is Stage.AGE and district.effects == ()
    assert age.effects == (SetProfile(district="dornach", age_band="30-44"),)
    assert age.session.stage is Stage.VOTING and age.session.district is None


def test_a_skipped_profile_records_nothing() -> None:
    district, age = vote_through(MANY, "0", "0")
    assert district.session.stage is Stage.AGE
    assert age.effects == () and age.session.stage is Stage.VOTING


def test_a_child_with_a_parents_agreement_gives_a_profile_without_it_none() -> None:
    _, _, agreed = vote_through(MANY, "Bourtzwiller", "1", "oui")
    assert agreed.effects == (SetProfile(district="bourtzwiller", age_band="under-15"),)
    _, _, refused = vote_through(MANY, "1", "1", "2")
    assert refused.effects == ()
    assert "aucune information" in refused.replies[0].text


def test_qualifications_are_asked_only_where_the_channel_wants_them() -> None:
    qualify = replace(CTX, qualify=True)
    session = step(Session(queue=[7, 9]), Text("Bonjour"), qualify).session
    voted = step(session, Text("1"), qualify)
    assert voted.session.stage is Stage.QUALIFYING
    assert [o.key for o in voted.replies[-1].options] == [
        "favourite",
        "realistic",
        "platitude",
        "go_on",
    ]
    qualified = step(voted.session, Text("2"), qualify)
    assert qualified.effects == (CastBallot(7, "agree", "realistic"),)
    assert qualified.session.current == 9
    assert step(session, Text("1"), CTX).session.stage is Stage.VOTING  # SMS: no question


def test_a_stale_button_changes_nothing() -> None:
    session = step(Session(queue=[7, 9]), Text("Bonjour"), CTX).session
    stale = step(session, Press("agree", about=9), CTX)
    assert stale.effects == () and stale.session.current == 7
    fresh = step(session, Press("disagree", about=7), CTX)
    assert fresh.effects == (CastBallot(7, "disagree"),)


def test_a_resident_back_after_a_pause_is_welcomed_back() -> None:
    start = datetime(2026, 11, 25, 9, tzinfo=UTC)
    session = step(Session(queue=[7, 9]), Text("Bonjour"), replace(CTX, now=start)).session
    session = step(session, Text("1"), replace(CTX, now=start)).session
    later = replace(CTX, now=start.replace(day=27))
    turn = step(session, Text("euh"), later)
    assert turn.replies[0].text == "Bon retour ! Vous avez répondu à 1 proposition."
    assert "Il faut des arbres." in turn.replies[-1].text


def test_an_uncertain_first_text_gets_the_language_menu_and_a_hint_is_followed() -> None:
    menu = step(Session(queue=[7]), Text("kto tam jest"), CTX)
    assert menu.session.stage is Stage.LANGUAGE
    assert [o.label for o in menu.replies[-1].options] == ["Français", "English"]
    hinted = step(Session(queue=[7]), Text("I would like to vote", hint="en"), CTX)
    assert hinted.session.language == "en" and "We need benches." in hinted.replies[-1].text
    # The detector found the default language itself: that is not a doubt, no menu.
    found = step(Session(queue=[7]), Text("je voudrais donner mon avis", hint="fr"), CTX)
    assert found.session.stage is Stage.VOTING and "Il faut des bancs." in found.replies[-1].text
    # "ok", a digit, an emoji tell no language: the default, and the menu to choose another.
    for unplaced in ("ok", "1", "👍"):
        turn = step(Session(queue=[7]), Text(unplaced), CTX)
        assert turn.session.language == "fr" and turn.session.stage is Stage.LANGUAGE, unplaced


def test_erase_asks_first_then_forgets_everything() -> None:
    session = step(Session(queue=[7, 9]), Text("Bonjour"), CTX).session
    session = step(session, Text("1"), CTX).session
    asked = step(session, Text("effacer"), CTX)
    assert asked.effects == () and asked.session.stage is Stage.ERASING
    kept = step(asked.session, Text("2"), CTX)
    assert kept.effects == () and kept.session.answered == 1
    erased = step(asked.session, Text("1"), CTX)
    assert erased.effects == (Erase(),)
    assert erased.session.answered == 0 and erased.session.stage is Stage.NEW


def test_a_recorded_idea_is_read_back_and_sent_with_its_recording() -> None:
    session = step(Session(queue=[7]), Text("Bonjour"), CTX).session
    asked = step(session, Text("idée"), CTX).session
    heard = step(asked, Text("", audio="voice-note-42", audio_seconds=40.0), CTX)
    assert heard.replies[-1].text == 'Votre idée : "votre message vocal"'
    sent = step(heard.session, Text("1"), CTX)
    assert sent.effects == (SubmitIdea("", "fr", audio="voice-note-42"),)
    assert "écouter votre message vocal" in sent.replies[0].text


def test_a_voice_message_where_a_vote_is_expected_explains_the_buttons() -> None:
    session = step(Session(queue=[7]), Text("Bonjour"), CTX).session
    heard = step(session, Text("", audio="voice-note-43"), CTX)
    assert heard.effects == () and heard.session.stage is Stage.VOTING
    [ask] = heard.replies
    assert ask.text.startswith("Pour répondre, touchez un bouton") and ask.about == 7
    assert [o.key for o in ask.options] == ["agree", "disagree", "skip"]


def test_a_voice_message_too_long_is_not_taken_and_its_limit_said() -> None:
    session = step(Session(queue=[7]), Text("Bonjour"), CTX).session
    writing = step(session, Text("idée"), CTX).session
    heard = step(writing, Text("", audio="voice-note-44", audio_seconds=181.0), CTX)
    assert heard.effects == () and heard.session.draft_audio is None
    assert heard.replies[0].text.startswith("Votre message vocal est trop long")
    assert "3 minutes" in heard.replies[0].text


def test_zero_asks_the_question_again() -> None:
    session = step(Session(queue=[7]), Text("Bonjour"), CTX).session
    again = step(session, Text("0"), CTX)
    assert again.effects == () and "Il faut des bancs." in again.replies[-1].text
