"""The language of a resident's first text, found offline among the offered languages.

The runtime asks this only when no keyword (a greeting, the word for "language") has settled
the language. It would rather answer None than guess: then the resident gets the default
language and the language menu, which costs less than a conversation in the wrong language.
The detector (py3langid) and THRESHOLD were chosen by measurement: see docs/languages.md and
`python -m bench.language_id`.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence
from typing import Any, NamedTuple

# The languages the model knows; a consultation offers some or all of them.
SUPPORTED = ("fr", "en", "de", "ar", "tr", "pt")
# Lowest confidence that keeps >= 97% of the answers right on bench/data/sms_languages.tsv.
THRESHOLD = 0.35
# Written alike whatever the writer's language: they never choose one.
LANGUAGE_LESS = frozenset({"ok", "okay", "okey", "oki", "lol", "sms"})


class LanguageGuess(NamedTuple):
    language: str
    confidence: float


def guess_language(text: str, offered: Sequence[str]) -> LanguageGuess | None:
    """The offered language `text` is written in, or None when it can't be told."""
    candidates = [code for code in offered if code in SUPPORTED]
    if not candidates or not carries_language(text):
        return None
    scores = language_scores(text)
    # Best among the offered only, without renormalising: a German text, when German is
    # not offered, leaves French and English with little confidence, so it gets the menu.
    language = max(candidates, key=scores.__getitem__)
    confidence = scores[language]
    return LanguageGuess(language, confidence) if confidence >= THRESHOLD else None


def carries_language(text: str) -> bool:
    """False for digits, emoji, "ok", and a single Latin-script word.

    One Latin word ("super", "taxi", "hallo") is shared by too many of our languages to
    choose one; the greetings among them are keywords in the catalogs. One word in Arabic
    script is Arabic among the languages we offer.
    """
    words = ["".join(c for c in word if c.isalpha()) for word in text.casefold().split()]
    words = [word for word in words if word and word not in LANGUAGE_LESS]
    if len(words) == 1:
        return not all(unicodedata.name(c, "").startswith("LATIN") for c in words[0])
    return bool(words)


def language_scores(text: str) -> dict[str, float]:
    """Probability of each supported language, summing to 1."""
    return dict(_identifier().rank(text))


_lock = threading.Lock()
_model: Any = None


def _identifier() -> Any:
    # Loaded once per process on first use (about 70 MiB, 0.5 s), not at import time.
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = load_identifier()
    return _model


def load_identifier() -> Any:
    """py3langid's bundled model (shipped in the wheel, never downloaded), six languages only."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    full.set_languages(SUPPORTED)
    # set_languages keeps the 97-language matrix alive for a later reset; an identifier
    # built from the six columns alone lets it go: about 24 MiB less per worker.
    return LanguageIdentifier(
        full.nb_ptc,
        full.nb_pc,
        full.nb_classes,
        full.tk_nextmove,
        full.tk_output,
        norm_probs=True,
        tk_row=full.tk_row,
    )
