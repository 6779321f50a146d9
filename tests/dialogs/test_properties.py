"""Property-based tests of the dialog and the reply parser (hypothesis): whatever a resident
sends, in any script, the dialog never raises, always leaves a session it can go on from,
never records a vote that was not given, and STOP always stops.

Examples per test: the hypothesis profile in tests/conftest.py (400 in CI).
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from api.text import clean_text
from dialogs import (
    CastBallot,
    Context,
    District,
    Media,
    OptOut,
    Press,
    ProposalView,
    Session,
    Stage,
    SubmitIdea,
    Text,
    step,
)
from dialogs.i18n import translator
from dialogs.words import Intent, keyword_lists, understand

LANGUAGES = ("fr", "en", "de", "ar", "tr", "pt")
CTX = Context(
    question={lang: "?" for lang in LANGUAGES},
    languages=LANGUAGES,
    default_language="fr",
    proposals={
        1: ProposalView(1, "fr", "Il faut des bancs.", {"en": "Benches."}),
        2: ProposalView(2, "tr", "Daha fazla otobüs."),
        3: ProposalView(3, "ar", "حدائق أكثر"),
        4: ProposalView(4, "fr", "Il faut des arbres."),
    },
    districts=(District("bourtzwiller", "Bourtzwiller"), District("dornach", "Dornach")),
    safeguarding={"fr": "15, 112, 3919."},
    qualify=True,
)
SMS_CTX = replace(CTX, qualify=False)
VOTE_KEYS = ("agree", "disagree", "skip")

KEYWORDS = sorted(
    {
        word
        for lang in LANGUAGES
        for words in keyword_lists(lang).values()
        for word in words.split("|")
    }
)
STOP_WORDS = sorted(
    {word for lang in LANGUAGES for word in keyword_lists(lang)[Intent.STOP].split("|")}
)
ODD = [
    "",
    " ",
    "\u200b",
    "\u202e1",  # right-to-left override before a digit
    "1\u200d",
    "٣",
    "۲",
    "١٢",
    "0",
    "00",
    "👍🏾",
    "👎",
    "🤷‍♀️",
    "x" * 1600,
    "Il faut " + "très " * 300,
    "ＳＴＯＰ",
]


def _texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["1", "2", "3", "0", "2"]),  # most replies are digits
        st.sampled_from(KEYWORDS),
        st.sampled_from(ODD),
        st.integers(0, 20).map(str),
        st.text(max_size=40),
        st.text(alphabet=st.characters(categories=["L", "N", "P", "Zs", "Cf", "So"]), max_size=200),
        st.lists(st.sampled_from(KEYWORDS), min_size=2, max_size=6).map(" ".join),
    )


EVENTS = st.one_of(
    _texts().map(Text),
    st.builds(Text, _texts(), hint=st.sampled_from([None, *LANGUAGES, "xx"])),
    st.builds(Text, st.just(""), audio=st.just("rec-1")),
    st.builds(
        Press,
        st.sampled_from([*VOTE_KEYS, "send", "erase", "fr", "ar", "go_on", "favourite", "zz"]),
        st.sampled_from([None, 1, 2, 3, 4, 99]),
    ),
    st.just(Media()),
)


def vote_given(event, before: Session, ballot: CastBallot) -> bool:  # noqa: ANN001
    """Whether the event, in the state it arrived in, says exactly this vote."""
    if before.stage is Stage.QUALIFYING:
        return ballot.proposal_id == before.last and ballot.choice == before.last_choice
    target = before.current if before.stage is Stage.VOTING else before.last
    if before.stage not in (Stage.VOTING, Stage.CHANGING) or ballot.proposal_id != target:
        return False
    if isinstance(event, Press):
        return event.key == ballot.choice and event.about == target
    heard = understand(event.text, before.language or "fr", LANGUAGES)
    if heard.intent is Intent.NUMBER:
        return heard.number in (1, 2, 3) and VOTE_KEYS[heard.number - 1] == ballot.choice
    return heard.intent.value == ballot.choice


@given(st.lists(EVENTS, min_size=1, max_size=40), st.sampled_from([CTX, SMS_CTX]))
def test_any_sequence_of_events_is_safe(events: list, ctx: Context) -> None:
    session = Session(queue=[1, 2, 3, 4])
    for event in events:
        turn = step(session, event, ctx)
        after = turn.session
        # The session can be stored and the dialog can go on from it.
        assert Session.from_bytes(after.to_bytes()) == after
        assert after.stage in Stage
        if after.stage is Stage.VOTING:
            assert after.current in ctx.proposals
        for effect in turn.effects:
            # Every ballot is one the resident gave, on the proposal they were answering.
            if isinstance(effect, CastBallot):
                assert vote_given(event, session, effect), (event, session, effect)
            # Every idea has words (or a recording) left once cleaned for storage.
            if isinstance(effect, SubmitIdea):
                assert effect.audio or clean_text(effect.text), effect
        # A stopped resident is never answered (but by START).
        if session.stopped and turn.replies:
            assert not after.stopped
        session = after


def _respell(word: str, data: st.DataObject) -> str:
    """STOP as a resident may type it: any case, spaces around, a dot, a zero-width space."""
    cased = "".join(c.upper() if data.draw(st.booleans()) else c.lower() for c in word)
    if len(cased) > 2 and data.draw(st.booleans()):
        cut = data.draw(st.integers(1, len(cased) - 1))
        cased = cased[:cut] + "\u200b" + cased[cut:]
    before = data.draw(st.sampled_from(["", " ", "  ", "\n"]))
    after = data.draw(st.sampled_from(["", " ", ".", "!", " !"]))
    return before + cased + after


@given(
    st.lists(EVENTS, max_size=8),
    st.sampled_from(STOP_WORDS),
    st.sampled_from(LANGUAGES),
    st.data(),
)
def test_stop_in_any_offered_language_always_stops(
    before: list, word: str, language: str, data: st.DataObject
) -> None:
    session = Session(language=language, queue=[1, 2, 3, 4])
    for event in before:
        session = step(session, event, CTX).session
    if session.stopped:
        return
    turn = step(session, Text(_respell(word, data)), CTX)
    assert turn.session.stopped
    assert turn.effects == (OptOut(),)


def test_stop_with_look_alike_letters_stops() -> None:
    for spelled in ["SТОР", "ЅTOP", "stοp", "ＳＴＯＰ", "S\u200bTOP", "\u202eSTOP"]:
        turn = step(Session(language="fr", queue=[1]), Text(spelled), CTX)
        assert turn.session.stopped, spelled


def test_the_stop_words_exist_in_every_language() -> None:
    for language in LANGUAGES:
        words = translator(language).pgettext(
            "keywords", "stop|stopall|unsubscribe|cancel|end|quit"
        )
        assert "stop" in [unicodedata.normalize("NFKD", w) for w in words.split("|")]
