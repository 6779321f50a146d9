"""The conversation: one event in, the next state, the replies and the effects out.

`step` is a pure function: no clock, no network, no database. The runtime gives it the
session, the consultation, the time and the proposals it may need, then stores the new
session and performs the effects. The questions themselves are built in `prompts`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dialogs import prompts as p
from dialogs.session import Session, Stage
from dialogs.vocabulary import (
    Ask,
    CastBallot,
    Context,
    Effect,
    Erase,
    Evaluate,
    Event,
    HearBack,
    HungUp,
    Media,
    Opened,
    OptIn,
    Option,
    OptOut,
    Phase,
    Press,
    Prompt,
    Reply,
    Say,
    SetProfile,
    SubmitIdea,
    Text,
    Turn,
    numbered,
)
from dialogs.words import (
    Intent,
    Understood,
    discloses_danger,
    looks_like_an_idea,
    normalise,
    understand,
)

IDEA_OFFER_AFTER = 3  # votes before we offer, once, to send an idea of one's own
PROFILE_AFTER = 5  # votes before we ask, once, the optional profile
HEAR_BACK_AFTER = 10  # votes before we ask, once, whether we may write about the results
FULL_HELP_AFTER = 3  # misunderstandings in a row before the fuller help
RESUME_AFTER = 3 * 3600  # seconds of silence after which a resident is welcomed back
SILENCES_BEFORE_GOODBYE = 2  # a question met with silence is asked once more, then goodbye

VOTE_WORDS = {Intent.AGREE: "agree", Intent.DISAGREE: "disagree", Intent.SKIP: "skip"}


def step(session: Session, event: Event, ctx: Context) -> Turn:
    s = session.copy()
    now = int(ctx.now.timestamp())
    paused = bool(s.last_seen) and now - s.last_seen > RESUME_AFTER
    s.last_seen = now
    if isinstance(event, HungUp):
        return _hung_up(s)
    text = event.text if isinstance(event, Text) else ""
    heard = understand(text, p.language_of(s, ctx), ctx.languages)

    if s.stopped:
        if isinstance(event, Opened):  # a call is not a message we send: say how to come back
            # Translators: said on the phone; name one of your words for START (keywords).
            again = p.tr(s, ctx).gettext("You asked us to stop. To take part again, say START.")
            return Turn(s, (Prompt(again),))
        if heard.intent is not Intent.START:
            return Turn(s)  # STOP means silence until START, whatever is sent
        s.stopped = False
        if ctx.phase is not Phase.OPEN:
            return Turn(s, (p.calendar(s, ctx),), (OptIn(),))
        s.language = p.language_of(s, ctx)
        return _carry_on(s, ctx, [p.welcome_back(s, ctx)], (OptIn(),))

    if heard.intent is Intent.STOP:
        s.stopped = True
        stop = p.tr(s, ctx).gettext("You will get no more messages. Send START to come back.")
        return Turn(s, (Say(stop),), (OptOut(),))

    if isinstance(event, Opened):
        return _opened(s, ctx)
    if len(text) > ctx.text_max_length:
        too_long = p.tr(s, ctx).gettext(
            "Your message is %(length)d characters long; we read at most %(limit)d. Please "
            "send a shorter one."
        ) % {"length": len(text), "limit": ctx.text_max_length}
        return Turn(s, (Say(too_long),))

    if s.evaluating and (turn := _answer_evaluation(s, ctx, heard)) is not None:
        return turn  # before the calendar: the process is evaluated once it has closed
    if s.stage is Stage.NEW:
        _choose_language(s, ctx, event, heard)
    if ctx.phase is not Phase.OPEN:
        return Turn(s, (p.calendar(s, ctx),))

    if text and discloses_danger(text, p.language_of(s, ctx), ctx.languages):
        alert = SubmitIdea(text, p.language_of(s, ctx), flags=("safeguarding",))
        if s.stage is Stage.NEW:
            return _carry_on(s, ctx, [p.safeguarding(s, ctx)], (alert,))
        return Turn(s, (p.safeguarding(s, ctx), *_again(s, ctx)), (alert,))

    if s.stage is Stage.NEW:
        return _greet(s, ctx, text, heard)
    if isinstance(event, Text) and not text.strip() and not event.audio:
        return _silence(s, ctx)
    s.silences = 0
    if isinstance(event, Media):
        sorry = p.tr(s, ctx).gettext("Sorry, we can only read text. Please write your answer.")
        return Turn(s, (Say(sorry), *_again(s, ctx)))

    if (turn := _keyword(s, ctx, heard, paused)) is not None:
        return turn
    if heard.intent is Intent.NUMBER and heard.number == 0 and not _has_option_zero(s, ctx):
        return Turn(s, tuple(_again(s, ctx)))  # 0: hear (or read) the question again
    return ANSWERS.get(s.stage, _answer_done)(s, ctx, event, heard, paused)


def _answer_evaluation(s: Session, ctx: Context, heard: Understood) -> Turn | None:
    """A score from 1 to 5 answers the question a broadcast asked; anything else drops it, and
    the message is read as it would have been."""
    question, s.evaluating = s.evaluating, None
    if question is None or heard.intent is not Intent.NUMBER or heard.number not in p.SCORES:
        return None
    thanks = Say(p.tr(s, ctx).gettext("Thank you for your answer."))
    again = _again(s, ctx) if ctx.phase is Phase.OPEN else []
    return Turn(s, (thanks, *again), (Evaluate(question, heard.number),))


# --- first contact ---------------------------------------------------------------------------


def _choose_language(s: Session, ctx: Context, event: Event, heard: Understood) -> None:
    """A greeting names the language; else the channel's or the detector's hint; else the
    default. "ok" or "1" choose nothing."""
    greeted_in = heard.language if heard.intent is Intent.GREETING else None
    hint = event.hint if isinstance(event, Text) else None
    for candidate in (greeted_in, hint):
        if candidate in ctx.languages:
            s.language = candidate
            return
    s.language = ctx.default_language


def _greet(s: Session, ctx: Context, text: str, heard: Understood) -> Turn:
    words = len(normalise(text).split())
    uncertain = heard.intent is Intent.UNKNOWN and words >= 2 and s.language == ctx.default_language
    if heard.intent is Intent.LANGUAGE or (uncertain and len(ctx.languages) > 1):
        # We could not tell the language: welcome in the default one, and offer the others.
        s.stage = Stage.LANGUAGE
        return Turn(s, (p.welcome(s, ctx), p.language_menu(s, ctx)))
    return _carry_on(s, ctx, [p.welcome(s, ctx)])


def _opened(s: Session, ctx: Context) -> Turn:
    """A call answered. A newcomer has said nothing that tells their language: the menu alone,
    each language in its own words. Anyone else is welcomed back to the question they left."""
    s.silences = s.misunderstood = 0
    if ctx.phase is not Phase.OPEN:
        return Turn(s, (p.calendar(s, ctx),))
    if s.stage is Stage.NEW and len(ctx.languages) > 1:
        s.stage = Stage.LANGUAGE  # s.language stays None: welcomed once it is chosen
        return Turn(s, (p.language_menu(s, ctx),))
    if s.stage is Stage.NEW:
        s.language = ctx.default_language
        return _carry_on(s, ctx, [p.welcome(s, ctx)])
    if s.language is None:  # left during the first menu: the menu again, no "welcome back"
        return Turn(s, tuple(_again(s, ctx)))
    if again := _again(s, ctx):
        return Turn(s, (p.welcome_back(s, ctx), *again))
    return _carry_on(s, ctx, [p.welcome_back(s, ctx)])


def _silence(s: Session, ctx: Context) -> Turn:
    """Nothing said (a caller who did not answer): the question once more, then a goodbye that
    says they can come back and go on."""
    s.silences += 1
    again = _again(s, ctx)
    if again and s.silences < SILENCES_BEFORE_GOODBYE:
        return Turn(s, tuple(again))
    s.silences = 0
    t = p.tr(s, ctx)
    if ctx.spoken:
        goodbye = t.gettext(
            "We did not hear you. Call again whenever you like: you will go on "
            "where you left off. Goodbye!"
        )
    else:
        goodbye = t.gettext(
            "Write to us again whenever you like: you will go on where you left off."
        )
    return Turn(s, (Say(goodbye),))


def _hung_up(s: Session) -> Turn:
    """A call ended. What was confirmed is already kept; an idea not yet confirmed was never
    sent and goes with the call. The next message or call resumes at the proposal."""
    s.silences = 0
    if s.stage in (Stage.IDEA_WRITING, Stage.IDEA_CONFIRMING):
        s.draft = s.draft_audio = None
        s.stage = Stage.VOTING if s.current is not None else Stage.DONE
    return Turn(s)


# --- words that work in every stage ------------------------------------------------------------


def _keyword(s: Session, ctx: Context, heard: Understood, paused: bool) -> Turn | None:
    t = p.tr(s, ctx)
    match heard.intent:
        case Intent.HELP:
            s.misunderstood = 0
            return Turn(s, (p.help_text(s, ctx), *_again(s, ctx)))
        case Intent.LANGUAGE:
            s.stage = Stage.LANGUAGE
            return Turn(s, (p.language_menu(s, ctx),))
        case Intent.ERASE:
            s.stage = Stage.ERASING
            return Turn(s, (p.erase_question(s, ctx),))
        case Intent.CHANGE if s.stage is not Stage.IDEA_WRITING:
            if s.last not in ctx.proposals:
                return Turn(s, (Say(t.gettext("You have not voted yet.")), *_again(s, ctx)))
            s.stage = Stage.CHANGING
            return Turn(s, tuple(p.change_question(s, ctx)))
        case Intent.IDEA:
            s.stage = Stage.IDEA_WRITING
            s.draft = None
            return Turn(s, (p.idea_prompt(s, ctx),))
        case Intent.START | Intent.GREETING:
            s.misunderstood = 0
            return Turn(s, (p.welcome_back(s, ctx), *_again(s, ctx)))
    return None


# --- answers, stage by stage -------------------------------------------------------------------


def _pick(
    event: Event,
    heard: Understood,
    options: Sequence[Option],
    words: Mapping[Intent, str] = {},  # noqa: B006 (never mutated)
    about: int | None = None,
) -> str | None:
    """The key of the option the resident chose: a button, its digit, or a word for it."""
    keys = {o.key for o in options}
    if isinstance(event, Press):
        return event.key if event.key in keys and event.about == about else None
    if heard.intent is Intent.NUMBER:
        return next((o.key for digit, o in numbered(options) if digit == heard.number), None)
    return words.get(heard.intent)


def _answer_vote(s: Session, ctx: Context, event: Event, heard: Understood, paused: bool) -> Turn:
    options = p.vote_options(p.tr(s, ctx))
    choice = _pick(event, heard, options, VOTE_WORDS, about=s.current)
    if choice is None or s.current is None:
        return _not_understood(s, ctx, event, heard, paused)
    ballot = CastBallot(s.current, choice)
    s.last, s.last_choice = s.current, choice
    s.answered += 1
    s.misunderstood = 0
    s.current = None
    noted = [Say(p.tr(s, ctx).gettext("Noted."))]
    if ctx.qualify and choice != "skip" and s.last in ctx.proposals:
        s.stage = Stage.QUALIFYING
        return Turn(s, (*noted, p.qualify_question(s, ctx)), (ballot,))
    return _carry_on(s, ctx, noted, (ballot,))


def _answer_change(s: Session, ctx: Context, event: Event, heard: Understood, paused: bool) -> Turn:
    options = p.vote_options(p.tr(s, ctx))
    choice = _pick(event, heard, options, {**VOTE_WORDS, Intent.CANCEL: "cancel"}, about=s.last)
    if choice is None:
        return _not_understood(s, ctx, event, heard, paused)
    if choice == "cancel" or s.last is None:
        return _carry_on(s, ctx, [])
    s.last_choice = choice
    changed = Say(p.tr(s, ctx).gettext("Your answer is changed."))
    return _carry_on(s, ctx, [changed], (CastBallot(s.last, choice),))


def _answer_qualify(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    ask = p.qualify_question(s, ctx)
    words = {Intent.SKIP: "go_on", Intent.CANCEL: "go_on"}
    qualification = _pick(event, heard, ask.options, words, about=s.last)
    if qualification is None and isinstance(event, Press):
        return _not_understood(s, ctx, event, heard, paused)  # an old button: nothing moves
    if qualification is None:
        return _carry_on(s, ctx, [])  # optional: anything else goes on to the next proposal
    if qualification == "go_on" or s.last is None or s.last_choice is None:
        return _carry_on(s, ctx, [])
    return _carry_on(s, ctx, [], (CastBallot(s.last, s.last_choice, qualification),))


def _answer_idea_offer(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    words = {Intent.AGREE: "write", Intent.DISAGREE: "later", Intent.SKIP: "later"}
    choice = _pick(event, heard, p.idea_offer(p.tr(s, ctx), ctx.spoken).options, words)
    if choice == "write":
        s.stage = Stage.IDEA_WRITING
        return Turn(s, (p.idea_prompt(s, ctx),))
    if choice == "later" or heard.intent is Intent.CANCEL:
        return _carry_on(s, ctx, [])
    if _is_idea(event):
        return _read_back(s, ctx, event)
    return _not_understood(s, ctx, event, heard, paused)


def _answer_idea_text(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    if heard.intent in (Intent.CANCEL, Intent.NUMBER, *VOTE_WORDS) or isinstance(event, Press):
        return _carry_on(s, ctx, [])  # a lone digit or "back" is not an idea: go on voting
    return _read_back(s, ctx, event)


def _answer_idea_confirm(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    t = p.tr(s, ctx)
    words = {
        Intent.AGREE: "send",
        Intent.DISAGREE: "rewrite",
        Intent.SKIP: "cancel",
        Intent.CANCEL: "cancel",
    }
    choice = _pick(event, heard, p.idea_confirmation(t, s.draft or "", ctx.spoken).options, words)
    if choice == "send" and s.draft is not None:
        idea = SubmitIdea(s.draft, p.language_of(s, ctx), audio=s.draft_audio)
        s.draft = s.draft_audio = None
        thanks = t.gettext(
            "Thank you! A moderator will read your idea, then it will be shown to other residents."
        )
        if _may_ask_hear_back(s, ctx):  # the moment they care most about what becomes of it
            return _ask_hear_back(s, ctx, [Say(thanks)], (idea,))
        return _carry_on(s, ctx, [Say(thanks)], (idea,))
    if choice == "rewrite":
        s.stage = Stage.IDEA_WRITING
        s.draft = s.draft_audio = None
        # Said again because it was misheard: on the phone, record it for a moderator instead.
        return Turn(s, (p.idea_prompt(s, ctx, record=ctx.spoken),))
    if choice == "cancel":
        s.draft = s.draft_audio = None
        return _carry_on(s, ctx, [])
    if _is_idea(event):
        return _read_back(s, ctx, event)
    return _not_understood(s, ctx, event, heard, paused)


def _is_idea(event: Event) -> bool:
    """Free text long enough to be a proposal, or a recording (a voice note, a spoken idea)."""
    return isinstance(event, Text) and (bool(event.audio) or looks_like_an_idea(event.text))


def _read_back(s: Session, ctx: Context, event: Text) -> Turn:
    t = p.tr(s, ctx)
    idea = " ".join(event.text.split())
    if ctx.ideas_closed:
        enough = t.gettext(
            "Thank you for your ideas! That is the most we take from one person in a day. "
            "Please send the next ones tomorrow."
        )
        return _carry_on(s, ctx, [Say(enough)])
    if not event.audio and not any(c.isalnum() for c in idea):
        # Nothing but invisible characters, punctuation or emoji: no idea to read back.
        s.stage = Stage.IDEA_WRITING
        return Turn(s, (p.idea_prompt(s, ctx),))
    if len(idea) > ctx.idea_max_length:
        s.stage = Stage.IDEA_WRITING
        return Turn(s, (p.idea_too_long(s, ctx, len(idea)),))
    s.stage = Stage.IDEA_CONFIRMING
    s.draft, s.draft_audio = idea, event.audio
    draft = idea or t.gettext("your voice message")
    return Turn(s, (p.idea_confirmation(t, draft, ctx.spoken),))


def _answer_district(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    ask = p.district_question(s, ctx)
    choice = _pick(event, heard, ask.options, {Intent.SKIP: "skip", Intent.CANCEL: "skip"})
    if choice is None:
        choice = _named(event, ask.options)
    if choice is None:
        return _not_understood(s, ctx, event, heard, paused)
    s.district = None if choice == "skip" else choice
    s.stage = Stage.AGE
    return Turn(s, (p.age_question(s, ctx),))


def _answer_age(s: Session, ctx: Context, event: Event, heard: Understood, paused: bool) -> Turn:
    ask = p.age_question(s, ctx)
    choice = _pick(event, heard, ask.options, {Intent.SKIP: "skip", Intent.CANCEL: "skip"})
    if choice is None:
        return _not_understood(s, ctx, event, heard, paused)
    if choice == "under-15":
        s.stage = Stage.CONSENT
        return Turn(s, (p.consent_question(s, ctx),))
    return _profile_done(s, ctx, None if choice == "skip" else choice)


def _answer_consent(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    words = {Intent.AGREE: "yes", Intent.DISAGREE: "no"}
    choice = _pick(event, heard, p.consent_question(s, ctx).options, words)
    if choice is None:
        return _not_understood(s, ctx, event, heard, paused)
    if choice == "yes":
        return _profile_done(s, ctx, "under-15")
    # Without a parent's agreement a child takes part, but we keep nothing about them.
    s.district = None
    kept = p.tr(s, ctx).gettext("You can go on voting. We keep no details about you.")
    return _carry_on(s, ctx, [Say(kept)])


def _profile_done(s: Session, ctx: Context, age_band: str | None) -> Turn:
    district, s.district = s.district, None
    thanks = [Say(p.tr(s, ctx).gettext("Thank you."))]
    if district is None and age_band is None:
        return _carry_on(s, ctx, [])
    return _carry_on(s, ctx, thanks, (SetProfile(district=district, age_band=age_band),))


def _answer_language(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    menu = p.language_menu(s, ctx)
    choice = _pick(event, heard, menu.options) or _named(event, menu.options)
    if choice is None and heard.intent is Intent.GREETING:
        choice = heard.language
    if choice is None:
        return _not_understood(s, ctx, event, heard, paused)
    newcomer = s.language is None  # a caller's first menu: welcome them in their language
    s.language = choice
    return _carry_on(s, ctx, [p.welcome(s, ctx)] if newcomer else [])


def _answer_erase(s: Session, ctx: Context, event: Event, heard: Understood, paused: bool) -> Turn:
    words = {Intent.AGREE: "erase", Intent.DISAGREE: "keep", Intent.CANCEL: "keep"}
    choice = _pick(event, heard, p.erase_question(s, ctx).options, words)
    if choice == "erase":
        erased = p.tr(s, ctx).gettext(
            "Your votes and your details are erased. Write to us again whenever you like."
        )
        fresh = Session(language=s.language, last_seen=s.last_seen)
        return Turn(fresh, (Say(erased),), (Erase(),))
    if choice == "keep":
        return _carry_on(s, ctx, [])
    return _not_understood(s, ctx, event, heard, paused)


def _answer_hear_back(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    words = {Intent.AGREE: "yes", Intent.DISAGREE: "no"}
    choice = _pick(event, heard, p.hear_back_question(p.tr(s, ctx)).options, words)
    if choice is None:
        return _not_understood(s, ctx, event, heard, paused)
    if choice == "no":
        return _carry_on(s, ctx, [], (HearBack(False),))
    kept = p.tr(s, ctx).gettext(
        "Thank you. We will write to you only about this consultation. STOP at any time."
    )
    return _carry_on(s, ctx, [Say(kept)], (HearBack(True),))


def _answer_done(s: Session, ctx: Context, event: Event, heard: Understood, paused: bool) -> Turn:
    if s.queue:
        return _carry_on(s, ctx, [p.welcome_back(s, ctx)] if paused else [])
    if _is_idea(event):
        return _read_back(s, ctx, event)
    return _not_understood(s, ctx, event, heard, paused)


ANSWERS = {
    Stage.VOTING: _answer_vote,
    Stage.CHANGING: _answer_change,
    Stage.QUALIFYING: _answer_qualify,
    Stage.IDEA_OFFERED: _answer_idea_offer,
    Stage.IDEA_WRITING: _answer_idea_text,
    Stage.IDEA_CONFIRMING: _answer_idea_confirm,
    Stage.DISTRICT: _answer_district,
    Stage.AGE: _answer_age,
    Stage.CONSENT: _answer_consent,
    Stage.LANGUAGE: _answer_language,
    Stage.ERASING: _answer_erase,
    Stage.HEAR_BACK: _answer_hear_back,
}


def _has_option_zero(s: Session, ctx: Context) -> bool:
    asked = _again(s, ctx)
    return (
        bool(asked) and isinstance(asked[-1], Ask) and any(d == 0 for d, _ in asked[-1].numbered())
    )


def _named(event: Event, options: Sequence[Option]) -> str | None:
    """An option typed out by name: "Bourtzwiller", "english", "Türkçe"."""
    if not isinstance(event, Text):
        return None
    said = normalise(event.text)
    return next((o.key for o in options if said and normalise(o.label) == said), None)


# --- what comes next ---------------------------------------------------------------------------


def _not_understood(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    if isinstance(event, Press):
        # An old button pressed again: nothing is recorded, the current question stands.
        stale = p.tr(s, ctx).gettext("That question is already answered.")
        return Turn(s, (Say(stale), *_again(s, ctx)), stale=True)
    if paused:
        return Turn(s, (p.welcome_back(s, ctx), *_again(s, ctx)))
    if s.stage is Stage.VOTING and _is_idea(event):
        return _read_back(s, ctx, event)
    s.misunderstood += 1
    if s.misunderstood >= FULL_HELP_AFTER:
        s.misunderstood = 0
        return Turn(s, (p.help_text(s, ctx, full=True), *_again(s, ctx)))
    again = _again(s, ctx)
    if again and isinstance(again[-1], Ask):
        # One short line and the choices: the resident still has the question on screen.
        return Turn(s, (Ask(p.not_understood(s, ctx).text, again[-1].options, again[-1].about),))
    t = p.tr(s, ctx)
    return Turn(s, (Say(p.not_understood(s, ctx).text + " " + t.gettext("Send HELP for help.")),))


def _again(s: Session, ctx: Context) -> list[Reply]:
    """The question the resident is answering, asked again (nothing when there is none)."""
    return p.question_for(s, ctx)


def _carry_on(
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
    if s.answered >= HEAR_BACK_AFTER and _may_ask_hear_back(s, ctx):
        return _ask_hear_back(s, ctx, replies, effects)
    # A queued proposal may have been withdrawn since: pass over what we cannot show.
    while s.queue and s.current is None:
        candidate = s.queue.pop(0)
        if candidate in ctx.proposals:
            s.current = candidate
    if s.current is not None:
        s.stage = Stage.VOTING
        return Turn(s, (*replies, *p.proposal_question(s, ctx)), effects)
    s.stage = Stage.DONE
    if "i" not in s.offered:
        s.offered += "i"
        s.stage = Stage.IDEA_OFFERED
        return Turn(s, (*replies, p.all_seen(t), p.idea_offer(t, ctx.spoken)), effects)
    if _may_ask_hear_back(s, ctx):
        return _ask_hear_back(s, ctx, [*replies, p.all_seen(t)], effects)
    return Turn(s, (*replies, p.all_seen(t)), effects)


def _may_ask_hear_back(s: Session, ctx: Context) -> bool:
    """Asked once, and never at a shared tablet: the next resident would be the one told."""
    return "h" not in s.offered and ctx.reachable


def _ask_hear_back(
    s: Session, ctx: Context, replies: list[Reply], effects: tuple[Effect, ...]
) -> Turn:
    """Once, at the end (every proposal seen, enough votes, or an idea sent): may we write?"""
    s.offered += "h"
    s.stage = Stage.HEAR_BACK
    return Turn(s, (*replies, p.hear_back_question(p.tr(s, ctx))), effects)
