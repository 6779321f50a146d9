"""What the safeguarding detector catches, what it wrongly catches, and what it costs:
`python -m bench.safeguarding` (`make bench` runs it).

Every message is read against all six languages' patterns at once, as the bot reads it. The
data is ours (tests/data/safeguarding, see its README) and the Pol.is citizen comments
(tests/data/polis-opendata, CC BY 4.0, The Computational Democracy Project):

- disclosures caught: the held-out test set (never tuned on) and the development set;
- policy ideas that name a hard subject: passed by the detector, and read back by the dialog
  as an idea to send (dialogs.step, a resident voting on the demo consultation);
- false positives on ordinary messages: ours, the replies residents send, every proposal of
  the demo consultation in every language, and the Pol.is comments.

`--show` lists the development set's misses and every false positive, with the pattern that
matched; the test set's misses are listed only with `--test-misses` (to report them, never to
write patterns from them).
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from dialogs.safeguarding import Danger, danger_in, detector

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "safeguarding"
POLIS = ROOT / "tests" / "data" / "polis-opendata"
DEMO = ROOT / "api" / "demo" / "mulhouse.yaml"
LANGUAGES = ("fr", "en", "de", "ar", "tr", "pt")
RECALL_TARGET = 0.95
FALSE_POSITIVE_TARGET = 0.005


def disclosures(name: str) -> dict[str, list[tuple[str, str]]]:
    """`test_set` or `disclosures`: per language, (category, text)."""
    raw = yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))
    return {
        lang: [(category, text) for category, texts in by_category.items() for text in texts]
        for lang, by_category in raw.items()
    }


def ideas() -> dict[str, list[str]]:
    return yaml.safe_load((DATA / "ideas.yaml").read_text(encoding="utf-8"))


def replies() -> dict[str, list[str]]:
    return yaml.safe_load((DATA / "replies.yaml").read_text(encoding="utf-8"))


def ordinary() -> dict[str, list[str]]:
    out = {}
    for lang in LANGUAGES:
        lines = (DATA / "ordinary" / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
        out[lang] = [line for line in lines if line.strip() and not line.startswith("#")]
    return out


def demo_texts() -> dict[str, list[str]]:
    """Every proposal of the demo consultation, in each language it is written in."""
    spec = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for proposal in spec["proposals"]:
        out[proposal["language"]].append(proposal["text"])
        for lang, text in (proposal.get("translations") or {}).items():
            out[lang].append(text)
    return out


def polis_comments() -> list[str]:
    """The Pol.is conversations' citizen comments (English), once it is in the repository."""
    return [
        row["comment-body"]
        for path in sorted(POLIS.glob("*/comments.csv"))
        for row in csv.DictReader(path.open(encoding="utf-8"))
    ]


def flagged(texts: Iterable[str]) -> list[tuple[str, Danger]]:
    return [(t, d) for t in texts if (d := danger_in(t, LANGUAGES)) is not None]


def read_back_rate(texts: list[str], language: str) -> tuple[int, list[str]]:
    """How many ideas the dialog reads back as an idea to send, to a resident voting."""
    from bench.residents import demo_context
    from dialogs import Session, Stage, Text, step

    ctx = demo_context()
    missed = []
    for text in texts:
        session = Session(language=language, stage=Stage.VOTING, current=1, queue=[2, 3])
        turn = step(session, Text(text), ctx)
        if turn.session.stage is not Stage.IDEA_CONFIRMING or turn.session.draft != text:
            missed.append(text)
    return len(texts) - len(missed), missed


def microseconds(texts: list[str], repeat: int = 5) -> float:
    """Per message, all six languages on; the cache of words cleared before each pass (a
    word met for the first time costs its lookup: the dearer case)."""
    best = float("inf")
    for _ in range(repeat):
        detector().words_in.cache_clear()
        started = time.perf_counter()
        for text in texts:
            danger_in(text, LANGUAGES)
        best = min(best, time.perf_counter() - started)
    return 1e6 * best / len(texts)


def microseconds_warm(texts: list[str], repeat: int = 5) -> float:
    """Per message, as a running bot pays it: words already met are looked up in the cache."""
    for text in texts:
        danger_in(text, LANGUAGES)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            danger_in(text, LANGUAGES)
        best = min(best, time.perf_counter() - started)
    return 1e6 * best / len(texts)


def percent(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="list misses and false positives")
    parser.add_argument("--test-misses", action="store_true", help="list the test set's misses")
    args = parser.parse_args()
    detector()  # compiled once, as a worker does at its first message

    test, dev, hard, said = disclosures("test_set"), disclosures("disclosures"), ideas(), replies()
    mine, demo, polis = ordinary(), demo_texts(), polis_comments()
    print("| language | test set caught | development set caught | policy ideas passed "
          "| ideas read back | false positives: ordinary | replies | demo proposals |")
    print("|---|---|---|---|---|---|---|---|")
    shown: list[tuple[str, str, str]] = []
    worst = {"recall": 1.0, "false": 0.0, "ideas": 0}
    for lang in LANGUAGES:
        caught_test = [t for _, t in test[lang] if danger_in(t, LANGUAGES)]
        caught_dev = [t for _, t in dev[lang] if danger_in(t, LANGUAGES)]
        idea_flags = flagged(hard[lang])
        read, not_read = read_back_rate(hard[lang], lang)
        false_mine, false_said, false_demo = flagged(mine[lang]), flagged(said[lang]), flagged(
            demo[lang]
        )
        print(
            f"| {lang} | {percent(len(caught_test), len(test[lang]))} "
            f"| {percent(len(caught_dev), len(dev[lang]))} "
            f"| {percent(len(hard[lang]) - len(idea_flags), len(hard[lang]))} "
            f"| {percent(read, len(hard[lang]))} "
            f"| {percent(len(false_mine), len(mine[lang]))} "
            f"| {percent(len(false_said), len(said[lang]))} "
            f"| {percent(len(false_demo), len(demo[lang]))} |"
        )
        worst["recall"] = min(worst["recall"], len(caught_test) / len(test[lang]))
        ordinary_count = len(mine[lang]) + len(said[lang]) + len(demo[lang])
        wrong = len(false_mine) + len(false_said) + len(false_demo)
        worst["false"] = max(worst["false"], wrong / ordinary_count)
        worst["ideas"] += len(not_read)
        if args.test_misses:
            shown += [(lang, "test set miss", t) for _, t in test[lang] if t not in caught_test]
        if args.show:
            shown += [(lang, "miss", t) for _, t in dev[lang] if t not in caught_dev]
            shown += [(lang, f"idea flagged [{d.language}: {d.pattern}]", t) for t, d in idea_flags]
            shown += [(lang, "idea not read back", t) for t in not_read]
            for t, d in false_mine + false_said + false_demo:
                shown.append((lang, f"false positive [{d.language}: {d.pattern}]", t))
    false_polis = flagged(polis)
    print()
    print(f"Pol.is citizen comments (English), false positives: "
          f"{percent(len(false_polis), len(polis))}")
    if args.show:
        shown += [("en", f"Pol.is [{d.language}: {d.pattern}]", t) for t, d in false_polis]
    polis_rate = len(false_polis) / len(polis) if polis else 0.0
    print(
        f"Targets: recall >= {RECALL_TARGET:.0%} in every language (worst "
        f"{worst['recall']:.1%}); false positives <= {FALSE_POSITIVE_TARGET:.1%} (worst language "
        f"{worst['false']:.2%}, Pol.is {polis_rate:.2%}); ideas not read back: {worst['ideas']}"
    )
    print()
    _timings(mine, said, dev)
    for lang, what, text in shown:
        print(f"{lang} {what}: {text}")


def _timings(mine: dict[str, list[str]], said: dict[str, list[str]], dev: dict) -> None:
    every_reply = [t for lang in LANGUAGES for t in said[lang]]
    every_message = [t for lang in LANGUAGES for t in mine[lang]]
    every_disclosure = [t for lang in LANGUAGES for _, t in dev[lang]]
    rows: list[tuple[str, list[str]]] = [
        ('the reply "1"', ["1"]),
        ("replies (1, oui, STOP, 👍...)", every_reply),
        ("ordinary messages", every_message),
        ("disclosures", every_disclosure),
    ]
    measure: list[tuple[str, Callable[[list[str]], float]]] = [
        ("first time", microseconds),
        ("words seen before", microseconds_warm),
    ]
    print("| µs per message, all six languages | " + " | ".join(m for m, _ in measure) + " |")
    print("|---|" + "---|" * len(measure))
    for name, texts in rows:
        print(f"| {name} | " + " | ".join(f"{f(texts):.1f}" for _, f in measure) + " |")


if __name__ == "__main__":
    main()
