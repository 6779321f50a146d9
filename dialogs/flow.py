"""What comes after an answer, for every stage: the next question, a one-time offer, the
choices read from what the resident sent, or the line that says we did not understand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dialogs import prompts as p
from dialogs.interface import (
    Ask,
    Context,
    Effect,
    Event,
    Option,
    Press,
    Reply,
    Say,
    Text,
    Turn,
    numbered,
)
from dialogs.session import Session, Stage
from dialogs.words import Intent, Understood, normalise

IDEA_OFFER_AFTER = 3  # votes before we offer, once, to send an idea of one's own
PROFILE_AFTER = 5  # votes before we ask, once, the optional profile
HEAR_BACK_AFTER = 10  # votes before we ask, once, whether we may write about the results
FULL_HELP_AFTER = 3  # misunderstandings in a row before the fuller help

VOTE_WORDS = {Intent.AGREE: "agree", Intent.DISAGREE: "disagree", Intent.SKIP: "skip"}


def pick(
    event: Event,
    heard: Understood,
    options: Sequence[Option],
    words: Mapping[Intent, str] = {},  # noqa: B006 (never mutated)
    about: int | None = None,
) -> str | None:
    """The key of the option the resident chose: a button, its digit, or a word for it.

    A reply that says several things ("1 d'accord", "oui, j'ai une idée") chooses only when
    they all name the same option; else nothing is chosen and the question is asked again.
    """
    keys = {o.key for o in options}
    if isinstance(event, Press):
        return event.key if event.key in keys and event.about == about else None
    chosen = {words.get(intent) for intent in heard.all()}
    if heard.number is not None:
        chosen.add(next((o.key for d, o in numbered(options) if d == heard.number), None))
    return chosen.pop() if len(chosen) == 1 else None


def named(event: Event, options: Sequence[Option]) -> str | None:
    """An option typed out by name: "Bourtzwiller", "english", "Türkçe"."""
    if not isinstance(event, Text):
        return None
    said = normalise(event.text)
    return next((o.key for o in options if said and normalise(o.label) == said), None)


def not_understood(s: Session, ctx: Context, event: Event, heard: Understood, paused: bool) -> Turn:
    if isinstance(event, Press):
        # An old button pressed again: nothing is recorded, the current question stands.
        stale = p.tr(s, ctx).gettext("That question is already answered.")
        return Turn(s, (Say(stale), *ask_again(s, ctx)), stale=True)
    if paused:
        return Turn(s, (p.welcome_back(s, ctx), *ask_again(s, ctx)))
    s.misunderstood += 1
    if s.misunderstood >= FULL_HELP_AFTER:
        s.misunderstood = 0
        return Turn(s, (p.help_text(s, ctx, full=True), *ask_again(s, ctx)))
    again = ask_again(s, ctx)
    if again and isinstance(again[-1], Ask):
        # One short line and the choices: the resident still has the question on screen.
        return Turn(s, (Ask(p.not_understood(s, ctx).text, again[-1].options, again[-1].about),))
    t = p.tr(s, ctx)
    ask_help = (
        t.pgettext("spoken", "Say HELP for help.")
        if ctx.spoken
        else t.gettext("Send HELP for help.")
    )
    return Turn(s, (Say(p.not_understood(s, ctx).text + " " + ask_help),))


def ask_again(s: Session, ctx: Context) -> list[Reply]:
    """The question the resident is answering, asked again (nothing when there is none)."""
    return p.question_for(s, ctx)


def carry_on(
    s: Session, ctx: Context, replies: list[Reply], effects: tuple[Effect, ...] = ()
) -> Turn:
    """After an answer: back to the proposal on the table, or a one-time offer (an idea, the
    profile), or the next proposal, or the news that every proposal was seen."""
    t = p.tr(s, ctx)
    s.misunderstood = 0
    if s.current in ctx.proposals:
        s.stage = Stage.VOTING
        return Turn(s, (*replies, *p.proposal_question(s, ctx)), effects)
    s.current = None
    if s.answered >= IDEA_OFFER_AFTER and "i" not in s.offered:
        s.offered += "i"
        s.stage = Stage.IDEA_OFFERED
        return Turn(s, (*replies, p.idea_offer(t, ctx.spoken)), effects)
    if s.answered >= PROFILE_AFTER and "p" not in s.offered and ctx.districts:
        s.offered += "p"
        s.stage = Stage.DISTRICT
        return Turn(s, (*replies, p.district_question(s, ctx)), effects)
    if s.answered >= HEAR_BACK_AFTER and may_ask_hear_back(s, ctx):
        return ask_hear_back(s, ctx, replies, effects)
    # A queued proposal may have been withdrawn since: pass over what we cannot show.
    while s.queue and s.current is None:
        candidate = s.queue.pop(0)
        if candidate in ctx.proposals:
            s.current = candidate
    if s.current is not None:
        s.stage = Stage.VOTING
        return Turn(s, (*replies, *p.proposal_question(s, ctx)), effects)
    s.stage = Stage.DONE
    seen = p.all_seen(t, ctx.spoken)
    if "i" not in s.offered:
        s.offered += "i"
        s.stage = Stage.IDEA_OFFERED
        return Turn(s, (*replies, seen, p.idea_offer(t, ctx.spoken)), effects)
    if may_ask_hear_back(s, ctx):
        return ask_hear_back(s, ctx, [*replies, seen], effects)
    return Turn(s, (*replies, seen), effects)


def may_ask_hear_back(s: Session, ctx: Context) -> bool:
    """Asked once, and never at a shared tablet: the next resident would be the one told."""
    return "h" not in s.offered and ctx.reachable


def ask_hear_back(
    s: Session, ctx: Context, replies: list[Reply], effects: tuple[Effect, ...]
) -> Turn:
    """Once, at the end (every proposal seen, enough votes, or an idea sent): may we write?"""
    s.offered += "h"
    s.stage = Stage.HEAR_BACK
    return Turn(s, (*replies, p.hear_back_question(p.tr(s, ctx))), effects)
