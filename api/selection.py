"""Which proposals to show a resident next: pure functions, no I/O, no database.

Residents vote agree / disagree / skip on one proposal at a time (SMS, phone) and give about
10 votes each, so every vote we ask for must count. `choose` gets the accepted proposals with
their current counts and returns the ids to show, in order.

Selectors (all follow the `Selector` protocol of api/candidates.py, see `SELECTORS`):
- ``parlons``: ours, here. A share of each queue goes to new proposals until they have
  `NEW_VOTES` votes; the rest goes where the ranking of the top `TOP_K` is still uncertain:
  proposals whose agree-share interval straddles the top-k boundary. Same language is a soft
  tie-breaker, and no two proposals of one theme or author follow each other when others are
  available.
- ``makeorg``, ``polis``, ``random``, ``least-voted``: the anchors (api/anchors.py).
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from api.anchors import LeastVoted, MakeOrg, Polis, Uniform
from api.candidates import (
    AGREE,
    DISAGREE,
    SKIP,
    Candidate,
    Selector,
    arrange,
    fresh_index,
    np_rng,
    top_k_for,
)

NEW_VOTES = 10  # a proposal with fewer votes than this is "new": it still needs a fair hearing


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
        pool = fresh_index(candidates, seen)  # positions of the candidates we may show
        if not pool:
            return []

        # The boundary is global: it uses every accepted proposal, seen ones included.
        agree = np.fromiter(map(AGREE, candidates), float, size)
        n = agree + np.fromiter(map(DISAGREE, candidates), float, size)
        n += np.fromiter(map(SKIP, candidates), float, size)
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
            ambiguity *= np.exp(self.jitter * np_rng(rng).uniform(-1.0, 1.0, len(pool)))

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
        out = arrange([candidates[pool[i]] for i in idx.tolist()], limit, recent)
        if len(out) < limit and head < len(pool):  # many clashes: rank everything
            idx = np.argsort(key, kind="stable")
            out = arrange([candidates[pool[i]] for i in idx.tolist()], limit, recent)
        return out


SELECTORS: dict[str, Selector] = {
    s.name: s for s in (Parlons(), MakeOrg(), Polis(), Uniform(), LeastVoted())
}
DEFAULT = "parlons"
