"""The blind sets (tests/data/held_out): figures only, never the messages.

`python -m bench.held_out` (`make bench` runs it) measures the safeguarding detector and the
reading of answers on sets written by someone who never saw their rules, and never opened by
whoever changes them (tests/data/held_out/README.md). It prints counts and nothing of the
texts: listing a miss would invite a rule written from it, and the set would stop being blind.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import yaml

from bench.answers import read, table
from bench.residents import demo_context
from bench.safeguarding import LANGUAGES, flagged, percent, read_back_misses
from dialogs.danger_rules import CATEGORIES
from dialogs.safeguarding import danger_in

HELD_OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "held_out"


@cache
def _load(name: str) -> dict:
    return yaml.safe_load((HELD_OUT / f"{name}.yaml").read_text(encoding="utf-8"))


def safeguarding_sets() -> Iterator[tuple[str, dict, dict, dict]]:
    """Each blind set's name, then per language: disclosures by category, ideas, ordinary."""
    yield (
        "set 1 (2026-12-06)",
        _load("safeguarding_disclosures"),
        _load("safeguarding_ideas"),
        _load("safeguarding_ordinary"),
    )
    second = _load("safeguarding_2")
    yield (
        "set 2 (2026-12-07, one writer per language)",
        {lang: parts["disclosures"] for lang, parts in second.items()},
        {lang: parts["ideas"] for lang, parts in second.items()},
        {lang: parts["ordinary"] for lang, parts in second.items()},
    )


def safeguarding(disclosures: dict, ideas: dict, ordinary: dict) -> None:
    print(
        "| language | disclosures caught | policy ideas passed | ideas read back "
        "| false positives: ordinary | caught per category: "
        + ", ".join(c.replace("_", " ") for c in CATEGORIES)
        + " |"
    )
    print("|---|---|---|---|---|---|")
    for lang in LANGUAGES:
        found = {
            category: sum(danger_in(text, LANGUAGES) is not None for text in texts)
            for category, texts in disclosures[lang].items()
        }
        said = sum(len(texts) for texts in disclosures[lang].values())
        proposals = ideas[lang]
        passed = len(proposals) - len(flagged(proposals))
        read_back = len(proposals) - len(read_back_misses(proposals, lang))
        false = len(flagged(ordinary[lang]))
        cells = [
            percent(sum(found.values()), said),
            percent(passed, len(proposals)),
            percent(read_back, len(proposals)),
            percent(false, len(ordinary[lang])),
            ", ".join(f"{found.get(c, 0)}/{len(disclosures[lang].get(c, ()))}" for c in CATEGORIES),
        ]
        print(f"| {lang} | " + " | ".join(cells) + " |")


def main() -> None:
    for name, disclosures, ideas, ordinary in safeguarding_sets():
        print(f"Held-out safeguarding {name}: blind; all six languages read at once")
        print()
        safeguarding(disclosures, ideas, ordinary)
        print()
    print("Held-out answers (blind), demo consultation")
    print()
    table(read(HELD_OUT / "answers.tsv"), demo_context())


if __name__ == "__main__":
    main()
