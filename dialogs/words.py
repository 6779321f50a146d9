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
from functools import cache

from dialogs.i18n import translator


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
    NUMBER = "number"  # a lone number: an option's digit
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
    number: int | None = None  # for Intent.NUMBER


# Cyrillic and Greek letters that look Latin: "SТОР" typed with two Cyrillic letters must
# still stop. (No offered language is written in these scripts.)
LOOK_ALIKES = str.maketrans(
    "АВЕКМНОРСТХУЅІЈаеорсухѕіјΑΒΕΗΙΚΜΝΟΡΤΧΥΖοτρν",
    "ABEKMHOPCTXYSIJaeopcyxsijABEHIKMNOPTXYZotpv",
)


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: "D'accord !" -> "daccord"."""
    # Invisible characters (zero-width spaces, bidi controls, soft hyphens) go first, so that
    # "ST<zero width space>OP" is still one word.
    visible = "".join(c for c in text if unicodedata.category(c) != "Cf").translate(LOOK_ALIKES)
    decomposed = unicodedata.normalize("NFKD", visible.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = re.sub(r"['’`´]", "", bare)
    words = " ".join(re.sub(r"[\W_]+", " ", bare).split())
    # A lone "?" is a request for help, not an empty message.
    return words or ("?" if "?" in visible or "؟" in visible else "")


def _keyword_lists(language: str) -> dict[Intent, str]:
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
    for intent, words in _keyword_lists(language).items():
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
    said = (w.strip() for words in _keyword_lists(language).values() for w in words.split("|"))
    spellings: dict[str, str] = {}  # "d'accord" and "daccord" sound the same: keep the first
    for word in said:
        spellings.setdefault(normalise(word), word)
    return tuple(word for bare, word in spellings.items() if bare not in ("", "?"))


def looks_like_an_idea(text: str) -> bool:
    """Free text long enough to be a proposal rather than a mistyped reply."""
    return len(normalise(text).split()) >= 4


def understand(text: str, language: str, offered: tuple[str, ...]) -> Understood:
    """Read a reply in the session's `language`; some keywords of every `offered` one too."""
    if (emoji := _emoji(text)) is not None:
        return Understood(emoji)
    said = normalise(text)
    if (number := _number(said)) is not None:
        return Understood(Intent.NUMBER, number=number)
    intent = _words(language).get(said)
    if intent is not None:
        return Understood(intent, language)
    for other in offered:
        intent = _words(other).get(said)
        if intent in EVERY_LANGUAGE:
            return Understood(intent, other)
    return Understood(Intent.UNKNOWN)

