"""The conversation: one event in, the next state, the replies and the effects out.

`step` is a pure function: no clock, no network, no database. The runtime gives it the
session, the consultation and the proposals it may need, then stores the new session and
performs the effects.
"""

from __future__ import annotations

from gettext import NullTranslations
from zoneinfo import ZoneInfo

from babel.dates import format_date

from dialogs.i18n import translator
from dialogs.session import Session, Stage
from dialogs.vocabulary import (
    Ask,
    CastBallot,
    Context,
    Effect,
    Event,
    Media,
    OptIn,
    Option,
    OptOut,
    Phase,
    Reply,
    Say,
    SubmitIdea,
    Turn,
)
from dialogs.words import VOTES, Intent, Understood, looks_like_an_idea, understand

IDEA_OFFER_AFTER = 3  # votes before we offer to send an idea of one's own
IDEA_STAGES = (Stage.IDEA_OFFERED, Stage.IDEA_WRITING, Stage.IDEA_CONFIRMING)


def step(session: Session, event: Event, ctx: Context) -> Turn:
    s = session.copy()
    text = event.text if not isinstance(event, Media) else ""
    heard = understand(text, s.language or ctx.default_language, ctx.languages)

    if s.stopped:
        if heard.intent is not Intent.START:
            return Turn(s)  # STOP means silence until START, whatever is sent
        s.stopped = False
        return _after_start(s, ctx, _welcome_back(_t(s, ctx), s), (OptIn(),))

    if heard.intent is Intent.STOP:
        s.stopped = True
        stop = _t(s, ctx).gettext("You will get no more messages. Send START to come back.")
        return Turn(s, (Say(stop),), (OptOut(),))

    if s.stage is Stage.NEW:
        greeted_in = heard.language if heard.intent is Intent.GREETING else None
        s.language = greeted_in if greeted_in in ctx.languages else ctx.default_language

    t = _t(s, ctx)
    if ctx.phase is not Phase.OPEN:
        return Turn(s, (Say(_calendar(t, s, ctx)),))

    if s.stage is Stage.NEW:
        welcome = t.gettext(
            "Hello! %(question)s Vote on your neighbours' ideas. Your identity stays private. "
            "HELP for help, STOP to quit."
        ) % {"question": ctx.question_in(s.language)}
        return _with_next_proposal(s, ctx, [Say(welcome)])

    if isinstance(event, Media):
        sorry = t.gettext("Sorry, we can only read text. Please write your answer.")
        return _resume_voting(s, ctx, [Say(sorry)])

    if heard.intent is Intent.HELP:
        s.misunderstood = 0
        return _resume_voting(s, ctx, [Say(_help(t, s, ctx))])

    if heard.intent in (Intent.START, Intent.GREETING):
        s.misunderstood = 0
        return _resume_voting(s, ctx, [Say(_welcome_back(t, s))])

    if heard.intent is Intent.IDEA:
        return _ask_for_idea(s, ctx)

    if s.stage in IDEA_STAGES:
        return _idea_step(s, ctx, text, heard)

    if s.stage is Stage.VOTING and heard.intent in VOTES and s.current is not None:
        return _vote(s, ctx, heard)

    if s.stage is Stage.DONE and s.queue:
        return _with_next_proposal(s, ctx, [])

    if looks_like_an_idea(text):
        return _read_back(s, ctx, text)

    s.misunderstood += 1
    sorry = t.gettext("Sorry, I did not understand.")
    if s.stage is Stage.VOTING:
        return Turn(s, (Ask(sorry, _vote_options(t)),))
    return Turn(s, (Say(sorry + " " + t.gettext("Send HELP for help.")),))


# --- voting -------------------------------------------------------------------------------


def _vote(s: Session, ctx: Context, heard: Understood) -> Turn:
    t = _t(s, ctx)
    ballot = CastBallot(s.current, VOTES[heard.intent])
    s.answered += 1
    s.misunderstood = 0
    s.current = None
    noted = [Say(t.gettext("Noted."))]
    if s.answered >= IDEA_OFFER_AFTER and not s.idea_offered:
        s.idea_offered = True
        s.stage = Stage.IDEA_OFFERED
        return Turn(s, (*noted, _idea_offer(t)), (ballot,))
    return _with_next_proposal(s, ctx, noted, (ballot,))


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


def _resume_voting(s: Session, ctx: Context, replies: list[Reply]) -> Turn:
    """Say something, then put the question the resident was answering back on the table."""
    if s.stage in IDEA_STAGES:
        return Turn(s, (*replies, *_idea_prompt(s, ctx)))
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
        if not s.idea_offered:
            s.idea_offered = True
            s.stage = Stage.IDEA_OFFERED
            return Turn(s, (*replies, Say(done), _idea_offer(t)), effects)
        return Turn(s, (*replies, Say(done)), effects)
    s.stage = Stage.VOTING
    return Turn(s, (*replies, _ask(s, ctx)), effects)


# --- the resident's own idea ---------------------------------------------------------------


def _idea_offer(t: NullTranslations) -> Ask:
    return Ask(
        t.gettext("Do you have an idea of your own?"),
        (Option("write", t.gettext("Yes, I write it")), Option("later", t.gettext("No, go on"))),
    )


def _ask_for_idea(s: Session, ctx: Context) -> Turn:
    s.stage = Stage.IDEA_WRITING
    s.draft = None
    return Turn(s, tuple(_idea_prompt(s, ctx)))


def _idea_prompt(s: Session, ctx: Context) -> list[Reply]:
    t = _t(s, ctx)
    if s.stage is Stage.IDEA_OFFERED:
        return [_idea_offer(t)]
    if s.stage is Stage.IDEA_CONFIRMING and s.draft:
        return [_confirm(t, s.draft)]
    write = t.gettext(
        'Write your idea in one message, at most %(limit)d characters. You can start with "We '
        'should...".'
    ) % {"limit": ctx.idea_max_length}
    return [Say(write)]


def _confirm(t: NullTranslations, draft: str) -> Ask:
    return Ask(
        t.gettext('Your idea: "%(idea)s"') % {"idea": draft},
        (
            Option("send", t.gettext("Send")),
            Option("rewrite", t.gettext("Rewrite")),
            Option("cancel", t.gettext("Cancel")),
        ),
    )


def _read_back(s: Session, ctx: Context, text: str) -> Turn:
    t = _t(s, ctx)
    idea = " ".join(text.split())
    if len(idea) > ctx.idea_max_length:
        s.stage = Stage.IDEA_WRITING
        too_long = t.gettext(
            "Your idea is %(length)d characters long; the limit is %(limit)d. Please make it "
            "shorter and send it again."
        ) % {"length": len(idea), "limit": ctx.idea_max_length}
        return Turn(s, (Say(too_long),))
    s.stage = Stage.IDEA_CONFIRMING
    s.draft = idea
    return Turn(s, (_confirm(t, idea),))


def _idea_step(s: Session, ctx: Context, text: str, heard: Understood) -> Turn:
    t = _t(s, ctx)
    choice = heard.intent
    if s.stage is Stage.IDEA_OFFERED:
        if choice is Intent.AGREE:
            return _ask_for_idea(s, ctx)
        if choice in (Intent.DISAGREE, Intent.SKIP, Intent.CANCEL):
            return _back_to_voting(s, ctx, [])
    elif s.stage is Stage.IDEA_CONFIRMING:
        if choice is Intent.AGREE and s.draft:
            idea = SubmitIdea(s.draft, s.language or ctx.default_language)
            thanks = t.gettext(
                "Thank you! A moderator will read your idea, then it will be shown to other "
                "residents."
            )
            return _back_to_voting(s, ctx, [Say(thanks)], (idea,))
        if choice is Intent.DISAGREE:
            return _ask_for_idea(s, ctx)
        if choice in (Intent.SKIP, Intent.CANCEL):
            return _back_to_voting(s, ctx, [])
    elif choice in (Intent.CANCEL, *VOTES):  # writing: a lone digit or "back" is not an idea
        return _back_to_voting(s, ctx, [])
    if s.stage is Stage.IDEA_WRITING or looks_like_an_idea(text):
        return _read_back(s, ctx, text)
    sorry = Say(t.gettext("Sorry, I did not understand."))
    return Turn(s, (sorry, *_idea_prompt(s, ctx)))


def _back_to_voting(
    s: Session, ctx: Context, replies: list[Reply], effects: tuple[Effect, ...] = ()
) -> Turn:
    s.draft = None
    s.stage = Stage.VOTING if s.current is not None else Stage.DONE
    if s.stage is Stage.VOTING and s.current in ctx.proposals:
        return Turn(s, (*replies, _ask(s, ctx)), effects)
    return _with_next_proposal(s, ctx, replies, effects)


# --- what is said in every stage -----------------------------------------------------------


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


def _after_start(s: Session, ctx: Context, greeting: str, effects: tuple[Effect, ...]) -> Turn:
    if ctx.phase is not Phase.OPEN:
        return Turn(s, (Say(_calendar(_t(s, ctx), s, ctx)),), effects)
    if s.stage is Stage.NEW:
        s.language = s.language or ctx.default_language
    return _with_next_proposal(s, ctx, [Say(greeting)], effects)


def _help(t: NullTranslations, s: Session, ctx: Context) -> str:
    explain = t.gettext(
        "We ask your opinion on residents' ideas. Answer each proposal with 1, 2 or 3. Send "
        "IDEA to propose your own. STOP to quit."
    )
    contact = ctx.in_language(ctx.help_contact, s.language or ctx.default_language)
    return f"{explain} {contact}".strip()


def _calendar(t: NullTranslations, s: Session, ctx: Context) -> str:
    """Before the opening or after the closing: what is happening and what comes next."""
    language = s.language or ctx.default_language
    if ctx.phase is Phase.BEFORE:
        if ctx.opens_at is None:
            return t.gettext("The consultation has not opened yet. Write to us again soon!")
        return t.gettext("The consultation opens on %(date)s. Write to us again then!") % {
            "date": _date(ctx.opens_at, ctx, language)
        }
    closed = t.gettext("The consultation is closed. Thank you to everyone who took part!")
    if ctx.closes_at is not None:
        closed = t.gettext(
            "The consultation closed on %(date)s. Thank you to everyone who took part!"
        ) % {"date": _date(ctx.closes_at, ctx, language)}
    return f"{closed} {ctx.in_language(ctx.next_steps, language)}".strip()


def _date(moment, ctx: Context, language: str) -> str:  # noqa: ANN001
    local = moment.astimezone(ZoneInfo(ctx.timezone)).date()
    return format_date(local, format="long", locale=language)
