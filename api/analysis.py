"""The numbers behind the results: pure functions over counts and the vote matrix (numpy).

Definitions (docs/api.md says them in words):
- agree share: agree / (agree + disagree); skips say "no opinion" and are left out.
- Wilson interval (95 %) of the agree share; its lower bound ranks proposals, so a proposal
  with 3 agrees out of 3 does not beat one with 90 out of 100.
- controversy: 2 x the Wilson lower bound of the minority side's share. Near 1 when the
  decided votes split evenly and are many; 0 when one side wins or votes are few.
- opinion groups: Pol.is's method. Participants who voted on at least min(7, proposals) are
  placed by PCA of the vote matrix (agree 1, disagree -1, skip 0, not seen = the proposal's
  mean), their coordinates scaled by sqrt(proposals / votes) so that few votes do not pull
  them to the centre; k-means for k = 2..5, the k with the best silhouette.
- consensus (group-aware, as Pol.is): the product over groups of each group's smoothed agree
  share (agree + 1) / (votes + 2), skips counted as votes. High only when every group agrees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054
MIN_VOTES = 7  # Pol.is: a participant is placed in a group from 7 votes (or every proposal)
MIN_GROUPED = 10  # fewer placed participants than this: no groups (they would mean nothing)
MAX_GROUPS = 5


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) when there is no trial."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    scale = 1 + z * z / trials
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


def controversy(agree: int, disagree: int) -> float:
    decided = agree + disagree
    return 2 * wilson(min(agree, disagree), decided)[0] if decided else 0.0


def smoothed_agree(agree: int, votes: int) -> float:
    return (agree + 1) / (votes + 2)


@dataclass(frozen=True)
class Groups:
    """Opinion groups: `labels[i]` is the group of `participants[i]` (-1: not placed)."""

    labels: np.ndarray
    k: int


def opinion_groups(matrix: np.ndarray, seed: int = 0) -> Groups:
    """Group the participants (rows) of a vote matrix (1, -1, 0; NaN where not seen)."""
    n_rows, n_cols = matrix.shape
    labels = np.full(n_rows, -1)
    if n_cols < 2:
        return Groups(labels, 0)
    seen = ~np.isnan(matrix)
    placed = seen.sum(axis=1) >= min(MIN_VOTES, n_cols)
    if placed.sum() < MIN_GROUPED:
        return Groups(labels, 0)
    votes = matrix[placed]
    means = np.nanmean(np.where(seen[placed], votes, np.nan), axis=0)
    means = np.nan_to_num(means)
    filled = np.where(np.isnan(votes), means, votes) - means
    # The two main axes: top eigenvectors of the proposals' covariance (proposals x proposals,
    # much smaller than the participants x proposals matrix an SVD would factor).
    _, vectors = np.linalg.eigh(filled.T @ filled)
    coords = filled @ vectors[:, -2:]
    coords *= np.sqrt(n_cols / seen[placed].sum(axis=1))[:, None]
    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray] | None = None
    for k in range(2, min(MAX_GROUPS, len(coords) - 1) + 1):
        found = _kmeans(coords, k, rng)
        if len(np.unique(found)) < k:
            continue
        score = _silhouette(coords, found, rng)
        if best is None or score > best[0] + 1e-9:
            best = (score, found)
    if best is None:
        return Groups(labels, 0)
    labels[placed] = _by_size(best[1])
    return Groups(labels, int(labels.max()) + 1)


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator, rounds: int = 50) -> np.ndarray:
    """Lloyd's k-means from a k-means++ start; labels per point."""
    centres = [points[rng.integers(len(points))]]
    for _ in range(1, k):
        d2 = np.min([((points - c) ** 2).sum(axis=1) for c in centres], axis=0)
        total = d2.sum()
        pick = rng.choice(len(points), p=d2 / total) if total > 0 else rng.integers(len(points))
        centres.append(points[pick])
    centre = np.array(centres)
    labels = np.zeros(len(points), dtype=int)
    for _ in range(rounds):
        distances = ((points[:, None, :] - centre[None, :, :]) ** 2).sum(axis=2)
        new = distances.argmin(axis=1)
        if _ and np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            if (labels == j).any():
                centre[j] = points[labels == j].mean(axis=0)
    return labels


def _silhouette(
    points: np.ndarray, labels: np.ndarray, rng: np.random.Generator, sample: int = 800
) -> float:
    """Mean silhouette of (a sample of) the points against all points: memory stays
    sample x points, not points x points, for a consultation of 10,000 residents."""
    at = rng.choice(len(points), sample, replace=False) if len(points) > sample else None
    chosen = points if at is None else points[at]
    own_labels = labels if at is None else labels[at]
    distances = np.sqrt(((chosen[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    sizes = np.bincount(labels)
    # Sum of distances from each chosen point to each group, then mean distances.
    sums = np.stack([distances[:, labels == g].sum(axis=1) for g in range(len(sizes))], axis=1)
    rows = np.arange(len(chosen))
    mates = sizes[own_labels] - 1
    a = np.divide(sums[rows, own_labels], mates, out=np.zeros(len(chosen)), where=mates > 0)
    others = sums / sizes
    others[rows, own_labels] = np.inf
    b = others.min(axis=1)
    scores = np.where(mates > 0, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(scores.mean())


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber groups largest first, so group 0 is the largest."""
    order = np.argsort(-np.bincount(labels), kind="stable")
    renumber = np.empty_like(order)
    renumber[order] = np.arange(len(order))
    return renumber[labels]
