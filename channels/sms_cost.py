"""What an SMS costs: its encoding and its number of segments.

One character outside the GSM 03.38 alphabet (â ê î ô û ç œ, the typographic apostrophe,
most emoji...) turns the whole message into UCS-2: 70 characters a segment instead of 160.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import gsm0338  # noqa: F401 (registers the "gsm03.38" codec)

GSM7 = "GSM-7"
UCS2 = "UCS-2"


@dataclass(frozen=True, slots=True)
class SmsCost:
    encoding: str
    units: int  # septets for GSM-7 (an extension character counts two), UTF-16 units for UCS-2
    segments: int


def is_gsm7(text: str) -> bool:
    try:
        text.encode("gsm03.38")
    except UnicodeEncodeError:
        return False
    return True


def non_gsm7(text: str) -> set[str]:
    return {c for c in text if not is_gsm7(c)}


def cost(text: str) -> SmsCost:
    if is_gsm7(text):
        units, single, multi, encoding = len(text.encode("gsm03.38")), 160, 153, GSM7
    else:
        units, single, multi, encoding = len(text.encode("utf-16-le")) // 2, 70, 67, UCS2
    # A message split in parts carries a header in each part, hence 153 / 67.
    segments = 1 if units <= single else math.ceil(units / multi)
    return SmsCost(encoding, units, segments)
