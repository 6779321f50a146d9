"""Automatic flags on a resident's idea, raised before a moderator reads it.

A flag never decides: it sorts the moderation queue ("safeguarding" first) and tells the
moderator what to look at. Pure functions over the text and the published proposals.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import phonenumbers
import yaml
from rapidfuzz import fuzz, process, utils

SAFEGUARDING = "safeguarding"  # a disclosure of danger: urgent
# A message the bot answered with the help numbers: kept for moderators, never published (an
# idea it named is sent again by the resident, as its own proposal).
DISCLOSURE = "disclosure"
PHONE_NUMBER = "phone_number"
EMAIL = "email"
INSULT = "insult"
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
NEAR_DUPLICATE = "near_duplicate"
URGENT = frozenset({SAFEGUARDING})

MIN_WORDS = 3  # "more buses" is an idea; "yes" or "hello" is not
# rapidfuzz token_set_ratio (0-100) from which two ideas read as the same one. Among the demo's
# 40 distinct proposals no pair scores above 70; one idea inside a longer one scores 100.
DUPLICATE_SCORE = 85

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@dataclass(frozen=True, slots=True)
class Flags:
    flags: list[str]
    similar_to: int | None = None  # the published proposal a near-duplicate looks like


def _plain(text: str) -> str:
    """Casefolded, accents removed, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", letters))


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    """One regex per flag over every language's words: an idea may mix languages."""
    raw = yaml.safe_load((files("api") / "data" / "moderation_words.yaml").read_text("utf-8"))
    out = {}
    for flag, by_language in raw.items():
        words = {_plain(str(w)) for ws in by_language.values() for w in ws}
        alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
        out[flag] = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    return out


def _has_phone_number(text: str, region: str) -> bool:
    # Leniency POSSIBLE: a resident writes "06 12 34 56 78" or "+33612345678", valid or not;
    # a year or a bus line number is too short to match.
    matcher = phonenumbers.PhoneNumberMatcher(text, region, phonenumbers.Leniency.POSSIBLE)
    return any(True for _ in matcher)


def flags_for(
    text: str,
    *,
    max_length: int,
    published: Mapping[int, str] | None = None,
    region: str = "FR",
) -> Flags:
    """The flags an idea raises; `published` maps proposal ids to texts to compare with."""
    plain = _plain(text)
    found: set[str] = set()
    for flag, pattern in _patterns().items():
        if pattern.search(plain):
            found.add(flag)
    if _has_phone_number(text, region):
        found.add(PHONE_NUMBER)
    if _EMAIL.search(text):
        found.add(EMAIL)
    if len(plain.split()) < MIN_WORDS:
        found.add(TOO_SHORT)
    if len(text) > max_length:
        found.add(TOO_LONG)
    similar = _most_similar(text, published or {})
    if similar is not None:
        found.add(NEAR_DUPLICATE)
    return Flags(sorted(found), similar)


def _most_similar(text: str, published: Mapping[int, str]) -> int | None:
    best = process.extractOne(
        text,
        published,
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        score_cutoff=DUPLICATE_SCORE,
    )
    return None if best is None else best[2]


def urgent_first(flags: Iterable[str]) -> int:
    """Sort key for the moderation queue: 0 for urgent items, 1 otherwise."""
    return 0 if URGENT & set(flags) else 1
