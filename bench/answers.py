"""Answers in residents' own words: how many the dialog understands, per language and channel.

`python -m bench.answers` plays each labelled utterance (tests/data/answers.tsv, and apart the
test sets tests/data/answers_test.tsv and answers_test_2.tsv, written before the rules and
never tuned on) through
`dialogs.step`, from a session standing at the utterance's stage, on the demo consultation
(six languages); a `voice` row is heard as a phone call's speech result. What the turn did is
read back as a meaning (a ballot's choice, an idea read back, the menu opened...) and compared
with the label:

- understood: the labelled meaning (for "again": the question asked again, nothing taken);
- asked again: nothing taken, the question asked again (a repeat: the resident loses nothing);
- wrong: taken as another choice or word (a wrong vote, an opt-out...);
- taken as an idea: read back as the resident's own idea when it was not one.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import dialogs.steps
from bench.residents import demo_context
from dialogs import (
    CastBallot,
    Context,
    Erase,
    HearBack,
    OptOut,
    Session,
    SetProfile,
    Stage,
    SubmitIdea,
    Text,
    Turn,
    step,
)
from dialogs import prompts as p

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
LABELLED = DATA / "answers.tsv"
TEST_SET = DATA / "answers_test.tsv"
# Round 2's test set, written by another hand before round 2's rules (tests/data/README.md).
TEST_SET_2 = DATA / "answers_test_2.tsv"
# Written after round 2's rules, committed before its first run, never tuned on.
TEST_SET_3 = DATA / "answers_test_3.tsv"
# Round 3's set (sentences with a reason, a condition, two numbers): committed before its rules.
TEST_SET_4 = DATA / "answers_test_4.tsv"
# Speech results with a confidence, some misheard: `--confidence` replays them per threshold.
MISHEARD = DATA / "answers_misheard.tsv"
DRAFT = "Il faut plus de bancs dans les parcs."


class Utterance(NamedTuple):
    text: str
    language: str
    stage: str
    channel: str
    meaning: str
    confidence: float | None = None


def read(path: Path) -> list[Utterance]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [line.split("\t") for line in lines if not line.startswith("#")]
    header, *body = rows
    assert header[:5] == ["text", "language", "stage", "channel", "meaning"], header
    return [
        Utterance(*row[:5], float(row[5]) if len(row) > 5 and row[5] else None) for row in body
    ]


def standing_at(stage: str, language: str, ctx: Context) -> Session:
    """A resident in the middle of a conversation, at `stage`."""
    ids = sorted(ctx.proposals)
    s = Session(language=language, stage=Stage(stage), queue=ids[3:8], answered=2)
    s.last, s.last_choice, s.offered = ids[0], "agree", "i"
    if s.stage in (Stage.VOTING, Stage.CHANGING):
        s.current = ids[1]
    if s.stage is Stage.IDEA_OFFERED:
        s.answered, s.offered = 3, "i"
    if s.stage is Stage.IDEA_CONFIRMING:
        s.draft = DRAFT
    if s.stage is Stage.HEAR_BACK:
        s.offered = "iph"
    return s


def meaning_of(before: Session, turn: Turn, ctx: Context) -> str:
    """What the turn took the utterance to mean, in the labels' words."""
    after, effects = turn.session, turn.effects
    for effect in effects:
        match effect:
            case OptOut():
                return "stop"
            case CastBallot(choice=choice) if before.stage in (Stage.VOTING, Stage.CHANGING):
                return str(choice)
            case SubmitIdea(flags=()):
                return "send"
            case HearBack(wanted=wanted):
                return "yes" if wanted else "no"
            case Erase():
                return "erase"
            case SetProfile(age_band=band) if band:
                return "yes" if before.stage is Stage.CONSENT else band
    if after.stage is Stage.IDEA_CONFIRMING and after.draft != before.draft:
        return "idea_text"
    if after.stage is Stage.IDEA_WRITING and before.stage is not Stage.IDEA_WRITING:
        return {Stage.IDEA_OFFERED: "write", Stage.IDEA_CONFIRMING: "rewrite"}.get(
            before.stage, "idea"
        )
    for stage, word in ((Stage.LANGUAGE, "language"), (Stage.CHANGING, "change")):
        if after.stage is stage and before.stage is not stage:
            return word
    if after.stage is Stage.ERASING and before.stage is not Stage.ERASING:
        return "erase"
    if before.stage is Stage.LANGUAGE and after.stage is not Stage.LANGUAGE:
        return after.language or "?"
    help_text = p.help_text(after, ctx).text.split(".")[0]
    if turn.replies and turn.replies[0].text.startswith(help_text):
        return "help"
    if after.stage is before.stage and after.current == before.current:
        if before.stage is Stage.DISTRICT or after.draft == before.draft:
            return "again"
    return {
        Stage.IDEA_OFFERED: "later",
        Stage.IDEA_CONFIRMING: "cancel",
        Stage.ERASING: "keep",
        Stage.CONSENT: "no",
        Stage.DISTRICT: after.district or "skip",
        Stage.AGE: "skip",
        Stage.QUALIFYING: "go_on",
    }.get(before.stage, "moved on")


def outcome(u: Utterance, ctx: Context) -> str:
    """understood, again, wrong or idea."""
    here = replace(ctx, spoken=u.channel == "voice", reachable=u.channel != "kiosk")
    before = standing_at(u.stage, u.language, here)
    got = meaning_of(before, step(before, Text(u.text, confidence=u.confidence), here), here)
    if got == u.meaning:
        return "understood"
    if got == "again":
        return "again"
    return "idea" if got == "idea_text" else "wrong"


def table(utterances: list[Utterance], ctx: Context, show_misses: bool = False) -> None:
    tally: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for u in utterances:
        result = outcome(u, ctx)
        tally[u.language, u.channel][result] += 1
        tally[u.language, "all"][result] += 1
        if show_misses and result != "understood":
            print(f"  {result}: {u.language} {u.stage} {u.channel} {u.text!r} -> {u.meaning}")
    print(
        "| language | channel | utterances | understood | asked again | wrong "
        "| taken as an idea |"
    )
    print("|---|---|---|---|---|---|---|")
    for (language, channel), c in sorted(tally.items(), key=_order):
        n = sum(c.values())
        name = f"**{channel}**" if channel == "all" else channel
        print(
            f"| {language} | {name} | {n} | {c['understood'] / n:.0%} | {c['again']} "
            f"| {c['wrong']} | {c['idea']} |"
        )


def _order(item: tuple[tuple[str, str], Counter]) -> tuple[int, str]:
    (language, channel), _ = item
    return ("fr en de ar tr pt".split().index(language), channel == "all", channel)


THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


def confidence_sweep(utterances: list[Utterance], ctx: Context) -> None:
    """The voice rows that carry Twilio's Confidence, replayed under each threshold: what a
    threshold costs in repeats, and what it lets through as wrong answers."""
    heard = [u for u in utterances if u.channel == "voice" and u.confidence is not None]
    print(f"Confidence thresholds, {len(heard)} speech results with a confidence")
    print()
    print("| threshold | understood | asked again | wrong | taken as an idea |")
    print("|---|---|---|---|---|")
    kept = dialogs.steps.MIN_CONFIDENCE
    try:
        for threshold in THRESHOLDS:
            dialogs.steps.MIN_CONFIDENCE = threshold
            c = Counter(outcome(u, ctx) for u in heard)
            print(
                f"| {threshold:.1f} | {c['understood']} | {c['again']} | {c['wrong']} "
                f"| {c['idea']} |"
            )
    finally:
        dialogs.steps.MIN_CONFIDENCE = kept


def main() -> None:
    ctx = demo_context()
    misses = "--misses" in sys.argv
    if "--confidence" in sys.argv:
        confidence_sweep([*read(LABELLED), *read(MISHEARD)], ctx)
        return
    if LABELLED.exists():
        print(f"Labelled utterances ({LABELLED.name}), demo consultation")
        print()
        table(read(LABELLED), ctx, misses)
        print()
    print(f"TEST SET ({TEST_SET.name}: written before the rules, never tuned on)")
    print()
    table(read(TEST_SET), ctx, misses)
    if TEST_SET_2.exists():
        print()
        print(f"TEST SET 2 ({TEST_SET_2.name}: written before round 2's rules, never tuned on)")
        print()
        table(read(TEST_SET_2), ctx, misses)
    if TEST_SET_3.exists():
        print()
        print(f"TEST SET 3 ({TEST_SET_3.name}: written after round 2's rules, never tuned on)")
        print()
        table(read(TEST_SET_3), ctx, misses)
    if TEST_SET_4.exists():
        print()
        print(f"TEST SET 4 ({TEST_SET_4.name}: written before round 3's rules, never tuned on)")
        print()
        table(read(TEST_SET_4), ctx, misses)


if __name__ == "__main__":
    main()
