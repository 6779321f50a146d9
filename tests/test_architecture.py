"""The import rules of docs/architecture.md hold (.importlinter, as `make lint` checks them),
and a wrong import breaks them: the checker is run on a copy of the packages with one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGES = ("api", "bot", "channels", "dialogs")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), str(where / ".importlinter"), "--no-cache", "--no-logo"],
        cwd=where,
        env={"PYTHONPATH": str(where), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / ".importlinter", tmp_path)
    return tmp_path


def add_import(module: Path, line: str) -> None:
    text = module.read_text(encoding="utf-8")
    head, _, rest = text.partition("from __future__ import annotations\n")
    module.write_text(f"{head}from __future__ import annotations\n\n{line}\n{rest}", "utf-8")


def test_the_code_keeps_every_import_rule(tmp_path: Path) -> None:
    done = lint_imports(copy_of_the_code(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_api_importing_the_bot_breaks_a_rule(tmp_path: Path) -> None:
    code = copy_of_the_code(tmp_path)
    add_import(code / "api" / "ballots.py", "from bot.settings import Settings  # noqa: F401")
    done = lint_imports(code)
    assert done.returncode == 1
    assert "The API imports none of the others BROKEN" in done.stdout
    assert "api.ballots -> bot.settings" in done.stdout


def test_a_room_reaching_for_the_wiring_breaks_a_rule_even_for_type_checking(
    tmp_path: Path,
) -> None:
    code = copy_of_the_code(tmp_path)
    add_import(
        code / "bot" / "turns" / "runtime.py",
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from bot.wiring import Parlons",
    )
    done = lint_imports(code)
    assert done.returncode == 1
    assert "Only the app, the command line and its commands import the wiring BROKEN" in done.stdout
    assert "No cycle between the bot's rooms BROKEN" in done.stdout


def test_a_channel_importing_the_runtime_breaks_the_spine(tmp_path: Path) -> None:
    code = copy_of_the_code(tmp_path)
    add_import(code / "channels" / "sms.py", "from bot.turns.runtime import Runtime  # noqa: F401")
    done = lint_imports(code)
    assert done.returncode == 1
    assert "The spine points one way: bot -> channels -> dialogs BROKEN" in done.stdout
