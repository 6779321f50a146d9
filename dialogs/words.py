"""What a short reply means: a vote, a keyword, a greeting, or something we did not understand.

The words themselves live in the catalogs (context "keywords"), so each language's translator
owns them. Matching ignores case, accents, punctuation and spacing: "Pas d'accord !",
"pas daccord" and "PAS D ACCORD" are the same reply.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from dialogs.i18n import translator
from dialogs.vocabulary import Choice


class Intent(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    SKIP = "skip"
    HELP = "help"
    STOP = "stop"
    START = "start"
    GREETING = "greeting"
    IDEA = "idea"
    CANCEL = "cancel"
    UNKNOWN = "unknown"


VOTES = {Intent.AGREE: Choice.AGREE, Intent.DISAGREE: Choice.DISAGREE, Intent.SKIP: Choice.SKIP}
DIGITS = {1: Intent.AGREE, 2: Intent.DISAGREE, 3: Intent.SKIP}
# Opting out must work whatever language the session is in.
EVERY_LANGUAGE = (Intent.STOP, Intent.START, Intent.HELP, Intent.GREETING, Intent.IDEA)


@dataclass(frozen=True, slots=True)
class Understood:
    intent: Intent
    language: str | None = None  # the language whose word matched, when it tells one


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: "D'accord !" -> "daccord"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = re.sub(r"['’`´]", "", bare)
    words = " ".join(re.sub(r"[\W_]+", " ", bare).split())
    # A lone "?" is a request for help, not an empty message.
    return words or ("?" if "?" in text else "")


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
    }


@cache
def _words(language: str) -> dict[str, Intent]:
    table: dict[str, Intent] = {}
    for intent, words in _keyword_lists(language).items():
        for word in words.split("|"):
            table.setdefault(normalise(word), intent)
    return table


def _digit(text: str) -> int | None:
    # A lone digit in any script: "2", "٢" (Arabic-Indic), "۲" (Persian).
    if len(text) == 1 and unicodedata.decimal(text, None) is not None:
        return unicodedata.decimal(text)
    return None


def looks_like_an_idea(text: str) -> bool:
    """Free text long enough to be a proposal rather than a mistyped reply."""
    return len(normalise(text).split()) >= 4


def understand(text: str, language: str, offered: tuple[str, ...]) -> Understood:
    """Read a reply in the session's `language`; keywords of every `offered` one count too."""
    said = normalise(text)
    digit = _digit(said)
    if digit in DIGITS:
        return Understood(DIGITS[digit])
    intent = _words(language).get(said)
    if intent is not None:
        return Understood(intent, language)
    for other in offered:
        intent = _words(other).get(said)
        if intent in EVERY_LANGUAGE:
            return Understood(intent, other)
    return Understood(Intent.UNKNOWN)
