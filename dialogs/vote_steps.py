"""Answers to a proposal: a vote, a vote changed (CHANGE), and the optional qualification
that follows a vote on the channels that want it."""

from __future__ import annotations

from dialogs import prompts as p
from dialogs.flow import VOTE_WORDS, carry_on, not_understood, pick
from dialogs.idea_steps import is_idea, read_back
from dialogs.interface import CastBallot, Context, Event, Press, Say, Turn
from dialogs.session import Session, Stage
from dialogs.words import Intent, Understood


def answer_vote(s: Session, ctx: Context, event: Event, heard: Understood, paused: bool) -> Turn:
    options = p.vote_options(p.tr(s, ctx))
    choice = pick(event, heard, options, VOTE_WORDS, about=s.current)
    if choice is None or s.current is None:
        # An idea sent instead of a vote (and holding no answer): read it back.
        if not paused and is_idea(event, heard, p.language_of(s, ctx)):
            return read_back(s, ctx, event)
        return not_understood(s, ctx, event, heard, paused)
    ballot = CastBallot(s.current, choice)
    s.last, s.last_choice = s.current, choice
    s.answered += 1
    s.answered_recently(s.current)
    s.misunderstood = 0
    s.current = None
    noted = [Say(p.tr(s, ctx).gettext("Noted."))]
    if ctx.qualify and choice != "skip" and s.last in ctx.proposals:
        s.stage = Stage.QUALIFYING
        return Turn(s, (*noted, p.qualify_question(s, ctx)), (ballot,))
    return carry_on(s, ctx, noted, (ballot,))


def answer_change(s: Session, ctx: Context, event: Event, heard: Understood, paused: bool) -> Turn:
    options = p.vote_options(p.tr(s, ctx))
    choice = pick(event, heard, options, {**VOTE_WORDS, Intent.CANCEL: "cancel"}, about=s.last)
    if choice is None:
        return not_understood(s, ctx, event, heard, paused)
    if choice == "cancel" or s.last is None:
        return carry_on(s, ctx, [])
    s.last_choice = choice
    changed = Say(p.tr(s, ctx).gettext("Your answer is changed."))
    return carry_on(s, ctx, [changed], (CastBallot(s.last, choice),))


def answer_qualify(s: Session, ctx: Context, event: Event, heard: Understood, paused: bool) -> Turn:
    ask = p.qualify_question(s, ctx)
    words = {Intent.SKIP: "go_on", Intent.CANCEL: "go_on"}
    qualification = pick(event, heard, ask.options, words, about=s.last)
    if qualification is None and isinstance(event, Press):
        return not_understood(s, ctx, event, heard, paused)  # an old button: nothing moves
    if qualification is None:
        return carry_on(s, ctx, [])  # optional: anything else goes on to the next proposal
    if qualification == "go_on" or s.last is None or s.last_choice is None:
        return carry_on(s, ctx, [])
    return carry_on(s, ctx, [], (CastBallot(s.last, s.last_choice, qualification),))
