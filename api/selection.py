"""Which proposals to show a resident next: pure functions, no I/O, no database.

Residents vote agree / disagree / skip on one proposal at a time (SMS, phone) and give about
10 votes each, so every vote we ask for must count. `choose` gets the accepted proposals with
their current counts and returns the ids to show, in order.

Selectors (all follow the `Selector` protocol, see `SELECTORS`):
- ``parlons``: ours. A share of each queue goes to new proposals until they have `NEW_VOTES`
  votes; the rest goes where the ranking of the top `TOP_K` is still uncertain: proposals whose
  agree-share interval straddles the top-k boundary. Same language is a soft tie-breaker, and
  no two proposals of one theme or author follow each other when others are available.
- ``makeorg``: Make.org's exploration sequence (makeorg/main-api, SelectionAlgorithm.scala +
  ProposalScorer.scala), re-written from its description.
- ``polis``: Pol.is routing (compdemocracy/polis math conversation.clj priority-metric, and
  the server's selectProbabilistically): a weighted random draw.
- ``random`` and ``least-voted``: the simple baselines.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Protocol

import numpy as np

NEW_VOTES = 10  # a proposal with fewer votes than this is "new": it still needs a fair hearing
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


# ---------------------------------------------------------------------------------------------
# Shared helpers


_AGREE, _DISAGREE, _SKIP = attrgetter("agree"), attrgetter("disagree"), attrgetter("skip")


def _votes(c: Candidate) -> int:
    return c.agree + c.disagree + c.skip


def _fresh_index(candidates: Sequence[Candidate], seen: Collection[int]) -> list[int]:
    """Positions of the candidates this resident may still be shown (first of each id)."""
    taken = set(seen)
    out = []
    for i, c in enumerate(candidates):
        if c.id not in taken:
            taken.add(c.id)
            out.append(i)
    return out


def _fresh(candidates: Sequence[Candidate], seen: Collection[int]) -> list[Candidate]:
    """Candidates this resident may still be shown: not seen, each id once."""
    return [candidates[i] for i in _fresh_index(candidates, seen)]


def _clash(a: Candidate | None, b: Candidate) -> bool:
    """True when b should not follow a: same theme or same author (None never clashes)."""
    if a is None:
        return False
    return (a.theme is not None and a.theme == b.theme) or (
        a.author is not None and a.author == b.author
    )


def _arrange(ranked: Iterable[Candidate], limit: int, recent: Sequence[Candidate]) -> list[int]:
    """Take candidates best-first, skipping one that would follow its own theme or author.

    A skipped candidate stays in line for the next slot, so the ranking is kept as far as the
    diversity rule allows; when only clashing candidates are left, the best of them is used.
    """
    it = iter(ranked)
    waiting: list[Candidate] = []  # skipped for clashing, in rank order
    out: list[int] = []
    prev = recent[-1] if recent else None
    while len(out) < limit:
        pick = next((i for i, c in enumerate(waiting) if not _clash(prev, c)), None)
        if pick is not None:
            chosen = waiting.pop(pick)
        else:
            chosen = None
            for c in it:
                if not _clash(prev, c):
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


def _np_rng(rng: random.Random) -> np.random.Generator:
    """A numpy generator driven by the caller's rng, so runs stay reproducible."""
    return np.random.default_rng(rng.getrandbits(64))


def top_k_for(n_candidates: int) -> int:
    """Size of the top the results put forward: TOP_K, or TOP_SHARE of a small set (>= 1)."""
    return max(1, min(TOP_K, int(TOP_SHARE * n_candidates)))


# ---------------------------------------------------------------------------------------------
# Ours


@dataclass(frozen=True, slots=True)
class Parlons:
    """Give new proposals a fair hearing, then spend votes where the top-k is still unsure.

    1. Explore: proposals under `new_votes` votes get the first `explore_share` of the places
       (at least one), alternately the one closest to `new_votes` (its hearing ends soon) and
       the one furthest from it (its hearing starts now); then same language, then oldest. The
       other new proposals compete as below, where their wide interval makes them urgent.
    2. Exploit: p is a proposal's posterior agree share (Beta(1, 1) prior), sd its deviation,
       tau the boundary between the k-th and (k+1)-th best posterior means (k = TOP_K, or 10 %
       of a small set). Ambiguity = (|p - tau| + margin) / sd, the number of deviations
       between the proposal and the boundary: small when its interval straddles the boundary,
       the only place where one more vote can change the top k ("APT", Locatelli et al. 2016).
       The margin stops votes going to proposals tied with the boundary for ever.
    3. Language: another language's proposal has its ambiguity raised by `lang_slack`, so it
       loses only close calls (translations exist: it is never starved).
    4. Small bounded noise spreads concurrent residents over near-equal choices.
    5. Order: best first, no two of one theme or author in a row when others are available.
    """

    name: str = "parlons"
    new_votes: int = NEW_VOTES
    # Share of the places kept for new proposals (2 of 5). Measured: giving them every place
    # spreads a scarce budget too thin (Pol.is replays) and gains nothing in the simulation.
    explore_share: float = 0.4
    margin: float = 0.02  # an agree-share gap this small counts as a tie, not worth more votes
    lang_slack: float = 0.15  # same language wins when ambiguities are within 15 %
    jitter: float = 0.06  # ambiguity times e^u, |u| <= jitter: e^(2 * 0.06) < 1 + lang_slack
    # Below the boundary, ambiguity counts 1.5 times: a vote there mostly tightens the lower
    # bound of a proposal that is not in the top, making it a stronger rival of those that
    # are (the ranking is by lower bound). Measured: +0.005 to +0.02 precision.
    below: float = 0.5

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
        if limit <= 0 or not candidates:
            return []
        size = len(candidates)
        pool = _fresh_index(candidates, seen)  # positions of the candidates we may show
        if not pool:
            return []

        # The boundary is global: it uses every accepted proposal, seen ones included.
        agree = np.fromiter(map(_AGREE, candidates), float, size)
        n = agree + np.fromiter(map(_DISAGREE, candidates), float, size)
        n += np.fromiter(map(_SKIP, candidates), float, size)
        mean = (agree + 1.0) / (n + 2.0)
        k = top_k_for(size)
        if size > k:
            part = np.partition(mean, (size - k - 1, size - k))
            tau = 0.5 * (part[size - k] + part[size - k - 1])
        else:
            tau = -1.0  # everything is in the top: nothing to separate

        at = np.array(pool)
        n, mean = n[at], mean[at]
        sd = np.sqrt(mean * (1.0 - mean) / (n + 3.0))
        other = np.array([candidates[i].language != language for i in pool], dtype=bool)
        ambiguity = (np.abs(mean - tau) + self.margin) / sd
        ambiguity *= np.where(mean < tau, 1.0 + self.below, 1.0)
        ambiguity *= np.where(other, 1.0 + self.lang_slack, 1.0)
        if self.jitter:  # bounded, so it never outweighs the language preference
            ambiguity *= np.exp(self.jitter * _np_rng(rng).uniform(-1.0, 1.0, len(pool)))

        # The explore places alternate the new proposal closest to its fair hearing (finish
        # it) and the one furthest from it (start it); same language, then oldest, on ties.
        key = ambiguity
        new = np.flatnonzero(n < self.new_votes)
        if len(new):
            slots = min(len(new), max(1, round(self.explore_share * limit)))
            order = np.array([candidates[pool[i]].order for i in new.tolist()], dtype=float)
            closest = new[np.lexsort((order, other[new], -n[new]))].tolist()
            furthest = new[np.lexsort((order, other[new], n[new]))].tolist()
            first: list[int] = []
            for i in (i for pair in zip(closest, furthest, strict=True) for i in pair):
                if len(first) == slots:
                    break
                if i not in first:
                    first.append(i)
            key[first] = -1.0 - np.arange(slots, 0, -1)  # before any ambiguity, in this order

        # Only the head of the ranking can be used: sort that part.
        head = min(len(pool), 4 * limit + 8)
        idx = np.argpartition(key, head - 1)[:head] if head < len(pool) else np.arange(len(pool))
        idx = idx[np.argsort(key[idx], kind="stable")]
        out = _arrange([candidates[pool[i]] for i in idx.tolist()], limit, recent)
        if len(out) < limit and head < len(pool):  # many clashes: rank everything
            idx = np.argsort(key, kind="stable")
            out = _arrange([candidates[pool[i]] for i in idx.tolist()], limit, recent)
        return out


# ---------------------------------------------------------------------------------------------
# Anchors


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
        pool = _fresh(candidates, seen)
        if limit <= 0 or not pool:
            return []
        new = [c for c in pool if _votes(c) < self.new_threshold]
        tested = [c for c in pool if self.new_threshold <= _votes(c) < self.max_votes]

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
        draws = _np_rng(rng).beta(counts + self.smoothing, votes - counts + 1.0)
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
            chosen = min(ranked[: self.pool_size], key=_votes)
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
        pool = _fresh(candidates, seen)
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
        pool = _fresh(candidates, seen)
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
        pool = _fresh(candidates, seen)
        if limit <= 0:
            return []
        best = heapq.nsmallest(limit, ((_votes(c), rng.random(), c.id) for c in pool))
        return [cid for _, _, cid in best]


SELECTORS: dict[str, Selector] = {
    s.name: s for s in (Parlons(), MakeOrg(), Polis(), Uniform(), LeastVoted())
}
DEFAULT = "parlons"
