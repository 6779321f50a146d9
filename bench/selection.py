"""Benchmark of the proposal selectors (api/selection.py): does ours find the top faster?

    python -m bench.selection            # full: 5 simulations, 20 replays of each Pol.is one
    python -m bench.selection --quick    # a few seconds: a smaller simulation, fewer seeds
    python -m bench.selection --seed 7   # other seeds (from 7)

Every selector is replayed through the consultations of `bench/consultations.py`: a
simulation with a known truth, and real Pol.is conversations.

Every selector's votes are ranked the same way (Wilson lower bound of the agree share), so only
the choice of what to show differs. Precision of the top k is measured along the way, among the
proposals arrived so far (k = 18, or 10 % of them while they are few); see `main` for the
metrics printed.
"""

from __future__ import annotations

import argparse
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

from api.candidates import Candidate
from api.selection import DEFAULT, SELECTORS
from bench import consultations
from bench.consultations import (
    ENOUGH,
    QUICK_SIM,
    TARGET,
    TIE,
    Consultation,
    SimConfig,
    polis,
    polis_datasets,
    precision_at,
    simulated,
    top_k,
)
from bench.selection_report import print_table, seeds_span, verdict

ALGOS = [DEFAULT] + [name for name in SELECTORS if name != DEFAULT]
PAGE = 5  # ids asked per call: a resident's small queue (SMS sends one at a time from it)


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
    ceilings = (consultation.ceiling, consultation.ceiling_tie)
    return algo, consultation.name, consultation.note, ceilings, run


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
        "mean_tie": float(tie.mean()),
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


def run_benchmark(
    quick: bool,
    seed: int,
    algos: Sequence[str] = ALGOS,
    datasets=None,
    seeds: int | None = None,
    polis_seeds: int | None = None,
    jobs: int | None = None,
    out=sys.stdout,
) -> dict[str, dict[str, dict]]:
    """Run everything and print the tables; returns {consultation title: {algo: summary}}."""
    seed_list = list(range(seed, seed + (seeds or (2 if quick else 5))))
    # A Pol.is replay is small (1,000 to 6,500 votes) and its precision moves in steps of 1 / k
    # (k = 3 or 4 for three of them): many seeds, or noise decides who wins.
    polis_list = list(range(seed, seed + (polis_seeds or (4 if quick else 20))))
    if datasets is None:
        datasets = polis_datasets()
    tasks = [("sim", "sim", a, s, quick) for s in seed_list for a in algos]
    tasks += [("polis", d, a, s, quick) for d in datasets for s in polis_list for a in algos]
    jobs = jobs or min(2, os.cpu_count() or 1)
    started = time.perf_counter()
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_job, tasks, chunksize=1))
    else:
        results = [_job(t) for t in tasks]
    grouped: dict[str, dict[str, list[Run]]] = {}
    notes: dict[str, str] = {}
    ceilings: dict[str, tuple[float, float]] = {}
    for algo, title, note, ceiling, run in results:
        grouped.setdefault(title, {}).setdefault(algo, []).append(run)
        notes[title] = note or "k = 18 (10 % of the proposals while fewer than 180 have arrived)"
        ceilings[title] = ceiling
    summary: dict[str, dict[str, dict]] = {}
    strict_lines, tie_lines = [], []
    for title, by_algo in grouped.items():
        rows = {a: summarise(by_algo[a]) for a in algos}
        summary[title] = rows
        used = polis_list if title.startswith("Pol.is") else seed_list
        print_table(title, f"{notes[title]}; seeds {seeds_span(used)}.", rows, out=out)
        if DEFAULT in rows and len(rows) > 1:
            strict, tie = ceilings[title]
            strict_lines.append(verdict(title, rows, ceiling=strict))
            tie_lines.append(verdict(title, rows, tie=True, ceiling=tie))
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
            strict, tie = np.mean([ceilings[t] for t in polis_tables], axis=0)
            strict_lines.append(verdict(title, rows, share=True, ceiling=strict))
            tie_lines.append(verdict(title, rows, tie=True, share=True, ceiling=tie))
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
    parser.add_argument("--seeds", type=int, default=None, help="simulations (full 5, quick 2)")
    parser.add_argument(
        "--polis-seeds",
        type=int,
        default=None,
        help="replays of each Pol.is one (full 20, quick 4)",
    )
    parser.add_argument("--jobs", type=int, default=None, help="processes (default 2)")
    parser.add_argument(
        "--polis-data",
        type=Path,
        default=None,
        help=f"folder of Pol.is conversations (default {consultations.REPOSITORY_POLIS.name})",
    )
    args = parser.parse_args(argv)
    if args.polis_data is not None:  # the environment too: the replays run in other processes
        os.environ["POLIS_DATA"] = str(args.polis_data)
        consultations.POLIS_DIR = args.polis_data
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
    run_benchmark(
        args.quick, args.seed, seeds=args.seeds, polis_seeds=args.polis_seeds, jobs=args.jobs
    )


if __name__ == "__main__":
    main()
