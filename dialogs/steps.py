"""The conversation: one event in, the next state, the replies and the effects out.

`step` is a pure function: no clock, no network, no database. The runtime gives it the
session and the proposals it may need, then stores the new session and performs the effects.
"""

from __future__ import annotations

from gettext import NullTranslations

from dialogs.i18n import translator
from dialogs.session import Session, Stage
from dialogs.vocabulary import (
    Ask,
    CastBallot,
    Context,
    Effect,
    Event,
    OptIn,
    Option,
    OptOut,
    Reply,
    Say,
    Turn,
)
from dialogs.words import VOTES, Intent, understand


def step(session: Session, event: Event, ctx: Context) -> Turn:
    s = session.copy()
    heard = understand(event.text, s.language or ctx.default_language, ctx.languages)

    if s.stopped:
        if heard.intent is not Intent.START:
            return Turn(s)  # STOP means silence until START, whatever is sent
        s.stopped = False
        t = _t(s, ctx)
        return _with_next_proposal(s, ctx, [Say(_welcome_back(t, s))], effects=(OptIn(),))

    if heard.intent is Intent.STOP:
        s.stopped = True
        t = _t(s, ctx)
        stop = t.gettext("You will get no more messages. Send START to come back.")
        return Turn(s, (Say(stop),), (OptOut(),))

    if s.stage is Stage.NEW:
        greeted_in = heard.language if heard.intent is Intent.GREETING else None
        s.language = greeted_in if greeted_in in ctx.languages else ctx.default_language
        t = _t(s, ctx)
        welcome = t.gettext(
            "Hello! %(question)s Vote on your neighbours' ideas. Your identity stays private. "
            "HELP for help, STOP to quit."
        ) % {"question": ctx.question_in(s.language)}
        return _with_next_proposal(s, ctx, [Say(welcome)])

    t = _t(s, ctx)
    if heard.intent is Intent.HELP:
        s.misunderstood = 0
        help_text = t.gettext(
            "We ask your opinion on residents' ideas. Answer each proposal with 1, 2 or 3. "
            "STOP to quit."
        )
        return _repeat_or_next(s, ctx, [Say(help_text)])

    if heard.intent in (Intent.START, Intent.GREETING):
        s.misunderstood = 0
        return _repeat_or_next(s, ctx, [Say(_welcome_back(t, s))])

    if s.stage is Stage.VOTING and heard.intent in VOTES and s.current is not None:
        ballot = CastBallot(s.current, VOTES[heard.intent])
        s.answered += 1
        s.misunderstood = 0
        s.current = None
        return _with_next_proposal(s, ctx, [Say(t.gettext("Noted, thank you."))], (ballot,))

    if s.stage is Stage.DONE and s.queue:
        return _with_next_proposal(s, ctx, [])

    s.misunderstood += 1
    sorry = t.gettext("Sorry, I did not understand.")
    if s.stage is Stage.VOTING:
        return Turn(s, (Ask(sorry, _vote_options(t)),))
    return Turn(s, (Say(sorry + " " + t.gettext("Send HELP for help.")),))


def _t(s: Session, ctx: Context) -> NullTranslations:
    return translator(s.language or ctx.default_language)


def _welcome_back(t: NullTranslations, s: Session) -> str:
    if not s.answered:
        return t.gettext("Welcome back!")
    return t.ngettext(
        "Welcome back! You have answered %(count)d proposal.",
        "Welcome back! You have answered %(count)d proposals.",
        s.answered,
    ) % {"count": s.answered}


def _vote_options(t: NullTranslations) -> tuple[Option, ...]:
    return (
        Option("agree", t.gettext("Agree")),
        Option("disagree", t.gettext("Disagree")),
        Option("skip", t.gettext("Skip")),
    )


def _ask(s: Session, ctx: Context) -> Ask:
    t = _t(s, ctx)
    proposal = ctx.proposals[s.current]
    text = t.gettext("Proposal %(number)d: %(text)s") % {
        "number": s.answered + 1,
        "text": proposal.text_in(s.language or ctx.default_language),
    }
    return Ask(text, _vote_options(t))


def _repeat_or_next(s: Session, ctx: Context, replies: list[Reply]) -> Turn:
    if s.stage is Stage.VOTING and s.current in ctx.proposals:
        return Turn(s, (*replies, _ask(s, ctx)))
    return _with_next_proposal(s, ctx, replies)


def _with_next_proposal(
    s: Session, ctx: Context, replies: list[Reply], effects: tuple[Effect, ...] = ()
) -> Turn:
    """Put the next proposal on the table, or say that there is none left for now."""
    if s.current is None or s.current not in ctx.proposals:
        s.current = None
        # A queued proposal may have been withdrawn since: pass over what we cannot show.
        while s.queue and s.current is None:
            candidate = s.queue.pop(0)
            if candidate in ctx.proposals:
                s.current = candidate
    if s.current is None:
        s.stage = Stage.DONE
        t = _t(s, ctx)
        done = t.gettext(
            "You have seen every proposal. Thank you! Write again later: new ideas will come."
        )
        return Turn(s, (*replies, Say(done)), effects)
    s.stage = Stage.VOTING
    return Turn(s, (*replies, _ask(s, ctx)), effects)
