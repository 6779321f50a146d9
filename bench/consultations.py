"""The consultations the selection benchmark replays, and how a ranked top is judged.

1. A simulation with a known truth: 580 proposals arrive over the consultation (30 seeded at
   the start), each with its own agree / disagree / skip rates for each of 3 opinion groups;
   8,305 residents arrive over time, belong to a group, and vote until their session ends
   (geometric, about 10 votes, fewer by SMS / phone). Truth: each proposal's expected agree
   share in the population. Every selector hears the same answers (one fixed random number per
   resident and proposal), so the comparison is paired.
2. Real Pol.is conversations (tests/data/polis-opendata, CC BY 4.0, The Computational
   Democracy Project; another folder with POLIS_DATA or `--polis-data`): participants are
   replayed in order of their first vote, each with a budget min(their real votes, geometric
   with mean 10), and may only be shown comments they really voted on and that existed then,
   so every answer is real. Truth: each comment's agree share over all its votes in the full
   export.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The Pol.is selection kept in the repository (its licence and attribution beside it).
REPOSITORY_POLIS = Path(__file__).resolve().parents[1] / "tests" / "data" / "polis-opendata"
POLIS_DIR = Path(os.environ.get("POLIS_DATA") or REPOSITORY_POLIS)
Z = 1.96  # Wilson lower bound at 95 %: the ranking shared by all selectors
TARGET = 0.9  # the precision a selector should reach, and keep
ENOUGH = 10  # votes for a proposal to have had a fair hearing
TIE = 0.01  # agree shares within 1 point of the k-th: a results page in whole % shows them equal


# ---------------------------------------------------------------------------------------------
# How a ranked top is judged


def wilson_lower(agree: np.ndarray, n: np.ndarray, z: float = Z) -> np.ndarray:
    """Wilson score lower bound of the agree share (0 for no votes)."""
    n_safe = np.maximum(n, 1)
    p = agree / n_safe
    centre = p + z * z / (2 * n_safe)
    spread = z * np.sqrt(p * (1 - p) / n_safe + z * z / (4 * n_safe * n_safe))
    return np.where(n > 0, (centre - spread) / (1 + z * z / n_safe), 0.0)


def precision_at(
    k: int, truth: np.ndarray, agree: np.ndarray, n: np.ndarray, tie: float = 0.0
) -> float:
    """Share of the ranked top k that belongs to the true top k.

    With `tie` > 0, a ranked proposal also counts when its true share is within `tie` of the
    true k-th: a difference that a results page in whole percent does not even show.
    """
    k = min(k, len(truth))
    if k == 0:
        return float("nan")
    score = wilson_lower(agree, n)
    ranked = np.lexsort((-n, -score))[:k]  # equal scores: more votes first
    kth = np.partition(truth, len(truth) - k)[len(truth) - k]
    return float(np.mean(truth[ranked] >= kth - tie))


def top_k(k_max: int, n: int) -> int:
    """k for n proposals: k_max (18), or 10 % of them while there are few (at least 1)."""
    return max(1, min(k_max, n // 10))


@dataclass
class Proposal:
    """A proposal (or Pol.is comment) of a consultation to replay."""

    id: int
    arrival: float  # time it becomes available
    theme: str | None
    author: str | None
    language: str
    truth: float  # true agree share
    evaluated: bool = True  # counts for precision (Pol.is: has enough real votes)


@dataclass
class Resident:
    """One session: when, who, how many votes, and how the resident answers a proposal."""

    arrival: float
    language: str
    budget: int
    allowed: np.ndarray | None  # proposal indexes they may be shown (None: all)
    answer: object  # answer(index) -> 0 agree, 1 disagree, 2 skip


@dataclass
class Consultation:
    name: str
    proposals: list[Proposal]
    residents: list[Resident]
    k: int
    note: str = ""
    # Precision of the shared ranking when every resident casts every vote they may: what a
    # replay could reach at best (1 in a simulation, where the truth is what answers follow).
    ceiling: float = 1.0
    ceiling_tie: float = 1.0  # the same when near-ties (within TIE of the k-th) count as found


# ---------------------------------------------------------------------------------------------
# 1. Simulation with a known truth


@dataclass(frozen=True)
class SimConfig:
    proposals: int = 580
    seeded: int = 30
    residents: int = 8305
    k: int = 18
    themes: int = 10
    groups: tuple[float, ...] = (0.5, 0.3, 0.2)  # population share of each opinion group
    languages: tuple[tuple[str, float], ...] = (
        ("fr", 0.85),
        ("en", 0.07),
        ("ar", 0.05),
        ("es", 0.03),
    )
    # channel: (share of residents, mean votes per session)
    channels: tuple[tuple[float, float], ...] = ((0.40, 7.0), (0.15, 6.0), (0.45, 14.0))
    quality_sd: float = 1.0  # spread of proposals' appeal (logit scale)
    group_sd: float = 0.6  # how differently the groups see one proposal
    appeal: float = 0.3  # logit offset: residents lean towards agreeing
    last_arrival: float = 0.95  # proposals arrive until this fraction of the consultation


QUICK_SIM = SimConfig(proposals=150, seeded=20, residents=3000)


def simulated(cfg: SimConfig, seed: int) -> Consultation:
    """Draw one consultation: proposals, groups' opinions, residents and their answers."""
    g = np.random.default_rng(seed)
    n, n_g = cfg.proposals, len(cfg.groups)
    arrival = np.concatenate(
        [np.zeros(cfg.seeded), np.sort(g.uniform(0, cfg.last_arrival, n - cfg.seeded))]
    )
    theme_w = 1.0 / np.arange(1, cfg.themes + 1)  # some themes draw many more proposals
    themes = g.choice(cfg.themes, n, p=theme_w / theme_w.sum())
    n_authors = max(1, n // 2)
    author_w = 1.0 / np.arange(1, n_authors + 1) ** 0.8  # a few prolific authors
    authors = g.choice(n_authors, n, p=author_w / author_w.sum())
    langs, lang_p = zip(*cfg.languages, strict=True)
    p_lang = g.choice(len(langs), n, p=lang_p)
    # Opinions: appeal on a logit scale, shifted per group; some votes are skips.
    quality = g.normal(0, cfg.quality_sd, n)
    shift = g.normal(0, cfg.group_sd, (n_g, n))
    skip = g.beta(2, 8, n)
    agree = (1 - skip) / (1 + np.exp(-(cfg.appeal + quality + shift)))  # (groups, proposals)
    disagree = 1 - skip - agree
    truth = np.asarray(cfg.groups) @ agree
    proposals = [
        Proposal(
            id=1000 + i,
            arrival=float(arrival[i]),
            theme=f"theme-{themes[i]}",
            author=None if i < cfg.seeded else f"resident-{authors[i]}",
            language=langs[p_lang[i]],
            truth=float(truth[i]),
        )
        for i in range(n)
    ]
    # Residents: arrival, group, language, session length (geometric, by channel).
    r_arrival = np.sort(g.uniform(0, 1, cfg.residents))
    group = g.choice(n_g, cfg.residents, p=cfg.groups)
    r_lang = g.choice(len(langs), cfg.residents, p=lang_p)
    shares, means = zip(*cfg.channels, strict=True)
    channel = g.choice(len(shares), cfg.residents, p=np.asarray(shares) / sum(shares))
    budget = g.geometric(1 / np.asarray(means)[channel])
    # One fixed uniform per (resident, proposal): every selector hears the same answers.
    u = g.random((cfg.residents, n), dtype=np.float32)
    cut_agree = agree[group]  # (residents, proposals)
    cut_disagree = cut_agree + disagree[group]

    def answerer(r: int):
        ur, ca, cd = u[r], cut_agree[r], cut_disagree[r]
        return lambda i: 0 if ur[i] < ca[i] else (1 if ur[i] < cd[i] else 2)

    residents = [
        Resident(float(r_arrival[r]), langs[r_lang[r]], int(budget[r]), None, answerer(r))
        for r in range(cfg.residents)
    ]
    return Consultation(
        f"simulation ({n} proposals, {cfg.residents} residents)", proposals, residents, cfg.k
    )


# ---------------------------------------------------------------------------------------------
# 2. Replay of real Pol.is conversations


def polis_datasets() -> list[str]:
    if not POLIS_DIR.is_dir():
        raise SystemExit(f"no Pol.is data in {POLIS_DIR}: set POLIS_DATA or --polis-data")
    return sorted(d.name for d in POLIS_DIR.iterdir() if (d / "votes.csv").is_file())


def polis(name: str, seed: int, mean_budget: float = 10.0, min_votes: int = ENOUGH) -> Consultation:
    """A Pol.is conversation as a consultation to replay.

    votes.csv: vote 1 = agree, -1 = disagree, 0 = pass (the export's convention; Pol.is's
    internal math has agree = -1). The last vote of a participant on a comment counts. Comments
    moderated out (moderated = -1) are not accepted proposals and are left out. Truth: agree
    share among all votes; only comments with >= `min_votes` real votes are evaluated (the share
    of a comment with 2 votes is not a truth), and k = min(18, 10 % of them).
    """
    folder = POLIS_DIR / name
    created: dict[int, float] = {}
    authors: dict[int, str] = {}
    with open(folder / "comments.csv", newline="") as f:
        for row in csv.DictReader(f):
            if int(row["moderated"]) < 0:
                continue
            cid = int(row["comment-id"])
            created[cid] = float(row["timestamp"])
            authors[cid] = row["author-id"]
    last: dict[tuple[int, int], tuple[float, int]] = {}
    first_vote: dict[int, float] = {}
    with open(folder / "votes.csv", newline="") as f:
        for row in csv.DictReader(f):
            cid = int(row["comment-id"])
            if cid not in created:
                continue
            voter, ts = int(row["voter-id"]), float(row["timestamp"])
            first_vote[voter] = min(ts, first_vote.get(voter, math.inf))
            if (voter, cid) not in last or ts >= last[voter, cid][0]:
                last[voter, cid] = (ts, int(row["vote"]))
    cids = sorted(created)
    index = {c: i for i, c in enumerate(cids)}
    n_votes = np.zeros(len(cids))
    n_agree = np.zeros(len(cids))
    by_voter: dict[int, dict[int, int]] = {}
    for (voter, cid), (_ts, vote) in last.items():
        i = index[cid]
        n_votes[i] += 1
        n_agree[i] += vote == 1
        # our answer codes: 0 agree, 1 disagree, 2 pass
        by_voter.setdefault(voter, {})[i] = 0 if vote == 1 else (1 if vote == -1 else 2)
    truth = n_agree / np.maximum(n_votes, 1)
    evaluated = n_votes >= min_votes
    proposals = [
        Proposal(c, created[c], None, authors[c], "en", float(truth[i]), bool(evaluated[i]))
        for i, c in enumerate(cids)
    ]
    g = np.random.default_rng(seed)
    residents = []
    for voter in sorted(first_vote, key=lambda v: (first_vote[v], v)):
        t = first_vote[voter]
        answers = by_voter[voter]
        allowed = np.array([i for i in answers if proposals[i].arrival <= t], dtype=int)
        if len(allowed) == 0:
            continue
        budget = min(len(allowed), int(g.geometric(1 / mean_budget)))
        residents.append(Resident(t, "en", budget, allowed, answers.__getitem__))
    k = top_k(18, int(evaluated.sum()))
    best = _every_vote_precision(k, residents, truth, evaluated)
    best_tie = _every_vote_precision(k, residents, truth, evaluated, TIE)
    note = (
        f"k = {k} (10 % of {int(evaluated.sum())} comments with >= {min_votes} real votes); "
        f"with every real vote replayed, the shared ranking reaches {best:.2f} "
        f"({best_tie:.2f} with ties)"
    )
    return Consultation(f"Pol.is {name}", proposals, residents, k, note, best, best_tie)


def _every_vote_precision(
    k: int, residents: list[Resident], truth: np.ndarray, evaluated: np.ndarray, tie: float = 0.0
) -> float:
    """Precision at the end of a replay where nobody's budget runs out.

    Below 1 when the full data cannot tell its own top apart: a comment with few real votes
    and a high share (7 agrees out of 7) is the "truth" but no ranking robust to few votes
    puts it first, and shares a point apart in the truth are often several points apart in
    what the replay can see (the votes cast on comments that existed at a voter's first vote).
    """
    counts = np.zeros((len(truth), 3))
    for r in residents:
        for i in r.allowed:
            counts[i, r.answer(i)] += 1
    idx = np.flatnonzero(evaluated)
    return precision_at(k, truth[idx], counts[idx, 0], counts[idx].sum(axis=1), tie)
