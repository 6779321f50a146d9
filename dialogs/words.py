"""What a short reply means: a number, a keyword, a greeting, or something we did not
understand. (Whether a message discloses a danger: dialogs/safeguarding.py.)

The words themselves live in the catalogs (context "keywords"), so each language's translator
owns them. Matching ignores case, accents, punctuation and spacing:
"Pas d'accord !", "pas daccord" and "PAS D ACCORD" are the same reply.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache

from dialogs.i18n import translator
from dialogs.lexicon import lexicon
from dialogs.reading import CLAUSES, content_words, opens_a_comment, read


class Intent(StrEnum):
    AGREE = "agree"  # also "yes"
    DISAGREE = "disagree"  # also "no"
    SKIP = "skip"
    HELP = "help"
    STOP = "stop"
    START = "start"
    GREETING = "greeting"
    IDEA = "idea"
    CANCEL = "cancel"
    LANGUAGE = "language"
    ERASE = "erase"
    CHANGE = "change"  # change my last vote
    REPEAT = "repeat"  # "can you say that again?": the question again, nothing taken
    NUMBER = "number"  # a lone number: an option's digit
    UNCLEAR = "unclear"  # several meanings at once ("oui et non"): the stage decides
    UNKNOWN = "unknown"


# These work whatever language the session is in: a resident who writes STOP in Turkish to a
# French session must be stopped.
EVERY_LANGUAGE = (
    Intent.STOP,
    Intent.START,
    Intent.HELP,
    Intent.GREETING,
    Intent.IDEA,
    Intent.LANGUAGE,
    Intent.ERASE,
)
EMOJI = {"👍": Intent.AGREE, "👎": Intent.DISAGREE, "🤷": Intent.SKIP, "❓": Intent.HELP}


@dataclass(frozen=True, slots=True)
class Understood:
    intent: Intent
    language: str | None = None  # the language whose word matched, when it tells one
    number: int | None = None  # for Intent.NUMBER, or a number said with a word ("1 oui")
    meanings: tuple[Intent, ...] = ()  # every meaning found, when intent is UNCLEAR
    # Found among other words ("je me suis trompé, je veux changer mon vote"): where an idea is
    # being written, such a sentence is the idea, not a word that works everywhere.
    in_sentence: bool = False

    def all(self) -> tuple[Intent, ...]:
        """The words' meanings: several for UNCLEAR, none for a number or nothing."""
        if self.intent is Intent.UNCLEAR:
            return self.meanings
        return () if self.intent in (Intent.NUMBER, Intent.UNKNOWN) else (self.intent,)


# Cyrillic and Greek letters that look Latin: "SТОР" typed with two Cyrillic letters must
# still stop. (No offered language is written in these scripts.)
LOOK_ALIKES = str.maketrans(
    "АВЕКМНОРСТХУЅІЈаеорсухѕіјΑΒΕΗΙΚΜΝΟΡΤΧΥΖοτρν",
    "ABEKMHOPCTXYSIJaeopcyxsijABEHIKMNOPTXYZotpv",
)


# Arabic letters written either way by residents and by recognition: "موافقة" / "موافقه",
# "على" / "علي"; the tatweel that stretches a word is dropped.
# Turkish "ı" is written "i" as often as not, in SMS and by recognition alike.
SPELLINGS = str.maketrans({"ة": "ه", "ى": "ي", "ـ": None, "ı": "i"})


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: "D'accord !" -> "daccord"."""
    return _normalise(text)


@lru_cache(maxsize=4096)
def _normalise(text: str) -> str:
    # Invisible characters (zero-width spaces, bidi controls, soft hyphens) go first, so that
    # "ST<zero width space>OP" is still one word.
    visible = "".join(c for c in text if unicodedata.category(c) != "Cf").translate(LOOK_ALIKES)
    decomposed = unicodedata.normalize("NFKD", visible.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(SPELLINGS)
    bare = re.sub(r"['’`´]", "", bare)
    words = " ".join(re.sub(r"[\W_]+", " ", bare).split())
    # A lone "?" is a request for help, not an empty message.
    return words or ("?" if "?" in visible or "؟" in visible else "")


def keyword_lists(language: str) -> dict[Intent, str]:
    t = translator(language)
    # Translators: each entry lists the words a resident may send, separated by "|".
    return {
        Intent.AGREE: t.pgettext("keywords", "agree|yes|for"),
        Intent.DISAGREE: t.pgettext("keywords", "disagree|no|against"),
        Intent.SKIP: t.pgettext("keywords", "skip|pass|next|dont know"),
        Intent.HELP: t.pgettext("keywords", "help|info|?"),
        Intent.STOP: t.pgettext("keywords", "stop|stopall|unsubscribe|cancel|end|quit"),
        Intent.START: t.pgettext("keywords", "start|unstop|subscribe|resume"),
        Intent.GREETING: t.pgettext("keywords", "hello|hi|hey|good morning|good evening"),
        Intent.IDEA: t.pgettext("keywords", "idea|my idea|propose|suggest"),
        Intent.CANCEL: t.pgettext("keywords", "back|never mind"),
        Intent.LANGUAGE: t.pgettext("keywords", "language|languages|change language"),
        Intent.ERASE: t.pgettext("keywords", "erase|delete|delete my data|forget me"),
        Intent.CHANGE: t.pgettext("keywords", "change|change my vote|correct"),
    }


@cache
def _words(language: str) -> dict[str, Intent]:
    table: dict[str, Intent] = {}
    for intent, words in keyword_lists(language).items():
        for word in words.split("|"):
            table.setdefault(normalise(word), intent)
    return table


def _number(said: str) -> int | None:
    # Digits in any script: "2", "٢" (Arabic-Indic), "۲" (Persian), "12".
    if said and len(said) <= 3 and all(unicodedata.decimal(c, None) is not None for c in said):
        return int("".join(str(unicodedata.decimal(c)) for c in said))
    return None


def _emoji(text: str) -> Intent | None:
    # 👍🏽 is 👍 with a skin tone; ️ (variation selector) often follows an emoji.
    bare = re.sub("[\U0001f3fb-\U0001f3ff\ufe0f\u200d]", "", text.strip())
    return EMOJI.get(bare)


@cache
def keywords(language: str) -> tuple[str, ...]:
    """Every keyword of `language` as a resident would say it: hints for speech recognition."""
    said = (w.strip() for words in keyword_lists(language).values() for w in words.split("|"))
    spellings: dict[str, str] = {}  # "d'accord" and "daccord" sound the same: keep the first
    for word in said:
        spellings.setdefault(normalise(word), word)
    return tuple(word for bare, word in spellings.items() if bare not in ("", "?"))


def looks_like_an_idea(text: str, language: str | None = None) -> bool:
    """Free text long enough to be a proposal rather than a mistyped reply (four words or more,
    not counting the `language`'s words that carry no meaning: "please", "euh"), not a
    question to us ("Can you repeat that?"), and not a comment on the proposal just read
    ("C'est de l'argent jeté par les fenêtres", "That's a waste of money"): those are asked
    again, never read back as the resident's idea."""
    if text.rstrip().endswith(("?", "؟")):
        return False
    words = [w for c in CLAUSES.split(text) for w in [normalise(c).split()] if w]
    if language is not None and opens_a_comment(words, lexicon(language)):
        return False
    counted = sum(map(len, words)) if language is None else content_words(words, lexicon(language))
    return counted >= 4


def understand(text: str, language: str, offered: tuple[str, ...]) -> Understood:
    """Read a reply in the session's `language`; the words that work everywhere in every
    `offered` one too. A whole reply that is a keyword is read at once; a sentence is read
    word by word (dialogs/reading.py)."""
    if (emoji := _emoji(text)) is not None:
        return Understood(emoji)
    said = normalise(text)
    if (number := _number(said)) is not None:
        return Understood(Intent.NUMBER, number=number)
    intent = _words(language).get(said)
    if intent is not None:
        return Understood(intent, language)
    if not said or said == "?":
        return Understood(Intent.UNKNOWN)
    clauses = [normalise(c).split() for c in CLAUSES.split(text)]
    clauses = [words for words in clauses if words]
    question = text.rstrip().endswith(("?", "؟"))
    # The session's language first, whole and word by word: German "ne" is no, not Turkish
    # "ne" (what?); then the words that work everywhere in the others.
    heard = _in_sentence(clauses, language, question=False)
    if heard.intent is not Intent.UNKNOWN:
        return heard
    for other in offered:
        intent = _words(other).get(said)
        if intent in EVERY_LANGUAGE:
            return Understood(intent, other)
    if question:
        return _in_sentence(clauses, language, question)
    for other in offered:
        # Only a word that works everywhere, said with nothing else but empty words.
        if other != language and lexicon(other).knows(clauses):
            heard = _in_sentence(clauses, other, question=False)
            if heard.intent in EVERY_LANGUAGE:
                return heard
    return Understood(Intent.UNKNOWN)


def _in_sentence(clauses: list[list[str]], language: str, question: bool) -> Understood:
    reading = read(clauses, lexicon(language))
    if reading.unsure and reading.opens:  # an answer and more said: asked again, no idea
        return Understood(Intent.UNCLEAR, language, in_sentence=True)
    if reading.unsure:  # an answer word inside a sentence: no vote, perhaps an idea
        return Understood(Intent.UNKNOWN)
    meanings = tuple(Intent(m) for m in reading.meanings)
    among = reading.other_words
    if len(meanings) > 1:
        return Understood(Intent.UNCLEAR, language, reading.number, meanings, among)
    if meanings:
        return Understood(meanings[0], language, reading.number, in_sentence=among)
    if reading.number is not None:
        return Understood(Intent.NUMBER, number=reading.number)
    if question:
        # A question we cannot read ("C'est quoi cette question ?") asks for help, not a vote.
        return Understood(Intent.HELP, language, in_sentence=True)
    return Understood(Intent.UNKNOWN)


def keyword_of_one_language(text: str, offered: tuple[str, ...]) -> str | None:
    """The one offered language that has this whole reply among its keywords ("oui", "aide");
    None when none or several do ("ok", "stop")."""
    said = normalise(text)
    having = [language for language in offered if said in _words(language)]
    return having[0] if len(having) == 1 else None


def carries_an_answer(heard: Understood) -> bool:
    """Whether a reply holds an answer word or a number, even one we could not place."""
    return heard.intent is not Intent.UNKNOWN
