"""What every proposal selector works on: the candidates, the protocol, and shared rules.

A candidate is an accepted proposal with its current counts; a selector (api/selection.py:
ours; api/anchors.py: the platforms we measure against) returns the ids to show, in order.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Protocol

import numpy as np

TOP_K = 18  # how many proposals the results put forward
TOP_SHARE = 0.10  # ... or this share of them when there are few (a 50-proposal consultation: 5)


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    theme: str | None
    author: str | None  # participant ref of the author, None for seeded proposals
    language: str
    order: int  # arrival order (smaller = older)
    agree: int
    disagree: int
    skip: int


class Selector(Protocol):
    name: str

    def choose(
        self,
        candidates: Sequence[Candidate],
        *,
        seen: Collection[int],
        language: str,
        limit: int,
        rng: random.Random,
        recent: Sequence[Candidate] = (),
    ) -> list[int]: ...


AGREE, DISAGREE, SKIP = attrgetter("agree"), attrgetter("disagree"), attrgetter("skip")


def votes_of(c: Candidate) -> int:
    return c.agree + c.disagree + c.skip


def fresh_index(candidates: Sequence[Candidate], seen: Collection[int]) -> list[int]:
    """Positions of the candidates this resident may still be shown (first of each id)."""
    taken = set(seen)
    out = []
    for i, c in enumerate(candidates):
        if c.id not in taken:
            taken.add(c.id)
            out.append(i)
    return out


def fresh(candidates: Sequence[Candidate], seen: Collection[int]) -> list[Candidate]:
    """Candidates this resident may still be shown: not seen, each id once."""
    return [candidates[i] for i in fresh_index(candidates, seen)]


def clash(a: Candidate | None, b: Candidate) -> bool:
    """True when b should not follow a: same theme or same author (None never clashes)."""
    if a is None:
        return False
    return (a.theme is not None and a.theme == b.theme) or (
        a.author is not None and a.author == b.author
    )


def arrange(ranked: Iterable[Candidate], limit: int, recent: Sequence[Candidate]) -> list[int]:
    """Take candidates best-first, skipping one that would follow its own theme or author.

    A skipped candidate stays in line for the next slot, so the ranking is kept as far as the
    diversity rule allows; when only clashing candidates are left, the best of them is used.
    """
    it = iter(ranked)
    waiting: list[Candidate] = []  # skipped for clashing, in rank order
    out: list[int] = []
    prev = recent[-1] if recent else None
    while len(out) < limit:
        pick = next((i for i, c in enumerate(waiting) if not clash(prev, c)), None)
        if pick is not None:
            chosen = waiting.pop(pick)
        else:
            chosen = None
            for c in it:
                if not clash(prev, c):
                    chosen = c
                    break
                waiting.append(c)
            if chosen is None:  # nothing left that fits: accept a clash rather than stop
                if not waiting:
                    break
                chosen = waiting.pop(0)
        out.append(chosen.id)
        prev = chosen
    return out


def np_rng(rng: random.Random) -> np.random.Generator:
    """A numpy generator driven by the caller's rng, so runs stay reproducible."""
    return np.random.default_rng(rng.getrandbits(64))


def top_k_for(n_candidates: int) -> int:
    """Size of the top the results put forward: TOP_K, or TOP_SHARE of a small set (>= 1)."""
    return max(1, min(TOP_K, int(TOP_SHARE * n_candidates)))
