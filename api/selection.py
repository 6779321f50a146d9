"""Which proposals to show a resident next: pure functions, no I/O, no database.

Residents vote agree / disagree / skip on one proposal at a time (SMS, phone) and give about
10 votes each, so every vote we ask for must count. `choose` gets the accepted proposals with
their current counts and returns the ids to show, in order.

Selectors (all follow the `Selector` protocol, see `SELECTORS`):
- ``parlons``: ours. New proposals first until they have `NEW_VOTES` votes (fewest first), then
  votes go where the ranking of the top `TOP_K` is still uncertain: proposals whose agree-share
  interval straddles the top-k boundary. Same-language is a soft tie-breaker, and no two
  proposals of one theme or author follow each other when others are available.
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


def _votes(c: Candidate) -> int:
    return c.agree + c.disagree + c.skip


def _fresh(candidates: Iterable[Candidate], seen: Collection[int]) -> list[Candidate]:
    """Candidates this resident may still be shown: not seen, each id once."""
    taken = set(seen)
    out = []
    for c in candidates:
        if c.id not in taken:
            taken.add(c.id)
            out.append(c)
    return out


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


def wilson(agree, n, z: float = 1.96):
    """Wilson score interval (lower, upper) of the agree share; (0, 1) with no votes."""
    n_safe = np.maximum(n, 1.0)
    p = agree / n_safe
    centre = p + z * z / (2 * n_safe)
    spread = z * np.sqrt(p * (1 - p) / n_safe + z * z / (4 * n_safe * n_safe))
    denom = 1 + z * z / n_safe
    lo = np.where(n > 0, (centre - spread) / denom, 0.0)
    hi = np.where(n > 0, (centre + spread) / denom, 1.0)
    return lo, hi


def _phi(x):
    """Standard normal CDF, logistic approximation (within 0.01): no scipy needed."""
    return 1.0 / (1.0 + np.exp(-1.702 * x))


def top_k_for(n_candidates: int) -> int:
    """Size of the top that the results put forward: TOP_K, or TOP_SHARE of a small set."""
    return max(1, min(TOP_K, math.ceil(TOP_SHARE * n_candidates)))


# ---------------------------------------------------------------------------------------------
# Ours


@dataclass(frozen=True, slots=True)
class Parlons:
    """Explore new proposals, then spend votes where the top-k boundary is uncertain.

    1. Explore: a proposal under `new_votes` votes comes first, fewest votes first (then
       same-language, then oldest), so late arrivals reach a fair count within a few sessions.
    2. Exploit: with p the posterior agree share (Beta(1, 1) prior) and tau the boundary between
       the k-th and (k+1)-th best posterior means, a proposal's ambiguity is
       (|p - tau| + margin) / sd(p): small when its interval straddles the boundary. Proposals
       far above or far below gain nothing from one more vote; those near it decide precision.
       Small multiplicative noise spreads concurrent residents over near-equal choices.
    3. Language: another language's proposal has its ambiguity raised by `lang_slack`, so it
       loses only close calls (translations exist, so it is never starved).
    4. Order: best first, no two of one theme or author in a row when others are available.
    """

    name: str = "parlons"
    new_votes: int = NEW_VOTES
    margin: float = 0.02  # agree-share gap treated as "already decided"
    lang_slack: float = 0.15  # same-language wins when ambiguities are within 15 %
    jitter: float = 0.10  # log-normal noise on the ambiguity
    mode: str = "lucb"
    tau_lb: bool = False
    z_rank: float = 1.96
    z_up: float = 1.96
    scale: float = 0.05

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
        # The boundary comes from every accepted proposal (seen ones included): it is global.
        counts = np.array([(c.agree, _votes(c)) for c in candidates], dtype=float).reshape(-1, 2)
        k = top_k_for(len(counts))
        pc = np.array([(c.agree, _votes(c)) for c in pool], dtype=float).reshape(-1, 2)
        n = pc[:, 1]
        if self.mode in ("apt", "ts"):
            mean_all = (counts[:, 0] + 1.0) / (counts[:, 1] + 2.0)
            mean = (pc[:, 0] + 1.0) / (n + 2.0)
            sd = np.sqrt(mean * (1.0 - mean) / (n + 3.0))
            if self.mode == "ts":
                g = _np_rng(rng)
                mean_all = g.beta(counts[:, 0] + 1.0, counts[:, 1] - counts[:, 0] + 1.0)
                ids_all = {c.id: j for j, c in enumerate(candidates)}
                mean = mean_all[[ids_all[c.id] for c in pool]]
            if self.tau_lb:
                base = wilson(counts[:, 0], counts[:, 1], self.z_rank)[0]
            else:
                base = mean_all
            if len(base) > k:
                part = np.partition(base, (-k - 1, -k))
                tau = 0.5 * (part[-k] + part[-k - 1])
            else:
                tau = float(base.min()) - 1.0
            ambiguity = (np.abs(mean - tau) + self.margin) / sd
        elif self.mode == "err":
            mean_all = (counts[:, 0] + 1.0) / (counts[:, 1] + 2.0)
            lo_all = wilson(counts[:, 0], counts[:, 1], self.z_rank)[0]
            if len(mean_all) > k:
                part = np.partition(mean_all, (-k - 1, -k))
                tau = 0.5 * (part[-k] + part[-k - 1])
                lam = np.partition(lo_all, -k)[-k]
            else:
                tau, lam = -1.0, -1.0
            mean = (pc[:, 0] + 1.0) / (n + 2.0)
            sd = np.sqrt(mean * (1.0 - mean) / (n + 3.0))
            lo = wilson(pc[:, 0], n, self.z_rank)[0]
            in_rank = lo >= lam
            above = _phi((mean - tau - self.margin) / sd)
            below = _phi((tau - self.margin - mean) / sd)
            error = np.where(in_rank, below, above)
            ambiguity = np.exp(-error / self.scale)
        else:  # lucb: weakest of the ranked top vs strongest contender outside it
            lo_all, hi_all = wilson(counts[:, 0], counts[:, 1], self.z_rank)
            _, up_all = wilson(counts[:, 0], counts[:, 1], self.z_up)
            if len(lo_all) > k:
                top = np.argpartition(-lo_all, k - 1)[:k]
                inside = np.zeros(len(lo_all), dtype=bool)
                inside[top] = True
                c_in = lo_all[inside].min()  # weakest confirmed score in the top
                c_out = up_all[~inside].max()  # best hope outside it
            else:
                c_in, c_out = -1.0, -1.0
            lo, _ = wilson(pc[:, 0], n, self.z_rank)
            _, up = wilson(pc[:, 0], n, self.z_up)
            in_top = lo >= c_in
            urgency = np.where(in_top, c_out - lo, up - c_in)
            ambiguity = np.exp(-urgency / self.scale)
        other_lang = np.array([c.language != language for c in pool])
        ambiguity *= np.where(other_lang, 1.0 + self.lang_slack, 1.0)
        if self.jitter:
            ambiguity *= np.exp(self.jitter * _np_rng(rng).standard_normal(len(pool)))

        # New proposals form tier 0, ordered by votes, language, age; the rest by ambiguity.
        new = n < self.new_votes
        order = np.array([c.order for c in pool], dtype=float)
        key_new = n * 4.0 + other_lang * 2.0 + order / (order.max() + 1.0)
        key = np.where(new, key_new - 1e9, ambiguity)
        # Only the head of the ranking can be used: sort that part.
        head = min(len(pool), 4 * limit + 8)
        idx = np.argpartition(key, head - 1)[:head] if head < len(pool) else np.arange(len(pool))
        idx = idx[np.argsort(key[idx], kind="stable")]
        ranked = [pool[i] for i in idx]
        out = _arrange(ranked, limit, recent)
        if len(out) < limit and head < len(pool):  # many clashes: rank everything
            ranked = [pool[i] for i in np.argsort(key, kind="stable")]
            out = _arrange(ranked, limit, recent)
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
