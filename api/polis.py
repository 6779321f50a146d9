"""Pol.is's export format (comments.csv, votes.csv, participants-votes.csv, summary.csv), as
in the open-data files: read it to carry a conversation onto SMS and the phone, write it so
Pol.is's own analysis tools read our consultations. Pure: files and rows, no database.

Signs as in the open data: a vote is 1 agree, -1 disagree, 0 pass (our skip). A comment's
`moderated` is 1 accepted, -1 rejected, 0 not yet moderated.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

COMMENTS = ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
            "moderated", "comment-body"]  # fmt: skip
VOTES = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
# What an import needs: newer exports drop `datetime` from comments.csv and add columns.
NEEDED_COMMENTS = ["timestamp", "comment-id", "author-id", "moderated", "comment-body"]
NEEDED_VOTES = ["timestamp", "comment-id", "voter-id", "vote"]
PARTICIPANTS_VOTES = ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]
FILES = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    author: int
    at_ms: int
    moderated: int
    body: str


@dataclass(frozen=True, slots=True)
class Vote:
    voter: int
    comment: int
    vote: int
    at_ms: int


@dataclass(frozen=True)
class Conversation:
    topic: str
    description: str
    comments: list[Comment]
    votes: list[Vote]


class PolisFormatError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(
            "; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else "")
        )
        self.errors = errors


def datetime_text(at_ms: int) -> str:
    """Pol.is's `datetime` column (Java's Date.toString), here always in UTC."""
    return datetime.fromtimestamp(at_ms / 1000, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def last_votes(votes: Iterable[Vote]) -> dict[tuple[int, int], Vote]:
    """Each participant's last vote on each comment (a later vote replaces an earlier one)."""
    last: dict[tuple[int, int], Vote] = {}
    for v in sorted(votes, key=lambda v: v.at_ms):  # stable: file order breaks ties
        last[v.voter, v.comment] = v
    return last


# --- reading ------------------------------------------------------------------------------


def read(folder: Path) -> Conversation:
    """Read a Pol.is export folder; every bad line is reported, with its file and number."""
    errors: list[str] = []
    comments = [
        Comment(
            int(r["comment-id"]),
            int(r["author-id"]),
            int(r["timestamp"]),
            int(r["moderated"]),
            r["comment-body"],
        )  # fmt: skip
        for r in _rows(folder / "comments.csv", NEEDED_COMMENTS, errors, _check_comment)
    ]
    votes = [
        Vote(int(r["voter-id"]), int(r["comment-id"]), int(r["vote"]), int(r["timestamp"]))
        for r in _rows(folder / "votes.csv", NEEDED_VOTES, errors, _check_vote)
    ]
    known = {c.id for c in comments}
    if len(known) < len(comments):
        errors.append("comments.csv: a comment-id appears twice")
    for v in votes:
        if v.comment not in known:
            errors.append(f"votes.csv: a vote on comment {v.comment}, which is not in comments.csv")
            break
    summary = _summary(folder / "summary.csv")
    if errors:
        raise PolisFormatError(errors)
    return Conversation(
        topic=summary.get("topic", ""),
        description=summary.get("conversation-description", ""),
        comments=sorted(comments, key=lambda c: c.id),
        votes=votes,
    )


def _is_int(text: str | None) -> bool:
    try:
        int(text or "")
    except ValueError:
        return False
    return True


def _check_comment(row: dict[str, str]) -> str | None:
    for column in ("timestamp", "comment-id", "author-id", "moderated"):
        if not _is_int(row.get(column)):
            return f"{column} is not a whole number: {row.get(column)!r}"
    if row["moderated"] not in {"-1", "0", "1"}:
        return f"moderated must be -1, 0 or 1, not {row['moderated']!r}"
    return None  # an empty comment-body is kept: Pol.is has them (moderated out)


def _check_vote(row: dict[str, str]) -> str | None:
    for column in ("timestamp", "comment-id", "voter-id"):
        if not _is_int(row.get(column)):
            return f"{column} is not a whole number: {row.get(column)!r}"
    if row.get("vote") not in {"-1", "0", "1"}:
        return f"vote must be -1, 0 or 1, not {row.get('vote')!r}"
    return None


def _rows(path: Path, columns: list[str], errors: list[str], check) -> list[dict[str, str]]:  # noqa: ANN001
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                errors.append(f"{path.name}: missing columns {missing}")
                return []
            good = []
            for row in reader:
                if (problem := check(row)) is not None:
                    errors.append(f"{path.name} line {reader.line_num}: {problem}")
                else:
                    good.append(row)
            return good
    except OSError as e:
        errors.append(f"{path.name}: {e.strerror or e}")
        return []


def _summary(path: Path) -> dict[str, str]:
    """summary.csv is key,value lines; it is optional on import."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return {row[0]: row[1] for row in csv.reader(f) if len(row) >= 2}


# --- writing ------------------------------------------------------------------------------


def comments_rows(comments: Sequence[Comment], votes: Sequence[Vote]) -> list[list[object]]:
    """comments.csv, agrees and disagrees counted from each participant's last vote."""
    agrees: dict[int, int] = {}
    disagrees: dict[int, int] = {}
    for v in last_votes(votes).values():
        if v.vote == 1:
            agrees[v.comment] = agrees.get(v.comment, 0) + 1
        elif v.vote == -1:
            disagrees[v.comment] = disagrees.get(v.comment, 0) + 1
    return [COMMENTS] + [
        [
            c.at_ms,
            datetime_text(c.at_ms),
            c.id,
            c.author,
            agrees.get(c.id, 0),
            disagrees.get(c.id, 0),
            c.moderated,
            c.body,
        ]  # fmt: skip
        for c in comments
    ]


def votes_rows(votes: Sequence[Vote]) -> list[list[object]]:
    ordered = sorted(votes, key=lambda v: (v.at_ms, v.voter, v.comment))
    return [VOTES] + [
        [v.at_ms, datetime_text(v.at_ms), v.comment, v.voter, v.vote] for v in ordered
    ]


def participants_votes_rows(
    comments: Sequence[Comment], votes: Sequence[Vote], groups: dict[int, int]
) -> list[list[object]]:
    """One row per participant who voted: their group (empty when not placed), how many
    comments they wrote, their votes, then their last vote on each comment (empty: none)."""
    ids = [c.id for c in sorted(comments, key=lambda c: c.id)]
    last = last_votes(votes)
    authored: dict[int, int] = {}
    for c in comments:
        authored[c.author] = authored.get(c.author, 0) + 1
    rows: list[list[object]] = [PARTICIPANTS_VOTES + [str(i) for i in ids]]
    for voter in sorted({v.voter for v in last.values()}):
        cells = [last.get((voter, i)) for i in ids]
        cast = [c.vote for c in cells if c is not None]
        rows.append(
            [
                voter,
                groups.get(voter, ""),
                authored.get(voter, 0),
                len(cast),
                cast.count(1),
                cast.count(-1),
            ]  # fmt: skip
            + ["" if c is None else c.vote for c in cells]
        )
    return rows


def summary_rows(summary: dict[str, object]) -> list[list[object]]:
    return [[key, value] for key, value in summary.items()]
