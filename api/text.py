"""Text from residents and files, made safe to store and to show anywhere."""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that reorder or hide what a reader sees ("Trojan source" tricks, a
# reversed word a moderator misreads) or that break XML: bidi embeddings, overrides and
# isolates, zero-width spaces, word joiners, byte-order marks, soft hyphens, and every control
# character but the line break. Kept: the zero-width (non-)joiners that emoji and Persian or
# Arabic spelling need, and the left-to-right / right-to-left marks that place digits in
# Arabic text without reordering anything.
_HIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\ud800-\udfff\ufffe\uffff]"
)


def clean_text(text: str) -> str:
    """NFC, one kind of line break, hidden characters out, no blank lines around."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _HIDDEN.sub("", text.replace("\t", " "))
    return "\n".join(line.strip() for line in text.strip().split("\n"))
