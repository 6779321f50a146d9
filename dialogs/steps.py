"""The conversation: one event in, the next state, the replies and the effects out.

`step` is a pure function: no clock, no network, no database. The runtime gives it the
session, the consultation, the time and the proposals it may need, then stores the new
session and performs the effects. This module reads the event and the words that work in
every stage (first contact, a call answered or ended, HELP, STOP, LANGUAGE...), then hands
the answer to the stage's own step: `vote_steps`, `idea_steps`, `resident_steps`. What
comes next is decided in `flow`; the questions themselves are built in `prompts`.
"""

from __future__ import annotations

from dialogs import prompts as p
from dialogs.flow import ask_again, carry_on, not_understood
from dialogs.idea_steps import (
    answer_idea_confirm,
    answer_idea_offer,
    answer_idea_text,
    is_idea,
    read_back,
)
from dialogs.interface import (
    Ask,
    Context,
    Effect,
    Evaluate,
    Event,
    Forget,
    HungUp,
    Media,
    Opened,
    OptIn,
    OptOut,
    Phase,
    Prompt,
    Reply,
    Say,
    SubmitIdea,
    Text,
    Turn,
)
from dialogs.resident_steps import (
    answer_age,
    answer_consent,
    answer_district,
    answer_erase,
    answer_hear_back,
    answer_language,
)
from dialogs.safeguarding import Danger, danger_in, reads_as_proposal
from dialogs.session import Session, Stage
from dialogs.vote_steps import answer_change, answer_qualify, answer_vote
from dialogs.words import (
    Intent,
    Understood,
    keyword_of_one_language,
    looks_like_an_idea,
    understand,
)

RESUME_AFTER = 3 * 3600  # seconds of silence after which a resident is welcomed back
SILENCES_BEFORE_GOODBYE = 2  # a question met with silence is asked once more, then goodbye
# Speech recognised with less confidence than this is asked again (README, "Answers in the
# resident's own words").
MIN_CONFIDENCE = 0.4
# Words that work everywhere but, found inside a sentence being written as an idea, are part
# of it. (STOP is not among them: a resident who asks to be left alone is.)
IDEA_NOT_WORDS = frozenset(
    {Intent.HELP, Intent.REPEAT, Intent.IDEA, Intent.CHANGE, Intent.LANGUAGE, Intent.ERASE}
)


def step(session: Session, event: Event, ctx: Context) -> Turn:
    s = session.copy()
    now = int(ctx.now.timestamp())
    paused = bool(s.last_seen) and now - s.last_seen > RESUME_AFTER
    s.last_seen = now
    helped, s.helped = s.helped, False  # the help numbers were given last turn
    if isinstance(event, HungUp):
        return _hung_up(s, ctx)
    text = event.text if isinstance(event, Text) else ""
    heard = understand(text, p.language_of(s, ctx), ctx.languages)
    if s.stage is Stage.IDEA_WRITING and heard.in_sentence and heard.intent in IDEA_NOT_WORDS:
        heard = Understood(Intent.UNKNOWN)  # "je ne comprends pas pourquoi..." is the idea

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
        return carry_on(s, ctx, [p.welcome_back(s, ctx)], (OptIn(),))

    unsure_of = (p.language_of(s, ctx), *ctx.languages)
    if _misheard(s, event, ctx) and danger_in(text, unsure_of) is None:
        # Recognition was unsure of what it heard: better the question again than a wrong
        # vote or a wrong STOP. The keypad always works. (A danger heard, even unsure, is
        # answered: the help numbers cost little if it was misheard.)
        t = p.tr(s, ctx)
        again = t.pgettext("spoken", "Sorry, I did not hear you well. Please say it again.")
        return Turn(s, (Say(again), *ask_again(s, ctx)))
    if heard.intent is Intent.STOP:
        s.stopped = True
        t = p.tr(s, ctx)
        if ctx.spoken:
            # Translators: said on the phone; name one of your words for START (keywords).
            stop = t.pgettext(
                "spoken", "We will not contact you any more. To come back, call us and say START."
            )
        else:
            stop = t.gettext("You will get no more messages. Send START to come back.")
        return Turn(s, (Say(stop),), (OptOut(),))

    if isinstance(event, Opened):
        return _opened(s, ctx)
    if len(text) > ctx.text_max_length and ctx.spoken:
        # A count of characters means nothing to the ear; the question again, to answer it.
        too_long = p.tr(s, ctx).pgettext(
            "spoken", "That was too long for us. Please say it again, more briefly."
        )
        return Turn(s, (Say(too_long), *ask_again(s, ctx)))
    if len(text) > ctx.text_max_length:
        too_long = p.tr(s, ctx).gettext(
            "Your message is %(length)d characters long; we read at most %(limit)d. Please "
            "send a shorter one."
        ) % {"length": len(text), "limit": ctx.text_max_length}
        return Turn(s, (Say(too_long),))

    if s.evaluating and (turn := _answer_evaluation(s, ctx, heard)) is not None:
        return turn  # before the calendar: the process is evaluated once it has closed
    found = s.stage is Stage.NEW and _choose_language(s, ctx, event, heard)
    if ctx.phase is not Phase.OPEN:
        return Turn(s, (p.calendar(s, ctx),))

    language = p.language_of(s, ctx)
    if text and (danger := danger_in(text, (language, *ctx.languages))) is not None:
        return answer_disclosure(s, ctx, event, danger)

    if s.stage is Stage.NEW:
        return _greet(s, ctx, heard, found)
    if isinstance(event, Text) and not text.strip() and not event.audio:
        return _silence(s, ctx, helped)
    s.silences = 0
    if isinstance(event, Media):
        t = p.tr(s, ctx)
        if event.voice_notes:
            sorry = t.gettext(
                "Sorry, we can read text and listen to voice messages, nothing else. Please "
                "write your answer."
            )
        else:
            sorry = t.gettext("Sorry, we can only read text. Please write your answer.")
        return Turn(s, (Say(sorry), *ask_again(s, ctx)))
    if isinstance(event, Text) and event.audio and not text.strip():
        if (turn := _voice_note(s, ctx, event)) is not None:
            return turn

    if (turn := _keyword(s, ctx, heard, paused)) is not None:
        return turn
    if heard.intent is Intent.NUMBER and heard.number == 0 and not _has_option_zero(s, ctx):
        if helped:  # 0 after the help numbers: them again, and the question
            return _help_numbers(s, ctx, ask_again(s, ctx))
        return Turn(s, tuple(ask_again(s, ctx)))  # 0: hear (or read) the question again
    return ANSWERS.get(s.stage, _answer_done)(s, ctx, event, heard, paused)


# Stages where a choice is expected: a voice message there is not an idea (send IDEA first).
CHOOSING = frozenset(
    {
        Stage.VOTING,
        Stage.CHANGING,
        Stage.QUALIFYING,
        Stage.LANGUAGE,
        Stage.DISTRICT,
        Stage.AGE,
        Stage.CONSENT,
        Stage.ERASING,
        Stage.HEAR_BACK,
    }
)


def _voice_note(s: Session, ctx: Context, event: Text) -> Turn | None:
    """A voice message with no words: too long to take, or sent where a choice is expected
    (one short line, and the choices again); else None, and it is read as an idea."""
    t = p.tr(s, ctx)
    if event.audio_seconds is not None and event.audio_seconds > ctx.audio_max_seconds:
        minutes = max(1, ctx.audio_max_seconds // 60)
        too_long = t.ngettext(
            "Your voice message is too long: we listen to at most %(count)d minute. Please "
            "send a shorter one.",
            "Your voice message is too long: we listen to at most %(count)d minutes. Please "
            "send a shorter one.",
            minutes,
        ) % {"count": minutes}
        return Turn(s, (Say(too_long), *ask_again(s, ctx)))
    if s.stage not in CHOOSING or ctx.spoken:
        return None
    again = ask_again(s, ctx)
    explain = t.gettext(
        "To answer, tap a button or send its number. To give your idea by voice, send IDEA "
        "first."
    )
    if again and isinstance(again[-1], Ask):
        return Turn(s, (*again[:-1], Ask(explain, again[-1].options, again[-1].about)))
    return Turn(s, (Say(explain), *again))


def _misheard(s: Session, event: Event, ctx: Context) -> bool:
    """Speech recognised with a confidence under MIN_CONFIDENCE, where an answer is expected
    (an idea is read back anyway, and said again if it was misheard)."""
    if not isinstance(event, Text) or event.confidence is None or not event.text.strip():
        return False
    # Twilio reports 0 when the recogniser gives no confidence: that is not a doubt.
    unsure = 0 < event.confidence < MIN_CONFIDENCE
    return unsure and s.stage not in (Stage.NEW, Stage.IDEA_WRITING)


def _answer_evaluation(s: Session, ctx: Context, heard: Understood) -> Turn | None:
    """A score from 1 to 5 answers the question a broadcast asked; anything else drops it, and
    the message is read as it would have been."""
    question, s.evaluating = s.evaluating, None
    if question is None or heard.intent is not Intent.NUMBER or heard.number not in p.SCORES:
        return None
    thanks = Say(p.tr(s, ctx).gettext("Thank you for your answer."))
    again = ask_again(s, ctx) if ctx.phase is Phase.OPEN else []
    return Turn(s, (thanks, *again), (Evaluate(question, heard.number),))


# --- first contact ---------------------------------------------------------------------------


def _choose_language(s: Session, ctx: Context, event: Event, heard: Understood) -> bool:
    """A greeting names the language; else the channel's or the detector's hint; else a
    keyword only one language has ("oui"); else the default: "ok", "1" or an emoji choose
    nothing. True when the language was found, False when it is the default for want of
    anything better (the detector may well have said the default)."""
    greeted_in = heard.language if heard.intent is Intent.GREETING else None
    hint = event.hint if isinstance(event, Text) else None
    text = event.text if isinstance(event, Text) else ""
    for candidate in (greeted_in, hint, keyword_of_one_language(text, ctx.languages)):
        if candidate in ctx.languages:
            s.language = candidate
            return True
    s.language = ctx.default_language
    return False


def _greet(s: Session, ctx: Context, heard: Understood, found: bool) -> Turn:
    if heard.intent is Intent.LANGUAGE or (not found and len(ctx.languages) > 1):
        # We could not tell the language ("ok", "1", an emoji, a text no detector places):
        # welcome in the default one, and offer the others.
        s.stage = Stage.LANGUAGE
        return Turn(s, (p.welcome(s, ctx), p.language_menu(s, ctx)))
    return carry_on(s, ctx, [p.welcome(s, ctx)])


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
        return carry_on(s, ctx, [p.welcome(s, ctx)])
    if s.language is None:  # left during the first menu: the menu again, no "welcome back"
        return Turn(s, tuple(ask_again(s, ctx)))
    if again := ask_again(s, ctx):
        return Turn(s, (p.welcome_back(s, ctx), *again))
    return carry_on(s, ctx, [p.welcome_back(s, ctx)])


def _silence(s: Session, ctx: Context, helped: bool) -> Turn:
    """Nothing said (a caller who did not answer): the question once more (after the help
    numbers, them too), then a goodbye that says they can come back and go on."""
    s.silences += 1
    again = ask_again(s, ctx)
    if again and s.silences < SILENCES_BEFORE_GOODBYE:
        return _help_numbers(s, ctx, again) if helped else Turn(s, tuple(again))
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


def _hung_up(s: Session, ctx: Context) -> Turn:
    """A call ended. What was confirmed is already kept; an idea not yet confirmed was never
    sent and goes with the call. The next message or call resumes at the proposal."""
    if not ctx.reachable:
        # A caller we cannot reach again (a withheld number) took part for this call only.
        return Turn(s, (), (Forget(),))
    s.silences = 0
    if s.stage in (Stage.IDEA_WRITING, Stage.IDEA_CONFIRMING):
        s.draft = s.draft_audio = None
        s.stage = Stage.VOTING if s.current is not None else Stage.DONE
    return Turn(s)


# --- a disclosure of danger --------------------------------------------------------------------


def answer_disclosure(s: Session, ctx: Context, event: Text, danger: Danger) -> Turn:
    """The help numbers at once, and the message to moderators as urgent (a disclosure, never
    published). An idea is never swallowed: when the resident was writing one, or the message
    reads as a proposal ("il faut...", or it names no first person), it is read back after the
    numbers, to be sent as its own proposal."""
    alert = SubmitIdea(event.text, p.language_of(s, ctx), flags=("safeguarding", "disclosure"))
    writing = s.stage is Stage.IDEA_WRITING
    proposal = reads_as_proposal(event.text, danger.language)
    if writing or (proposal and looks_like_an_idea(event.text, danger.language)):
        turn = read_back(s, ctx, event)
        helped = _help_numbers(turn.session, ctx, list(turn.replies))
        return Turn(helped.session, helped.replies, (alert, *turn.effects))
    if s.stage is Stage.NEW:
        turn = carry_on(s, ctx, [])
        return _help_numbers(turn.session, ctx, list(turn.replies), (alert, *turn.effects))
    return _help_numbers(s, ctx, ask_again(s, ctx), (alert,))


def _help_numbers(
    s: Session, ctx: Context, then: list[Reply], effects: tuple[Effect, ...] = ()
) -> Turn:
    """The help numbers, then the question the resident is answering. On the phone they are
    said slowly, and 0 says them again when the question takes keys and leaves 0 free (an idea
    is said, not keyed)."""
    s.helped = True
    question = then[-1] if then and isinstance(then[-1], Ask) else None
    free = question is not None and all(d != 0 for d, _ in question.numbered())
    return Turn(s, (p.safeguarding(s, ctx, again=ctx.spoken and free), *then), effects)


# --- words that work in every stage ------------------------------------------------------------


def _keyword(s: Session, ctx: Context, heard: Understood, paused: bool) -> Turn | None:
    t = p.tr(s, ctx)
    match heard.intent:
        case Intent.HELP:
            s.misunderstood = 0
            return Turn(s, (p.help_text(s, ctx), *ask_again(s, ctx)))
        case Intent.REPEAT if (again := ask_again(s, ctx)):
            return Turn(s, tuple(again))  # asked to hear it again: not a misunderstanding
        case Intent.LANGUAGE:
            s.stage = Stage.LANGUAGE
            return Turn(s, (p.language_menu(s, ctx),))
        case Intent.ERASE:
            s.stage = Stage.ERASING
            return Turn(s, (p.erase_question(s, ctx),))
        case Intent.CHANGE if s.stage is not Stage.IDEA_WRITING:
            if s.last not in ctx.proposals:
                return Turn(s, (Say(t.gettext("You have not voted yet.")), *ask_again(s, ctx)))
            s.stage = Stage.CHANGING
            return Turn(s, tuple(p.change_question(s, ctx)))
        case Intent.IDEA:
            s.stage = Stage.IDEA_WRITING
            s.draft = None
            return Turn(s, (p.idea_prompt(s, ctx),))
        case Intent.START | Intent.GREETING:
            s.misunderstood = 0
            return Turn(s, (p.welcome_back(s, ctx), *ask_again(s, ctx)))
    return None


# --- answers, stage by stage -------------------------------------------------------------------


def _answer_done(s: Session, ctx: Context, event: Event, heard: Understood, paused: bool) -> Turn:
    if s.queue:
        return carry_on(s, ctx, [p.welcome_back(s, ctx)] if paused else [])
    if is_idea(event, heard, p.language_of(s, ctx)):
        return read_back(s, ctx, event)
    return not_understood(s, ctx, event, heard, paused)


ANSWERS = {
    Stage.VOTING: answer_vote,
    Stage.CHANGING: answer_change,
    Stage.QUALIFYING: answer_qualify,
    Stage.IDEA_OFFERED: answer_idea_offer,
    Stage.IDEA_WRITING: answer_idea_text,
    Stage.IDEA_CONFIRMING: answer_idea_confirm,
    Stage.DISTRICT: answer_district,
    Stage.AGE: answer_age,
    Stage.CONSENT: answer_consent,
    Stage.LANGUAGE: answer_language,
    Stage.ERASING: answer_erase,
    Stage.HEAR_BACK: answer_hear_back,
}


def _has_option_zero(s: Session, ctx: Context) -> bool:
    asked = ask_again(s, ctx)
    return (
        bool(asked) and isinstance(asked[-1], Ask) and any(d == 0 for d, _ in asked[-1].numbered())
    )
