"""What an SMS costs: its encoding and its number of segments.

One character outside the GSM 03.38 alphabet (â ê î ô û ç œ, the typographic apostrophe,
most emoji...) turns the whole message into UCS-2: 70 characters a segment instead of 160.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import cache

import gsm0338  # noqa: F401 (registers the "gsm03.38" codec)

GSM7 = "GSM-7"
UCS2 = "UCS-2"


@dataclass(frozen=True, slots=True)
class SmsCost:
    encoding: str
    units: int  # septets for GSM-7 (an extension character counts two), UTF-16 units for UCS-2
    segments: int


@cache
def _gsm7_char(char: str) -> bool:
    try:
        char.encode("gsm03.38")
    except UnicodeEncodeError:
        return False
    return True


def is_gsm7(text: str) -> bool:
    return all(_gsm7_char(c) for c in text)


def non_gsm7(text: str) -> set[str]:
    return {c for c in text if not _gsm7_char(c)}


# What NFKD does not take apart: typography, ligatures, Turkish dotless i.
_PLAIN = {
    "œ": "oe",
    "Œ": "OE",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "ı": "i",
}


@cache
def _plain(char: str) -> str:
    if _gsm7_char(char):
        return char
    if char in _PLAIN:
        return _PLAIN[char]
    # "ê" is "e" + circumflex, "ş" is "s" + cedilla: keep the letter, drop the mark.
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and is_gsm7(base) else char


def to_gsm7(text: str) -> str:
    """Replace what GSM-7 lacks by the nearest plain letter where there is one ("â" -> "a",
    "ş" -> "s", "’" -> "'"); what has no such letter (Arabic script, emoji) is kept."""
    return "".join(_plain(c) for c in text)


def cost(text: str) -> SmsCost:
    if is_gsm7(text):
        units, single, multi, encoding = len(text.encode("gsm03.38")), 160, 153, GSM7
    else:
        units, single, multi, encoding = len(text.encode("utf-16-le")) // 2, 70, 67, UCS2
    # A message split in parts carries a header in each part, hence 153 / 67.
    segments = 1 if units <= single else math.ceil(units / multi)
    return SmsCost(encoding, units, segments)
