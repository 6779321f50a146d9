"""The report printed as a PDF by headless Chromium (Debian's `chromium`), from the same HTML:
its charts are inline SVG and its fonts local (fonts-noto-core shapes Arabic), so nothing is
fetched. Without Chromium the HTML report still works; the command says what to install."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT = 120  # seconds: a long report on a busy machine


class NoChromium(RuntimeError):
    """No headless Chromium to print with, or it failed."""


def chromium() -> str:
    for name in NAMES:
        if found := shutil.which(name):
            return found
    raise NoChromium(
        "no Chromium to print the PDF: apt-get install chromium fonts-noto-core "
        "(`make report-tools`); the HTML report is written"
    )


def print_pdf(html: Path, pdf: Path) -> None:
    """Print `html` into `pdf` (A4, as the page's @page rule says, no header or footer)."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="parlons-chromium-") as profile:
        command = [
            chromium(),
            "--headless",
            "--no-sandbox",  # as root in containers, where the sandbox will not start
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf.resolve()}",
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired as slow:
            raise NoChromium(f"Chromium did not print within {TIMEOUT} s") from slow
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        raise NoChromium(f"Chromium failed: {done.stderr.decode(errors='replace')[-500:]}")
