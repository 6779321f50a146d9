"""The safeguarding detector (dialogs/safeguarding.py), its pattern files and its labelled data
(tests/data/safeguarding): what a resident, a moderator or a translator would check. The
figures per language are printed by `python -m bench.safeguarding`; here, the levels they must
not fall below on the data the patterns are written against, and every pattern shown to work."""

from __future__ import annotations

import pytest
import yaml

from bench import safeguarding as data
from bench.residents import demo_context
from dialogs import Session, Stage, Text
from dialogs.danger_rules import CATEGORIES, languages_with_patterns, words_of
from dialogs.safeguarding import (
    Danger,
    Detector,
    _matches,
    _within,
    danger_in,
    detector,
    reads_as_proposal,
)
from dialogs.steps import answer_disclosure
from dialogs.words import normalise
from tests.conftest import ROOT

LANGUAGES = data.LANGUAGES
EXAMPLES = yaml.safe_load((data.DATA / "pattern_examples.yaml").read_text(encoding="utf-8"))
LOCALES = ROOT / "locales"


def test_every_language_with_a_catalog_has_a_pattern_file() -> None:
    catalogs = sorted(p.parent.parent.name for p in LOCALES.glob("*/LC_MESSAGES/parlons.po"))
    assert sorted(languages_with_patterns()) == catalogs


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_labelled_data_is_as_large_as_promised(language: str) -> None:
    disclosures = data.disclosures("disclosures")[language]
    assert len(disclosures) >= 50
    assert {category for category, _ in disclosures} == set(CATEGORIES)
    for test_set in ("test_set", "test_set_2", "test_set_3"):
        assert len(data.disclosures(test_set)[language]) >= 20
    assert len(data.ideas()[language]) >= 30
    assert len(data.ordinary()[language]) >= 300
    assert len(data.replies()[language]) >= 30


def test_the_polis_comments_are_all_there() -> None:
    assert len(data.polis_comments()) == 947


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_pattern_catches_a_disclosure_or_its_example(language: str) -> None:
    """A pattern that can never match (a misplaced "|" or gap) is found here."""
    texts = [t for _, t in data.disclosures("disclosures")[language]] + EXAMPLES[language]
    words = [[detector().words_in(w) for w in words_of(t)] for t in texts]
    idle = [
        p.source
        for p in detector().languages[language].patterns
        if not any(_matches(p, message) for message in words)
    ]
    assert idle == []
    assert [t for t in EXAMPLES[language] if danger_in(t, LANGUAGES) is None] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_concept_rule_catches_a_disclosure_or_its_example(language: str) -> None:
    """A rule whose concepts never meet within its window (a misspelt concept, a window too
    narrow, an excluded word that is always there) is found here."""
    texts = [t for _, t in data.disclosures("disclosures")[language]] + EXAMPLES[language]
    words = [[detector().words_in(w) for w in words_of(t)] for t in texts]
    idle = [
        rule.source
        for rule in detector().languages[language].rules
        if not any(_within(rule, message) for message in words)
    ]
    assert idle == []


def by_rules(text: str) -> Danger | None:
    return detector().find(text, LANGUAGES, patterns=False, model=False)


@pytest.mark.parametrize(
    "text",
    [
        "mon mari me frappe",
        "il me frappe tout le temps, mon mari",
        "my husband hits me",
        "he hits me every night, my husband does",
        "mein Mann schlägt mich",
        "mich schlägt mein Mann",
        "meu marido me bate",
        "bate-me todos os dias o meu marido",
    ],
)
def test_the_rules_hear_their_concepts_in_any_order(text: str) -> None:
    found = by_rules(text)
    assert found is not None and found.category == "home_violence"


@pytest.mark.parametrize(
    ("idea", "disclosure"),
    [
        ("il faut protéger les enfants battus", "il faut m'aider, mon mari me frappe"),
        (
            "we need shelters for people sleeping on the streets",
            "we need help, im sleeping on the streets",
        ),
        (
            "man sollte Kinder vor Gewalt schützen, die geschlagen werden",
            "hilfe, mein mann schlägt mich",
        ),
        ("çocukları şiddetten korumalıyız", "kocam beni dövüyor"),
        ("é preciso proteger as crianças que apanham", "é preciso ajuda, o meu marido bate-me"),
    ],
)
def test_a_proposal_form_naming_no_writer_silences_the_rules(idea: str, disclosure: str) -> None:
    """An "il faut", "we need", "sollte", "-malıyız", "é preciso" with no "I" outside it names a
    danger without disclosing one; with the writer named it is still a disclosure."""
    assert by_rules(idea) is None
    assert by_rules(disclosure) is not None


def test_a_rule_names_only_concepts_its_file_defines() -> None:
    raw = {
        "first_person": ["je"],
        "concepts": {"C_A": ["a"]},
        "rules": {"self_harm": ["C_A + C_B"]},
    }
    with pytest.raises(ValueError, match="C_B"):
        Detector({"fr": raw})


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("test_set", data.TEST_SETS)
def test_the_test_sets_are_caught(language: str, test_set: str) -> None:
    """The committed test sets (never tuned on since they were written; see
    tests/data/safeguarding/README.md) at the issue's target."""
    texts = [t for _, t in data.disclosures(test_set)[language]]
    caught = [t for t in texts if danger_in(t, LANGUAGES) is not None]
    assert len(caught) >= data.RECALL_TARGET * len(texts)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_development_disclosures_are_caught(language: str) -> None:
    """By the patterns and rules (the model was trained on these)."""
    texts = [t for _, t in data.disclosures("disclosures")[language]]
    missed = [t for t in texts if data.by_words(t) is None]
    assert len(missed) <= 0.05 * len(texts), missed


@pytest.mark.parametrize("language", LANGUAGES)
def test_ordinary_messages_replies_and_proposals_are_rarely_taken_for_a_disclosure(
    language: str,
) -> None:
    """With every language's patterns on, as the bot reads a message."""
    texts = data.ordinary()[language] + data.replies()[language] + data.demo_texts()[language]
    wrong = [t for t in texts if danger_in(t, LANGUAGES) is not None]
    assert len(wrong) <= 0.005 * len(texts), wrong
    assert [t for t in data.replies()[language] if danger_in(t, LANGUAGES)] == []


def test_the_polis_comments_are_not_taken_for_disclosures() -> None:
    comments = data.polis_comments()
    wrong = [t for t in comments if danger_in(t, LANGUAGES) is not None]
    assert len(wrong) <= 0.005 * len(comments), wrong


@pytest.mark.parametrize("language", LANGUAGES)
def test_policy_ideas_on_hard_subjects_pass(language: str) -> None:
    ideas = data.ideas()[language]
    assert [t for t in ideas if danger_in(t, LANGUAGES) is not None] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_policy_idea_taken_for_a_disclosure_would_still_be_read_back(language: str) -> None:
    """Never swallowed, even when the detector is wrong: the dialog reads back, after the
    help numbers, a disclosure that reads as a proposal and is long enough to be an idea."""
    danger = Danger("self_harm", language, "(as if a pattern had matched)")
    for idea in data.ideas()[language]:
        session = Session(language=language, stage=Stage.VOTING, current=1, queue=[2, 3])
        turn = answer_disclosure(session, demo_context(), Text(idea), danger)
        assert turn.session.stage is Stage.IDEA_CONFIRMING and turn.session.draft == idea, idea
        assert turn.effects[0].flags == ("safeguarding", "disclosure")


@pytest.mark.parametrize(
    ("disclosure", "not_one"),
    [
        ("I do not want to die", "nobody should have to sleep outside"),
        ("je ne veux pas mourir", "personne ne devrait dormir dehors"),
        ("ich will nicht sterben", "niemand sollte draußen schlafen müssen"),
        ("لا أريد أن أموت", "لا ينبغي أن ينام أحد في الشارع"),
        ("ölmek istemiyorum", "kimse sokakta yatmak zorunda kalmamalı"),
        ("não quero morrer", "ninguém devia dormir na rua"),
    ],
)
def test_a_negation_is_still_a_disclosure_but_a_general_should_is_not(
    disclosure: str, not_one: str
) -> None:
    assert danger_in(disclosure, LANGUAGES) is not None
    assert danger_in(not_one, LANGUAGES) is None


@pytest.mark.parametrize(
    "text",
    [
        "Mon mari me frappe",
        "mon mari ma frappee",  # no accent, no apostrophe
        "MON MARI M'A FRAPPÉE !!",
        "أُرِيدُ أَنْ أَمُوتَ",  # with its diacritics
        "اريد ان اموت",  # without
        "rajli kaydrabni",  # Moroccan Arabic in Latin letters
        "KOCAM BENİ DÖVÜYOR",  # Turkish capitals, dotted İ
        "kocam beni dovuyor",  # a phone without Turkish letters
        "mein mann schlaegt mich",  # umlaut typed as two letters
        "o meu marido bate-me",
        "meu marido me bate",
    ],
)
def test_residents_spellings_are_read_alike(text: str) -> None:
    assert danger_in(text, LANGUAGES) is not None


def test_the_rules_read_the_offered_languages_and_the_model_every_one() -> None:
    assert detector().find("kocam beni dövüyor", ("fr", "tr"), model=False) is not None
    assert detector().find("kocam beni dövüyor", ("fr", "en"), model=False) is None
    # A Turkish disclosure in a French and English consultation still gets the help numbers.
    heard = danger_in("kocam beni dövüyor", ("fr", "en"))
    assert heard is not None and heard.language == "fr"


def test_words_are_those_every_reply_is_read_with() -> None:
    """words_of is normalise, written for speed: it must give the same words (an apostrophe
    apart, which parts two words here), Arabic and Turkish letters folded."""
    texts = [t for texts in data.ordinary().values() for t in texts]
    texts += [t for pairs in data.disclosures("disclosures").values() for _, t in pairs]
    texts += ["SТОР", "ST\u200bOP", "\u200fمرحبا", "İSTANBUL", "Ｆｕｌｌ ｗｉｄｔｈ"]
    for text in texts:
        parted = text
        for apostrophe in "'’`´":
            parted = parted.replace(apostrophe, " ")
        expected = normalise(parted)
        for letter, instead in (("ى", "ي"), ("ة", "ه"), ("ک", "ك"), ("ی", "ي"), ("ı", "i")):
            expected = expected.replace(letter, instead)
        assert list(words_of(text)) == expected.replace("ـ", "").split(), text


@pytest.mark.parametrize(
    ("text", "language", "proposal"),
    [
        ("Il faut plus de places d'hébergement, je dors dans la rue", "fr", True),
        ("Un enfant se fait battre au 3e", "fr", True),  # names no first person
        ("Mon mari me frappe", "fr", False),
        ("We need more shelters, I sleep on the street", "en", True),
        ("my husband hits me", "en", False),
        ("Wir brauchen Frauenhäuser, mein Mann schlägt mich", "de", True),
        ("يجب توفير مأوى، أنا نايم في الشارع", "ar", True),
        ("راجلي كيضربني", "ar", False),
        ("Daha fazla sığınma evi, kocam beni dövüyor", "tr", True),
        ("kocam beni dövüyor", "tr", False),
        ("É preciso mais abrigos, durmo na rua", "pt", True),
        ("o meu marido bate-me", "pt", False),
    ],
)
def test_a_message_reads_as_a_proposal_when_it_opens_like_one_or_names_no_one(
    text: str, language: str, proposal: bool
) -> None:
    assert reads_as_proposal(text, language) is proposal


def test_a_pattern_can_name_what_must_not_be_in_or_near_it() -> None:
    raw = {
        "first_person": ["je"],
        "words": {"IDIOM": ["rire", "ennui", "lol"]},
        "patterns": {"self_harm": ["veux ~2 mourir - IDIOM"]},
    }
    found = Detector({"fr": raw}).find
    assert found("je veux mourir", ("fr",), model=False) is not None
    assert found("je ne veux pas mourir", ("fr",), model=False) is not None
    assert found("je veux mourir de rire", ("fr",), model=False) is None
    assert found("lol je veux mourir", ("fr",), model=False) is None
