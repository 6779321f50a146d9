"""A second reader of danger, for what the rules' words miss: a linear model over a message's
words, word pairs and pieces of words, trained on our labelled messages in the six languages
(tools/train_danger_model.py; the data: tests/data/safeguarding).

The rules (dialogs/safeguarding_patterns) name the ways of saying a danger that someone wrote
down; a resident says it in other words ("j'ai compté les cachets qu'il me reste", "we have been
in the car for three nights with the baby"). The model reads every piece of every word, so a
spelling, a conjugation or a turn of phrase near one it was taught still weighs. Its threshold
is set by the trainer, from messages the model was not trained on, to keep its false alarms on
ordinary messages and ideas at half the 0.5% allowed (the rules have the rest).

The features are hashed into a fixed table (CRC-32, stable across machines and Python runs):
the model is each bucket's rarity and weight. A word's pieces are valued once and cached, so a
message costs a few lookups a word. Short replies ("1", "oui", "ok merci") are never scored: a
disclosure the rules miss takes words.
"""

from __future__ import annotations

import json
import math
import zlib
from collections import Counter
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib.resources import files

import numpy as np

from dialogs.danger_rules import HELD_LETTER, words_of

BUCKETS = 1 << 18  # hashed features: few collisions for the ~100 000 our data has
MIN_WORDS = 3  # fewer words than this are replies, never scored
CHAR_GRAMS = (3, 4, 5)  # pieces of a word, with its edges marked: " frap", "ppe "


def words(text: str) -> list[str] | None:
    """A message's words as the model reads them, None when it is too short to score."""
    return read(words_of(text))


def read(tokens: Sequence[str]) -> list[str] | None:
    """Words as the rules read them (dialogs.danger_rules.words_of), each as the model reads
    it; None for fewer than MIN_WORDS."""
    return [canonical(t) for t in tokens] if len(tokens) >= MIN_WORDS else None


@lru_cache(maxsize=1 << 16)
def canonical(token: str) -> str:
    """A held letter once ("mouriiir"); a figure ("12", "2024") one word, but a single digit
    stays (Latin-letter Arabic writes sounds with "3", "7", "9")."""
    return "#" if len(token) > 1 and token.isdigit() else HELD_LETTER.sub(r"\1", token)


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode()) & (BUCKETS - 1)


@lru_cache(maxsize=1 << 16)
def pieces(word: str) -> Counter[int]:
    """A word's pieces (3 to 5 letters, its edges marked: " frap", "ppe "), each bucket with
    how many times it occurs in the word."""
    marked = f" {word} "
    return Counter(
        _bucket(f"c {marked[i : i + n]}") for n in CHAR_GRAMS for i in range(len(marked) - n + 1)
    )


@lru_cache(maxsize=1 << 16)
def _word_bucket(word: str) -> int:
    return _bucket(f"w {word}")


@lru_cache(maxsize=1 << 16)
def _pair_bucket(first: str, second: str) -> int:
    return _bucket(f"p {first} {second}")


def whole(said: list[str]) -> Counter[int]:
    """The words and the pairs of neighbouring words, each bucket with how many times."""
    return Counter(
        [_word_bucket(w) for w in said]
        + [_pair_bucket(a, b) for a, b in zip(said, said[1:], strict=False)]
    )


def weighed(times: int, rarity: float) -> float:
    """A feature's value before its block is scaled: 1 + log(times) its rarity."""
    return rarity if times == 1 else (1 + math.log(times)) * rarity


class DangerModel:
    """A message's score: the bias, plus two blocks each scaled to length one, the words and
    pairs of words, and the pieces of words. Pieces are valued word by word (a piece in two
    words counts in each), so a word's share is computed once and cached: a message costs a
    few lookups a word."""

    def __init__(self, known: dict[int, tuple[float, float]], bias: float, about: dict) -> None:
        self.known = known  # per bucket the training data held at least twice: rarity, weight
        self.bias = bias
        self.threshold = about["threshold"]  # on the probability, set by the trainer
        self.about = about  # what the trainer measured, for the bench and the README
        self.word_share = lru_cache(maxsize=1 << 16)(self._word_share)

    def _word_share(self, word: str) -> tuple[float, float]:
        return self._sums(pieces(word))

    def _sums(self, counts: Counter[int]) -> tuple[float, float]:
        """The sum of the known features' squared values, and of their values times weights."""
        square = dot = 0.0
        for bucket, times in counts.items():
            if (entry := self.known.get(bucket)) is not None:
                value = weighed(times, entry[0])
                square += value * value
                dot += value * entry[1]
        return square, dot

    def probability(self, text: str) -> float | None:
        """How likely the message discloses a danger; None for a short reply."""
        return self.probability_of(words_of(text))

    def probability_of(self, tokens: Sequence[str]) -> float | None:
        """The same, from the words the rules have already read."""
        said = read(tokens)
        if said is None:
            return None
        score = self.bias
        square, dot = self._sums(whole(said))
        if square:
            score += dot / math.sqrt(square)
        shares = [self.word_share(w) for w in said]
        square = sum(sq for sq, _ in shares)
        if square:
            score += sum(d for _, d in shares) / math.sqrt(square)
        return 1 / (1 + math.exp(-score))

    def discloses(self, text: str) -> bool:
        p = self.probability(text)
        return p is not None and p >= self.threshold


MODEL = files("dialogs") / "safeguarding_model"


@cache
def danger_model() -> DangerModel | None:
    """The trained model shipped with the code, or None before one is trained."""
    weights, about = MODEL / "weights.npz", MODEL / "model.json"
    if not (weights.is_file() and about.is_file()):
        return None
    meta = json.loads(about.read_text("utf-8"))
    with weights.open("rb") as f:
        stored = np.load(f)
        known = zip(stored["rarity"].tolist(), stored["weights"].tolist(), strict=True)
        table = dict(zip(stored["buckets"].tolist(), known, strict=True))
    return DangerModel(table, meta["bias"], meta)
