"""The repository stands alone: a person who clones it, with nothing beside it, can run, test
and benchmark it. No tracked file reads the team's folder beside the checkout or names a path
of one machine; what the tests and benchmarks read is inside, with its licence."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from bench import consultations
from tests.conftest import POLIS_OPEN_DATA, WEBHOOKS

ROOT = Path(__file__).resolve().parents[1]
# Written in pieces so that this file does not match its own patterns.
OUTSIDE = re.compile(
    "|".join(
        (
            r"\.\./" + "shared",  # the team's folder beside the checkout
            r"(?<![\w.~-])/" + r"(?:work|root|home/[\w.-]+|Users/[\w.-]+)/",  # a machine's paths
            r"parents\[[2-9]\]",  # climbing out of the repository from a module
        )
    )
)


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return [ROOT / name for name in listed.decode().split("\0") if name]


def test_no_tracked_file_reads_outside_the_repository() -> None:
    offenders = []
    for path in tracked_files():
        if path.suffix in {".csv", ".mo", ".png"} or not path.is_file():
            continue  # data: read, never code that reads
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not offenders, "reads outside the repository:\n" + "\n".join(offenders)


@pytest.mark.parametrize("line", ["see ../" + "shared/ARCHITECTURE.md", 'Path("/' + 'work/x")'])
def test_the_check_catches_what_it_is_for(line: str) -> None:
    assert OUTSIDE.search(line)


def test_the_data_kept_inside_carries_its_licence() -> None:
    notes = (POLIS_OPEN_DATA / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in notes and "Computational Democracy Project" in notes
    conversations = [d for d in POLIS_OPEN_DATA.iterdir() if (d / "votes.csv").is_file()]
    assert len(conversations) == 5
    for kind in ("twilio_sms", "twilio_voice", "telegram"):
        assert any((WEBHOOKS / kind).glob("*.json")), kind


def test_the_benchmarks_find_their_data_inside() -> None:
    assert consultations.REPOSITORY_POLIS == POLIS_OPEN_DATA
    assert consultations.polis_datasets() == sorted(
        d.name for d in POLIS_OPEN_DATA.iterdir() if d.is_dir()
    )
