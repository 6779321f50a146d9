"""Benchmark of the proposal selectors (api/selection.py): does ours find the top faster?

    python -m bench.selection            # full run: 5 seeds, all Pol.is conversations (~1 min)
    python -m bench.selection --quick    # a few seconds: smaller simulation, 2 seeds
    python -m bench.selection --seed 7   # other seeds (7 to 11 in full mode)

Two kinds of consultation are replayed for every selector:

1. A simulation with a known truth: 580 proposals arrive over the consultation (30 seeded at
   the start), each with its own agree / disagree / skip rates for each of 3 opinion groups;
   8,305 residents arrive over time, belong to a group, and vote until their session ends
   (geometric, about 10 votes, fewer by SMS / phone). Truth: each proposal's expected agree
   share in the population. Every selector hears the same answers (one fixed random number per
   resident and proposal), so the comparison is paired.
2. Real Pol.is conversations (/work/shared/data/polis-opendata, CC BY 4.0, The Computational
   Democracy Project): participants are replayed in order of their first vote, each with a
   budget min(their real votes, geometric with mean 10), and may only be shown comments they
   really voted on and that existed then, so every answer is real. Truth: each comment's agree
   share over all its votes in the full export.

Every selector's votes are ranked the same way (Wilson lower bound of the agree share), so only
the choice of what to show differs. Precision of the top k is measured along the way, among the
proposals arrived so far (k = 18, or 10 % of them while they are few); see `main` for the
metrics printed.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from api.selection import DEFAULT, SELECTORS, Candidate

POLIS_DIR = Path(os.environ.get("POLIS_DATA", "/work/shared/data/polis-opendata"))
ALGOS = [DEFAULT] + [name for name in SELECTORS if name != DEFAULT]
TARGET = 0.9  # precision to reach
Z = 1.96  # Wilson lower bound at 95 %: the ranking shared by all selectors
PAGE = 5  # ids asked per call: a resident's small queue (SMS sends one at a time from it)
ENOUGH = 10  # votes for a proposal to have had a fair hearing
TIE = 0.01  # agree shares within 1 point of the k-th: a results page in whole % shows them equal


# ---------------------------------------------------------------------------------------------
# Shared machinery: a consultation to replay, and its measurement


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


@dataclass
class Run:
    """What one selector did on one consultation (one seed)."""

    checkpoints: list[int] = field(default_factory=list)  # votes cast so far
    precision: list[float] = field(default_factory=list)  # strict
    precision_tie: list[float] = field(default_factory=list)  # ties within TIE count as found
    reached_10: float = float("nan")  # share of (evaluated) proposals with >= 10 votes
    late_lag: list[float] = field(default_factory=list)  # votes from arrival to 10th vote
    votes: int = 0
    calls: int = 0
    seconds: float = 0.0


def replay(consultation: Consultation, algo: str, seed: int, every: int) -> Run:
    """Run one selector through the consultation; measure precision every `every` votes."""
    selector = SELECTORS[algo]
    rng = random.Random(f"{seed}:{algo}:{consultation.name}")
    props = consultation.proposals
    n_p = len(props)
    arrival = np.array([p.arrival for p in props])
    truth = np.array([p.truth for p in props])
    evaluated = np.array([p.evaluated for p in props])
    order = np.argsort(arrival, kind="stable")
    rank = np.empty(n_p, dtype=int)
    rank[order] = np.arange(n_p)  # arrival order, the Candidate.order
    index_of = {p.id: i for i, p in enumerate(props)}
    counts = np.zeros((n_p, 3), dtype=np.int64)  # agree, disagree, skip
    tenth = np.full(n_p, -1)  # total votes when the proposal got its 10th vote
    arrived_at = np.zeros(n_p, dtype=np.int64)  # total votes when it arrived
    cand: list[Candidate | None] = [None] * n_p
    live: list[int] = []  # arrived proposal indexes
    pos: dict[int, int] = {}  # proposal index -> position in `live`
    live_cands: list[Candidate] = []
    next_arrival = 0
    run = Run()
    total = 0
    half = np.median([r.arrival for r in consultation.residents])

    def measure() -> None:
        idx = np.array([i for i in live if evaluated[i]], dtype=int)
        if len(idx) == 0:
            return
        c = counts[idx]
        k = top_k(consultation.k, len(idx))
        agree, n = c[:, 0], c.sum(axis=1)
        run.checkpoints.append(total)
        run.precision.append(precision_at(k, truth[idx], agree, n))
        run.precision_tie.append(precision_at(k, truth[idx], agree, n, TIE))

    for res in consultation.residents:
        while next_arrival < n_p and arrival[order[next_arrival]] <= res.arrival:
            i = int(order[next_arrival])
            p = props[i]
            cand[i] = Candidate(p.id, p.theme, p.author, p.language, int(rank[i]), 0, 0, 0)
            pos[i] = len(live)
            live.append(i)
            live_cands.append(cand[i])
            arrived_at[i] = total
            next_arrival += 1
        if res.allowed is None:
            pool = live_cands
        else:
            pool = [cand[i] for i in res.allowed if cand[i] is not None]
        if not pool:
            continue
        seen: set[int] = set()
        recent: list[Candidate] = []
        budget = res.budget
        while budget > 0:
            if res.allowed is not None:  # refresh the subset's counts
                pool = [cand[index_of[c.id]] for c in pool]
            t0 = time.perf_counter()
            ids = selector.choose(
                pool, seen=seen, language=res.language, limit=PAGE, rng=rng, recent=recent[-1:]
            )
            run.seconds += time.perf_counter() - t0
            run.calls += 1
            if not ids:
                break
            for pid in ids:
                if budget == 0:
                    break
                i = index_of[pid]
                a = res.answer(i)
                counts[i, a] += 1
                c = cand[i]
                c = Candidate(c.id, c.theme, c.author, c.language, c.order, *counts[i].tolist())
                cand[i] = c
                live_cands[pos[i]] = c
                recent.append(c)
                total += 1
                budget -= 1
                if tenth[i] < 0 and counts[i].sum() >= ENOUGH:
                    tenth[i] = total
                if total % every == 0:
                    measure()
            seen.update(ids)
    measure()
    run.votes = total
    arrived = np.zeros(n_p, dtype=bool)
    arrived[live] = True
    base = arrived & evaluated
    run.reached_10 = float((tenth[base] >= 0).mean()) if base.any() else float("nan")
    late = base & (arrival > half)
    run.late_lag = [
        float(tenth[i] - arrived_at[i]) if tenth[i] >= 0 else math.inf for i in np.flatnonzero(late)
    ]
    return run


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
        return []
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
    note = f"k = {k} (10 % of {int(evaluated.sum())} comments with >= {min_votes} real votes)"
    return Consultation(f"Pol.is {name}", proposals, residents, k, note)


# ---------------------------------------------------------------------------------------------
# Running and reporting

CHECKPOINTS = 100  # precision is measured every 1 % of a consultation's votes
SMOOTH = 5  # ... and smoothed over the last 5 measures (5 % of the votes)


def _job(args: tuple) -> tuple:
    kind, name, algo, seed, quick = args
    if kind == "sim":
        consultation = simulated(QUICK_SIM if quick else SimConfig(), seed)
    else:
        consultation = polis(name, seed)
    every = max(1, sum(r.budget for r in consultation.residents) // CHECKPOINTS)
    run = replay(consultation, algo, seed, every)
    return kind, name, algo, consultation.name, consultation.note, run


def mean_curve(runs: Sequence[Run], attr: str = "precision") -> tuple[np.ndarray, np.ndarray]:
    """Seed-averaged precision curve and its checkpoints (votes cast)."""
    n = min(len(r.checkpoints) for r in runs)
    curve = np.mean([getattr(r, attr)[:n] for r in runs], axis=0)
    return curve, np.asarray(runs[0].checkpoints[:n], dtype=float)


def reached_for_good(curve: np.ndarray, checkpoints: np.ndarray, target: float = TARGET) -> float:
    """Votes from which precision stays >= target to the end (inf if it ends below).

    Precision is smoothed first (mean of the last SMOOTH measures) so that one unlucky
    measure does not count, and "for good" so that an early lucky streak (a top 2 among
    20 proposals) does not count either.
    """
    if len(curve) < SMOOTH:
        return math.inf
    smooth = np.convolve(curve, np.ones(SMOOTH) / SMOOTH, mode="valid")
    below = np.flatnonzero(smooth < target)
    if len(below) == 0:
        return float(checkpoints[SMOOTH - 1])
    if below[-1] == len(smooth) - 1:
        return math.inf
    return float(checkpoints[below[-1] + SMOOTH])


def _metrics(strict: np.ndarray, tie: np.ndarray, axis: np.ndarray) -> dict:
    return {
        "end": float(strict[-1]),
        "end_tie": float(tie[-1]),
        "mean": float(strict.mean()),
        "to90": reached_for_good(strict, axis),
        "to90_tie": reached_for_good(tie, axis),
        "curve": strict,
        "curve_tie": tie,
    }


def summarise(runs: Sequence[Run]) -> dict:
    strict, checkpoints = mean_curve(runs)
    tie, _ = mean_curve(runs, "precision_tie")
    lags = [x for r in runs for x in r.late_lag]
    return {
        **_metrics(strict, tie, checkpoints),
        "reached": statistics.fmean(r.reached_10 for r in runs),
        "lag": statistics.median(lags) if lags else math.nan,
        "votes": statistics.fmean(r.votes for r in runs),
        "us_per_call": 1e6 * sum(r.seconds for r in runs) / max(1, sum(r.calls for r in runs)),
    }


def aggregate(tables: dict[str, dict[str, dict]]) -> dict[str, dict]:
    """Pol.is conversations together: curves on a common axis (share of each replay's votes)."""
    out = {}
    for algo in next(iter(tables.values())):
        rows = [t[algo] for t in tables.values()]
        n = min(len(r["curve"]) for r in rows)
        strict = np.mean([r["curve"][:n] for r in rows], axis=0)
        tie = np.mean([r["curve_tie"][:n] for r in rows], axis=0)
        lags = [r["lag"] for r in rows if not math.isnan(r["lag"])]
        out[algo] = {
            **_metrics(strict, tie, np.arange(1, n + 1) / n),
            "reached": statistics.fmean(r["reached"] for r in rows),
            "lag": statistics.median(lags) if lags else math.nan,
            "votes": sum(r["votes"] for r in rows),
            "us_per_call": statistics.fmean(r["us_per_call"] for r in rows),
        }
    return out


def _fmt_votes(x: float, share: bool = False) -> str:
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "never"
    return f"{x:.0%} of votes" if share else f"{x:,.0f}"


def print_table(
    title: str, note: str, rows: dict[str, dict], share: bool = False, out=sys.stdout
) -> None:
    print(f"\n### {title}\n{note}\n", file=out)
    print(
        "| selector | precision@k at end | (ties ±1 pt) | mean precision along the way "
        "| votes to 90 % | (ties ±1 pt) | reached 10 votes | late: votes to 10th | votes "
        "| µs / call |",
        file=out,
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|", file=out)
    for algo, s in rows.items():
        print(
            f"| {algo} | {s['end']:.3f} | {s['end_tie']:.3f} | {s['mean']:.3f} | "
            f"{_fmt_votes(s['to90'], share)} | {_fmt_votes(s['to90_tie'], share)} | "
            f"{s['reached']:.1%} | {_fmt_votes(s['lag'])} | {s['votes']:,.0f} | "
            f"{s['us_per_call']:.0f} |",
            file=out,
        )


def verdict(title: str, rows: dict[str, dict], key: str = "to90", share: bool = False) -> str:
    """One line: ours against the best anchor on votes to 90 % precision."""
    ours = rows[DEFAULT]
    anchors = {a: s for a, s in rows.items() if a != DEFAULT}
    best = min(anchors, key=lambda a: (anchors[a][key], -anchors[a]["mean"]))
    mine, theirs = ours[key], anchors[best][key]
    if math.isinf(mine) and math.isinf(theirs):
        top = max(anchors, key=lambda a: anchors[a]["mean"])
        return (
            f"{title}: no selector reaches 90 % for good; mean precision along the way: "
            f"ours {ours['mean']:.3f} vs best anchor {top} {anchors[top]['mean']:.3f} "
            f"({ours['mean'] - anchors[top]['mean']:+.3f})."
        )
    if math.isinf(theirs):
        return (
            f"{title}: ours reaches 90 % for good at {_fmt_votes(mine, share)}; "
            "no anchor ever does."
        )
    if math.isinf(mine):
        return (
            f"{title}: ours does NOT reach 90 %; best anchor {best} does at "
            f"{_fmt_votes(theirs, share)}."
        )
    gain = 1 - mine / theirs
    if abs(gain) < 0.005:
        how = "the same"
    else:
        how = f"{abs(gain):.0%} {'fewer' if gain > 0 else 'MORE'} votes"
    return (
        f"{title}: ours {_fmt_votes(mine, share)} vs best anchor {best} "
        f"{_fmt_votes(theirs, share)}: {how}."
    )


def run_benchmark(
    quick: bool,
    seed: int,
    algos: Sequence[str] = ALGOS,
    datasets=None,
    seeds: int | None = None,
    jobs: int | None = None,
    out=sys.stdout,
) -> dict[str, dict[str, dict]]:
    """Run everything and print the tables; returns {consultation title: {algo: summary}}."""
    seed_list = list(range(seed, seed + (seeds or (2 if quick else 5))))
    if datasets is None:
        datasets = polis_datasets()
    tasks = [("sim", "sim", a, s, quick) for s in seed_list for a in algos]
    tasks += [("polis", d, a, s, quick) for d in datasets for s in seed_list for a in algos]
    jobs = jobs or min(2, os.cpu_count() or 1)
    started = time.perf_counter()
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_job, tasks, chunksize=1))
    else:
        results = [_job(t) for t in tasks]
    grouped: dict[str, dict[str, list[Run]]] = {}
    notes: dict[str, str] = {}
    for _kind, _name, algo, title, note, run in results:
        grouped.setdefault(title, {}).setdefault(algo, []).append(run)
        notes[title] = note or "k = 18 (10 % of the proposals while fewer than 180 have arrived)"
    seeds_note = f"seeds {', '.join(map(str, seed_list))}"
    summary: dict[str, dict[str, dict]] = {}
    strict_lines, tie_lines = [], []
    for title, by_algo in grouped.items():
        rows = {a: summarise(by_algo[a]) for a in algos}
        summary[title] = rows
        print_table(title, f"{notes[title]}; {seeds_note}.", rows, out=out)
        if DEFAULT in rows and len(rows) > 1:
            strict_lines.append(verdict(title, rows))
            tie_lines.append(verdict(title, rows, "to90_tie"))
    polis_tables = {t: r for t, r in summary.items() if t.startswith("Pol.is")}
    if len(polis_tables) > 1:
        title = f"Pol.is, {len(polis_tables)} conversations together"
        rows = aggregate(polis_tables)
        summary[title] = rows
        print_table(
            title,
            "Curves averaged on a common axis (share of each replay's votes), "
            "so 'votes to 90 %' is a share of the replay; votes summed.",
            rows,
            share=True,
            out=out,
        )
        if DEFAULT in rows and len(rows) > 1:
            strict_lines.append(verdict(title, rows, share=True))
            tie_lines.append(verdict(title, rows, "to90_tie", share=True))
    print("\nVotes to 90 % precision, ours against the best anchor:", file=out)
    print("\n".join(f"- {line}" for line in strict_lines), file=out)
    print(
        "\nThe same with ties (true share within 1 point of the k-th) counted as found:", file=out
    )
    print("\n".join(f"- {line}" for line in tie_lines), file=out)
    print(
        f"\nTime per call with {TIMING_SIZE} candidates (5 ids asked): "
        + ", ".join(f"{a} {us:.0f} µs" for a, us in call_times(algos).items()),
        file=out,
    )
    print(
        f"({len(tasks)} runs in {time.perf_counter() - started:.0f} s on {jobs} process(es))",
        file=out,
    )
    return summary


TIMING_SIZE = 580


def call_times(algos: Sequence[str], calls: int = 300) -> dict[str, float]:
    """Mean time of one call, in µs, on a consultation of TIMING_SIZE proposals."""
    rng = random.Random(0)
    candidates = [
        Candidate(
            i,
            f"theme-{i % 10}",
            f"resident-{i % 300}",
            "fr" if i % 7 else "en",
            i,
            rng.randint(0, 300),
            rng.randint(0, 120),
            rng.randint(0, 40),
        )
        for i in range(TIMING_SIZE)
    ]
    seen = set(rng.sample(range(TIMING_SIZE), 10))
    times = {}
    for algo in algos:
        selector = SELECTORS[algo]
        started = time.perf_counter()
        for _ in range(calls):
            selector.choose(candidates, seen=seen, language="fr", limit=PAGE, rng=rng)
        times[algo] = 1e6 * (time.perf_counter() - started) / calls
    return times


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller simulation, 2 seeds")
    parser.add_argument("--seed", type=int, default=1, help="first seed")
    parser.add_argument("--seeds", type=int, default=None, help="how many (full 5, quick 2)")
    parser.add_argument("--jobs", type=int, default=None, help="processes (default 2)")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    print(f"# Proposal selection benchmark ({mode}, seed {args.seed})\n")
    print(
        "Ranking for precision, the same for every selector: Wilson lower bound (95 %) of the "
        "agree share.\n"
        "- precision@k: share of the ranked top k that is in the true top k, among the proposals "
        "arrived so far; measured every 1 % of the votes, averaged over seeds.\n"
        "- votes to 90 %: votes from which precision (mean of the last 5 measures) stays >= 90 % "
        "to the end; 'never' if it ends below.\n"
        "- (ties ±1 pt): the same when a proposal whose true agree share is within 1 point of "
        "the true k-th also counts as found (a results page in whole % shows them equal).\n"
        "- reached 10 votes: share of proposals (Pol.is: of evaluated comments) with >= 10 votes "
        "at the end; late: votes cast in the consultation between the arrival of a proposal "
        "arrived in the second half and its 10th vote (median; 'never' if most never get there)."
        f"\n- each call asks for {PAGE} ids (a resident's queue); µs / call: time of one call."
    )
    run_benchmark(args.quick, args.seed, seeds=args.seeds, jobs=args.jobs)


if __name__ == "__main__":
    main()
