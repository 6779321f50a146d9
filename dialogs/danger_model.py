"""A second reader of danger, for what the rules' words miss: a linear model over a message's
words, word pairs and pieces of words, trained on our labelled messages in the six languages
(tools/train_danger_model.py; the data: tests/data/safeguarding).

The rules (dialogs/safeguarding_patterns) name the ways of saying a danger that someone wrote
down; a resident says it in other words ("j'ai compté les cachets qu'il me reste", "we have been
in the car for three nights with the baby"). The model reads every piece of every word, so a
spelling, a conjugation or a turn of phrase near one it was taught still weighs. Its threshold
is set by the trainer, from messages the model was not trained on, to keep its false alarms on
ordinary messages and ideas under a quarter of the 0.5% the issue allows.

The features are hashed into a fixed table (CRC-32, stable across machines and Python runs), so
the model is two arrays (each bucket's rarity and weight): scoring a message is a few array
operations over its few hundred features. Short
replies ("1", "oui", "ok merci") are never scored: a disclosure the rules miss takes words.
"""

from __future__ import annotations

import json
import math
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

import numpy as np

from dialogs.danger_rules import HELD_LETTER, words_of

BUCKETS = 1 << 18  # hashed features: few collisions for the ~100 000 our data has
MIN_WORDS = 3  # fewer words than this are replies, never scored
CHAR_GRAMS = (3, 4, 5)  # pieces of a word, with its edges marked: " frap", "ppe "


def words(text: str) -> list[str] | None:
    """A message's words as the model reads them (None when it is too short to score): as the
    rules read them, a held letter once; a figure ("12", "2024") is one word, but a single digit
    stays (Latin-letter Arabic writes sounds with "3", "7", "9")."""
    said = words_of(HELD_LETTER.sub(r"\1", text))
    if len(said) < MIN_WORDS:
        return None
    return ["#" if len(w) > 1 and w.isdigit() else w for w in said]


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode()) & (BUCKETS - 1)


@lru_cache(maxsize=1 << 16)
def _word(word: str) -> tuple[int, tuple[int, ...]]:
    """A word's bucket, and its pieces' (3 to 5 letters, its edges marked: " frap", "ppe ")."""
    marked = f" {word} "
    pieces = tuple(
        _bucket(f"c {marked[i : i + n]}") for n in CHAR_GRAMS for i in range(len(marked) - n + 1)
    )
    return _bucket(f"w {word}"), pieces


def blocks(said: list[str]) -> tuple[Counter[int], Counter[int]]:
    """The message's two blocks of features, each bucket with how many times it occurs: the
    words and pairs of neighbouring words; the pieces of words."""
    known = [_word(w) for w in said]
    whole = [b for b, _ in known]
    whole += [_bucket(f"p {a} {b}") for a, b in zip(said, said[1:], strict=False)]
    return Counter(whole), Counter(b for _, bs in known for b in bs)


def weighed(times: int, rarity: float) -> float:
    """A feature's value before its block is made of length one: 1 + log(times) its rarity."""
    return rarity if times == 1 else (1 + math.log(times)) * rarity


@dataclass(frozen=True)
class DangerModel:
    # Per bucket the training data held at least twice: its rarity and its weight.
    known: dict[int, tuple[float, float]]
    bias: float
    threshold: float  # on the probability, set by the trainer
    about: dict  # what the trainer measured, for the bench and the README

    def probability(self, text: str) -> float | None:
        """How likely the message discloses a danger; None for a short reply."""
        said = words(text)
        if said is None:
            return None
        score = self.bias
        known = self.known
        for block in blocks(said):
            # Each block weighs as a vector of length one: its dot product with the weights
            # over its length, summed in one pass.
            square = dot = 0.0
            for bucket, times in block.items():
                if (entry := known.get(bucket)) is not None:
                    value = entry[0] if times == 1 else weighed(times, entry[0])
                    square += value * value
                    dot += value * entry[1]
            if square:
                score += dot / math.sqrt(square)
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
    return DangerModel(table, meta["bias"], meta["threshold"], meta)
