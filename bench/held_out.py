"""The blind sets (tests/data/held_out): figures only, never the messages.

`python -m bench.held_out` (`make bench` runs it) measures the safeguarding detector and the
reading of answers on sets written by someone who never saw their rules, and never opened by
whoever changes them (tests/data/held_out/README.md). It prints counts and nothing of the
texts: listing a miss would invite a rule written from it, and the set would stop being blind.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from bench.answers import read, table
from bench.residents import demo_context
from bench.safeguarding import LANGUAGES, flagged, percent, read_back_misses
from dialogs.safeguarding import danger_in

HELD_OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "held_out"


@cache
def _load(name: str) -> dict:
    return yaml.safe_load((HELD_OUT / f"{name}.yaml").read_text(encoding="utf-8"))


def safeguarding() -> None:
    disclosures, ideas, ordinary = (
        _load(name)
        for name in ("safeguarding_disclosures", "safeguarding_ideas", "safeguarding_ordinary")
    )
    print(
        "| language | disclosures caught | policy ideas passed | ideas read back "
        "| false positives: ordinary |"
    )
    print("|---|---|---|---|---|")
    for lang in LANGUAGES:
        said = [text for texts in disclosures[lang].values() for text in texts]
        caught = sum(danger_in(text, LANGUAGES) is not None for text in said)
        proposals = ideas[lang]
        passed = len(proposals) - len(flagged(proposals))
        read_back = len(proposals) - len(read_back_misses(proposals, lang))
        false = len(flagged(ordinary[lang]))
        cells = [
            percent(caught, len(said)),
            percent(passed, len(proposals)),
            percent(read_back, len(proposals)),
            percent(false, len(ordinary[lang])),
        ]
        print(f"| {lang} | " + " | ".join(cells) + " |")


def main() -> None:
    print("Held-out safeguarding sets (blind; all six languages read at once, as the bot reads)")
    print()
    safeguarding()
    print()
    print("Held-out answers (blind), demo consultation")
    print()
    table(read(HELD_OUT / "answers.tsv"), demo_context())


if __name__ == "__main__":
    main()
