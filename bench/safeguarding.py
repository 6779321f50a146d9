"""What the safeguarding detector catches, what it wrongly catches, and what it costs:
`python -m bench.safeguarding` (`make bench` runs it).

Every message is read against all six languages' patterns at once, and by the model, as the
bot reads it. The data is ours (tests/data/safeguarding, see its README) and the Pol.is
citizen comments (tests/data/polis-opendata, CC BY 4.0, The Computational Democracy Project):

- disclosures caught: the three test sets (never tuned on; see tests/data/safeguarding/README.md
  for what was known when) and the development set (by the patterns and rules: the model was
  trained on it); the concept rules alone on test set 3 (how far the rules, written as
  concepts, generalise to phrasings they never saw); each reader alone on the test sets, and
  the model's figures on unseen folds of its training data (dialogs/danger_model.py);
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
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from dialogs.danger_model import danger_model
from dialogs.safeguarding import Danger, danger_in, detector

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "safeguarding"
POLIS = ROOT / "tests" / "data" / "polis-opendata"
DEMO = ROOT / "api" / "demo" / "mulhouse.yaml"
LANGUAGES = ("fr", "en", "de", "ar", "tr", "pt")
TEST_SETS = ("test_set", "test_set_2", "test_set_3")
RECALL_TARGET = 0.95
FALSE_POSITIVE_TARGET = 0.005


@cache
def _yaml(name: str) -> dict:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


@cache
def disclosures(name: str) -> dict[str, list[tuple[str, str]]]:
    """`test_set`, `test_set_2`, `test_set_3` or `disclosures` (the development set, rounds 3
    and 4 included): per language, (category, text)."""
    raw = _yaml(name)
    if name == "disclosures":
        for later in rounds():
            raw = {lang: _joined(raw[lang], later[lang]["disclosures"]) for lang in raw}
    return {
        lang: [(category, text) for category, texts in by_category.items() for text in texts]
        for lang, by_category in raw.items()
    }


LATER_ROUNDS = ("round_3", "round_4")


def rounds() -> list[dict[str, dict]]:
    """Rounds 3 and 4's development data: per language, disclosures, ideas and ordinary
    messages, each round in its own file, written by people who never saw the detector."""
    return [_yaml(name) for name in LATER_ROUNDS]


def _joined(first: dict[str, list[str]], then: dict[str, list[str]]) -> dict[str, list[str]]:
    return {c: first.get(c, []) + then.get(c, []) for c in {**first, **then}}


def model_only_round() -> dict[str, dict]:
    """Round 5's data, written for the model: it trains it, and no rule writer has read it, so
    it measures the patterns and rules on other people's words (the bench prints how)."""
    return _yaml("round_5")


@cache
def ideas() -> dict[str, list[str]]:
    return {
        lang: texts + [t for later in rounds() for t in later[lang]["ideas"]]
        for lang, texts in _yaml("ideas").items()
    }


@cache
def replies() -> dict[str, list[str]]:
    return yaml.safe_load((DATA / "replies.yaml").read_text(encoding="utf-8"))


@cache
def ordinary() -> dict[str, list[str]]:
    out = {}
    for lang in LANGUAGES:
        lines = (DATA / "ordinary" / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
        out[lang] = [line for line in lines if line.strip() and not line.startswith("#")]
        out[lang] += [t for later in rounds() for t in later[lang]["ordinary"]]
    return out


@cache
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


def by_rules(text: str) -> Danger | None:
    """The concept rules alone (not the fixed patterns nor the model), all six languages on."""
    return detector().find(text, LANGUAGES, patterns=False, model=False)


def by_words(text: str) -> Danger | None:
    """The patterns and rules, without the model."""
    return detector().find(text, LANGUAGES, model=False)


def by_model(text: str) -> bool:
    model = danger_model()
    return model is not None and model.discloses(text)


def flagged(texts: Iterable[str]) -> list[tuple[str, Danger]]:
    return [(t, d) for t in texts if (d := danger_in(t, LANGUAGES)) is not None]


def read_back_misses(texts: list[str], language: str) -> list[str]:
    """The ideas the dialog does not read back as an idea to send, to a resident voting."""
    from bench.residents import demo_context
    from dialogs import Session, Stage, Text, step

    ctx = demo_context()
    missed = []
    for text in texts:
        session = Session(language=language, stage=Stage.VOTING, current=1, queue=[2, 3])
        turn = step(session, Text(text), ctx)
        if turn.session.stage is not Stage.IDEA_CONFIRMING or turn.session.draft != text:
            missed.append(text)
    return missed


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


@dataclass
class Row:
    """One language's figures, and the messages behind them (for --show)."""

    language: str
    missed_tests: list[list[str]]  # per test set, the disclosures not caught
    tests: list[int]  # per test set, its size
    missed_dev: list[str]
    dev: int
    ideas_flagged: list[tuple[str, Danger]]
    ideas_not_read: list[str]
    ideas: int
    false: list[tuple[str, Danger]]  # ordinary messages, replies, demo proposals
    ordinary: tuple[int, int, int]  # how many of each
    false_counts: tuple[int, int, int]


def measure(lang: str) -> Row:
    tests = [disclosures(name)[lang] for name in TEST_SETS]
    dev = disclosures("disclosures")[lang]
    hard = ideas()[lang]
    sources = (ordinary()[lang], replies()[lang], demo_texts()[lang])
    false = [flagged(texts) for texts in sources]
    return Row(
        lang,
        [[t for _, t in test if danger_in(t, LANGUAGES) is None] for test in tests],
        [len(test) for test in tests],
        [t for _, t in dev if by_words(t) is None],  # the model was trained on them
        len(dev),
        flagged(hard),
        read_back_misses(hard, lang),
        len(hard),
        [f for each in false for f in each],
        tuple(len(texts) for texts in sources),
        tuple(len(each) for each in false),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="list misses and false positives")
    parser.add_argument("--test-misses", action="store_true", help="list the test sets' misses")
    args = parser.parse_args()
    detector()  # compiled once, as a worker does at its first message
    rows = [measure(lang) for lang in LANGUAGES]
    polis = polis_comments()
    false_polis = flagged(polis)

    print(
        "| language | test set 1 caught | test set 2 caught | test set 3 caught "
        "| development set caught (patterns and rules) "
        "| policy ideas passed | ideas read back | false positives: ordinary | replies "
        "| demo proposals |"
    )
    print("|---|" + "---|" * (len(TEST_SETS) + 8))
    for r in rows:
        cells = [percent(n - len(m), n) for m, n in zip(r.missed_tests, r.tests, strict=True)]
        cells += [
            percent(r.dev - len(r.missed_dev), r.dev),
            percent(r.ideas - len(r.ideas_flagged), r.ideas),
            percent(r.ideas - len(r.ideas_not_read), r.ideas),
        ]
        cells += [percent(f, n) for f, n in zip(r.false_counts, r.ordinary, strict=True)]
        print(f"| {r.language} | " + " | ".join(cells) + " |")
    print()
    print(
        "Concept rules alone (without the fixed patterns), test set 3 caught: "
        + ", ".join(
            f"{lang} {percent(sum(by_rules(t) is not None for _, t in pairs), len(pairs))}"
            for lang, pairs in disclosures("test_set_3").items()
        )
    )
    _readers_apart()
    _rules_on_round_5()
    print(
        f"Pol.is citizen comments (English), false positives: "
        f"{percent(len(false_polis), len(polis))}"
    )
    recall = min(
        (n - len(m)) / n for r in rows for m, n in zip(r.missed_tests, r.tests, strict=True)
    )
    false_rate = max(sum(r.false_counts) / sum(r.ordinary) for r in rows)
    print(
        f"Targets: recall >= {RECALL_TARGET:.0%} in every language (worst {recall:.1%}); false "
        f"positives <= {FALSE_POSITIVE_TARGET:.1%} (worst language {false_rate:.2%}, Pol.is "
        f"{len(false_polis) / max(len(polis), 1):.2%}); ideas not read back: "
        f"{sum(len(r.ideas_not_read) for r in rows)}"
    )
    print()
    _timings()
    for r in rows:
        if args.test_misses:
            for n, missed in enumerate(r.missed_tests, start=1):
                print("\n".join(f"{r.language} test set {n} miss: {t}" for t in missed))
        if args.show:
            _show(r)
    if args.show:
        for t, d in false_polis:
            print(f"en Pol.is false positive [{d.language}: {d.pattern}]: {t}")


def _readers_apart() -> None:
    """Each reader alone on the test sets, which neither was written or trained on."""
    tests = {lang: [t for n in TEST_SETS for _, t in disclosures(n)[lang]] for lang in LANGUAGES}
    for name, reads in (("Patterns and rules alone", by_words), ("The model alone", by_model)):
        print(
            f"{name}, test sets 1-3 caught: "
            + ", ".join(
                f"{lang} {sum(bool(reads(t)) for t in texts)}/{len(texts)}"
                for lang, texts in tests.items()
            )
        )
    if (model := danger_model()) is not None:
        about = model.about
        print(
            f"The model (tools/train_danger_model.py, trained {about['trained']} on "
            f"{about['disclosures']} disclosures and {about['not_disclosures']} other "
            f"messages), on messages each of five folds did not see: disclosures caught "
            f"{about['unseen_recall']:.1%}, false alarms {about['unseen_false_alarms']:.2%} "
            f"(threshold {about['threshold']:.3f})"
        )


def _rules_on_round_5() -> None:
    """The patterns and rules on data no rule writer has read (the model was trained on it)."""
    later = model_only_round()
    said = [t for lang in LANGUAGES for texts in later[lang]["disclosures"].values() for t in texts]
    ordinary = [t for lang in LANGUAGES for t in later[lang]["ordinary"]]
    proposals = [t for lang in LANGUAGES for t in later[lang]["ideas"]]
    print(
        "Round 5 (no rule writer has read it; it trains the model), patterns and rules alone: "
        f"disclosures caught {percent(sum(bool(by_words(t)) for t in said), len(said))}, "
        f"hard ordinary messages flagged "
        f"{percent(sum(bool(by_words(t)) for t in ordinary), len(ordinary))}, "
        f"ideas flagged {percent(sum(bool(by_words(t)) for t in proposals), len(proposals))}"
    )


def _show(r: Row) -> None:
    for t in r.missed_dev:
        print(f"{r.language} miss: {t}")
    for t, d in r.ideas_flagged:
        print(f"{r.language} idea flagged [{d.language}: {d.pattern}]: {t}")
    for t in r.ideas_not_read:
        print(f"{r.language} idea not read back: {t}")
    for t, d in r.false:
        print(f"{r.language} false positive [{d.language}: {d.pattern}]: {t}")


def _timings() -> None:
    every_reply = [t for texts in replies().values() for t in texts]
    every_message = [t for texts in ordinary().values() for t in texts]
    every_disclosure = [t for pairs in disclosures("disclosures").values() for _, t in pairs]
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
