"""The selection benchmark's tables and verdicts, as the README quotes them."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence

from api.selection import DEFAULT
from bench.consultations import TARGET


def fmt_votes(x: float, share: bool = False) -> str:
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
            f"{fmt_votes(s['to90'], share)} | {fmt_votes(s['to90_tie'], share)} | "
            f"{s['reached']:.1%} | {fmt_votes(s['lag'])} | {s['votes']:,.0f} | "
            f"{s['us_per_call']:.0f} |",
            file=out,
        )


def verdict(
    title: str, rows: dict[str, dict], tie: bool = False, share: bool = False, ceiling: float = 1.0
) -> str:
    """One line: ours against the best anchor on votes to 90 % precision (with near-ties
    counted as found when `tie`); when nobody gets there, on precision along the way."""
    key, mean = ("to90_tie", "mean_tie") if tie else ("to90", "mean")
    ours = rows[DEFAULT]
    anchors = {a: s for a, s in rows.items() if a != DEFAULT}
    best = min(anchors, key=lambda a: (anchors[a][key], -anchors[a][mean]))
    mine, theirs = ours[key], anchors[best][key]
    if math.isinf(mine) and math.isinf(theirs):
        top = max(anchors, key=lambda a: anchors[a][mean])
        why = (
            f" (out of reach: with every real vote replayed the ranking reaches {ceiling:.2f})"
            if ceiling < TARGET
            else ""
        )
        return (
            f"{title}: no selector reaches 90 % for good{why}; mean precision along the way: "
            f"ours {ours[mean]:.3f} vs best anchor {top} {anchors[top][mean]:.3f} "
            f"({ours[mean] - anchors[top][mean]:+.3f})."
        )
    if math.isinf(theirs):
        return (
            f"{title}: ours reaches 90 % for good at {fmt_votes(mine, share)}; no anchor ever does."
        )
    if math.isinf(mine):
        return (
            f"{title}: ours does NOT reach 90 %; best anchor {best} does at "
            f"{fmt_votes(theirs, share)}."
        )
    gain = 1 - mine / theirs
    if abs(gain) < 0.005:
        how = "the same"
    else:
        how = f"{abs(gain):.0%} {'fewer' if gain > 0 else 'MORE'} votes"
    return (
        f"{title}: ours {fmt_votes(mine, share)} vs best anchor {best} "
        f"{fmt_votes(theirs, share)}: {how}."
    )


def seeds_span(seeds: Sequence[int]) -> str:
    return f"{seeds[0]} to {seeds[-1]}" if len(seeds) > 2 else ", ".join(map(str, seeds))
