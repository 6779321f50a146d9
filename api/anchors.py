"""The selectors ours is measured against, re-written from their code's description.

- ``makeorg``: Make.org's exploration sequence (makeorg/main-api, SelectionAlgorithm.scala +
  ProposalScorer.scala).
- ``polis``: Pol.is routing (compdemocracy/polis math conversation.clj priority-metric, and
  the server's selectProbabilistically): a weighted random draw.
- ``random`` and ``least-voted``: the simple baselines.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from api.candidates import Candidate, fresh, np_rng, votes_of


@dataclass(frozen=True, slots=True)
class MakeOrg:
    """Make.org's exploration sequence, with its default configuration.

    A sequence has 12 places. 30 % (ceil, so 4) go to the "new" pool (under 10 votes), oldest
    first, one per author. The rest go to "tested" proposals (10 to 1,500 votes), not by the
    authors already chosen: each gets Thompson draws of its agree / disagree / neutral shares
    (Beta(count + 0.33, votes - count + 1)); the drawn shares put it in a zone (consensus,
    controversy, rejection, limbo; the last two are left out of this sequence). 10 % of the
    tested places (rounded) go to controversies scored by min(agree, disagree) draw, the rest to
    consensus proposals scored by their agree draw. Each list is sorted by score; the chooser
    takes, among the first 10, the one with the fewest votes, then drops proposals sharing its
    author or theme (themes held by >= 20 % of tested proposals are not used for this), and
    repeats. New and tested proposals are shuffled together. Qualifications (like-it, doable...)
    do not exist here, so their terms are zero. Our additions: `seen` is filtered first, a
    sequence shorter than `limit` is filled with random unseen proposals (Make.org has its own
    fallback), and the 12-place sequence is cut to `limit`.
    """

    name: str = "makeorg"
    sequence_size: int = 12
    new_ratio: float = 0.3
    controversy_ratio: float = 0.1
    new_threshold: int = 10
    max_votes: int = 1500
    pool_size: int = 10
    keywords_threshold: float = 0.2
    smoothing: float = 0.33

    def choose(
        self,
        candidates: Sequence[Candidate],
        *,
        seen: Collection[int],
        language: str,
        limit: int,
        rng: random.Random,
        recent: Sequence[Candidate] = (),
    ) -> list[int]:
        pool = fresh(candidates, seen)
        if limit <= 0 or not pool:
            return []
        new = [c for c in pool if votes_of(c) < self.new_threshold]
        tested = [c for c in pool if self.new_threshold <= votes_of(c) < self.max_votes]

        # New pool: oldest first, one proposal per author.
        needed_new = math.ceil(self.new_ratio * self.sequence_size)
        chosen_new: list[Candidate] = []
        authors: set[str] = set()
        for c in sorted(new, key=lambda c: c.order):
            if len(chosen_new) == needed_new:
                break
            if c.author is None or c.author not in authors:
                chosen_new.append(c)
                if c.author is not None:
                    authors.add(c.author)

        needed_tested = max(self.sequence_size - len(chosen_new), 0)
        needed_contro = round(needed_tested * self.controversy_ratio)
        tested = [c for c in tested if c.author is None or c.author not in authors]
        chosen_tested = self._tested(tested, needed_contro, needed_tested - needed_contro, rng)

        sequence = chosen_new + chosen_tested
        rng.shuffle(sequence)
        out = [c.id for c in sequence]
        if len(out) < limit:  # fallback: fill with random unseen proposals
            taken = set(out)
            rest = [c.id for c in pool if c.id not in taken]
            out += rng.sample(rest, min(limit - len(out), len(rest)))
        return out[:limit]

    def _tested(
        self, tested: list[Candidate], n_contro: int, n_tops: int, rng: random.Random
    ) -> list[Candidate]:
        if not tested:
            return []
        counts = np.array([(c.agree, c.disagree, c.skip) for c in tested], dtype=float)
        votes = counts.sum(axis=1, keepdims=True)
        draws = np_rng(rng).beta(counts + self.smoothing, votes - counts + 1.0)
        agree, disagree, neutral = draws[:, 0], draws[:, 1], draws[:, 2]
        consensus = (agree >= 0.6) | ((neutral < 0.4) & (disagree < 0.15))
        rejection = ~consensus & ((disagree >= 0.6) | ((neutral < 0.4) & (agree < 0.15)))
        controversy = ~consensus & ~rejection & (neutral < 0.4)
        tops = sorted(np.flatnonzero(consensus), key=lambda i: -agree[i])
        contros = sorted(np.flatnonzero(controversy), key=lambda i: -min(agree[i], disagree[i]))

        # Themes held by too many tested proposals do not count as duplicates.
        themes: dict[str | None, int] = {}
        for c in tested:
            themes[c.theme] = themes.get(c.theme, 0) + 1
        cap = math.floor(self.keywords_threshold * len(tested))
        ignored = {t for t, k in themes.items() if k >= cap}

        chosen_contro = self._pick([tested[i] for i in contros], n_contro, ignored)
        authors = {c.author for c in chosen_contro if c.author is not None}
        top_pool = [tested[i] for i in tops if tested[i].author not in authors]
        return chosen_contro + self._pick(top_pool, n_tops, ignored)

    def _pick(self, ranked: list[Candidate], needed: int, ignored: set) -> list[Candidate]:
        """Among the first `pool_size`, take the least voted; drop its author/theme; repeat."""
        out: list[Candidate] = []
        while needed > 0 and ranked:
            chosen = min(ranked[: self.pool_size], key=votes_of)
            out.append(chosen)
            needed -= 1
            ranked = [
                c
                for c in ranked
                if c is not chosen
                and not (c.author is not None and c.author == chosen.author)
                and not (c.theme is not None and c.theme not in ignored and c.theme == chosen.theme)
            ]
        return out


def polis_priority(agree: int, disagree: int, skip: int, extremity: float = 0.0) -> float:
    """Pol.is comment priority (math/conversation.clj importance-metric, priority-metric).

    A, P, S = agrees, passes, all votes seen; importance = (1 - p) * (E + 1) * a with
    p = (P + 1) / (S + 2) and a = (A + 1) / (S + 2); priority = (importance * (1 + 8 *
    2^(-S / 5)))^2, the last factor letting new comments bubble up. E is the comment's PCA
    extremity, which counts alone cannot give: 0 here. (Pol.is's own exports write agree as 1;
    its math stores agree as -1: only the counts matter here.)
    """
    seen = agree + disagree + skip
    p = (skip + 1) / (seen + 2)
    a = (agree + 1) / (seen + 2)
    importance = (1 - p) * (extremity + 1) * a
    return (importance * (1 + 8 * 2 ** (-seen / 5))) ** 2


@dataclass(frozen=True, slots=True)
class Polis:
    """Pol.is routing: the next comment is drawn at random, weighted by its priority.

    Several places are drawn one after the other without replacement, as if the resident asked
    for the next comment each time (weighted sampling by Efraimidis-Spirakis keys).
    """

    name: str = "polis"

    def choose(
        self,
        candidates: Sequence[Candidate],
        *,
        seen: Collection[int],
        language: str,
        limit: int,
        rng: random.Random,
        recent: Sequence[Candidate] = (),
    ) -> list[int]:
        pool = fresh(candidates, seen)
        if limit <= 0 or not pool:
            return []
        keyed = []
        for c in pool:
            w = polis_priority(c.agree, c.disagree, c.skip) or 1e-12
            keyed.append((rng.random() ** (1.0 / w), c.id))
        return [cid for _, cid in heapq.nlargest(limit, keyed)]


@dataclass(frozen=True, slots=True)
class Uniform:
    """Uniform random among unseen proposals."""

    name: str = "random"

    def choose(
        self,
        candidates: Sequence[Candidate],
        *,
        seen: Collection[int],
        language: str,
        limit: int,
        rng: random.Random,
        recent: Sequence[Candidate] = (),
    ) -> list[int]:
        pool = fresh(candidates, seen)
        if limit <= 0:
            return []
        return [c.id for c in rng.sample(pool, min(limit, len(pool)))]


@dataclass(frozen=True, slots=True)
class LeastVoted:
    """Fewest votes first; ties in random order (so concurrent residents spread out)."""

    name: str = "least-voted"

    def choose(
        self,
        candidates: Sequence[Candidate],
        *,
        seen: Collection[int],
        language: str,
        limit: int,
        rng: random.Random,
        recent: Sequence[Candidate] = (),
    ) -> list[int]:
        pool = fresh(candidates, seen)
        if limit <= 0:
            return []
        best = heapq.nsmallest(limit, ((votes_of(c), rng.random(), c.id) for c in pool))
        return [cid for _, _, cid in best]
