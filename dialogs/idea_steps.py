"""A resident's own idea: offered once, written (or spoken), read back, then sent, written
again, or cancelled."""

from __future__ import annotations

from dialogs import prompts as p
from dialogs.flow import (
    VOTE_WORDS,
    ask_hear_back,
    carry_on,
    may_ask_hear_back,
    not_understood,
    pick,
)
from dialogs.interface import Context, Event, Press, Say, SubmitIdea, Text, Turn
from dialogs.session import Session, Stage
from dialogs.words import Intent, Understood, looks_like_an_idea


def answer_idea_offer(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    words = {
        Intent.AGREE: "write",
        Intent.IDEA: "write",
        Intent.DISAGREE: "later",
        Intent.SKIP: "later",
    }
    choice = pick(event, heard, p.idea_offer(p.tr(s, ctx), ctx.spoken).options, words)
    if choice == "write":
        s.stage = Stage.IDEA_WRITING
        return Turn(s, (p.idea_prompt(s, ctx),))
    if choice == "later" or heard.intent is Intent.CANCEL:
        return carry_on(s, ctx, [])
    if is_idea(event, heard, p.language_of(s, ctx)):
        return read_back(s, ctx, event)
    return not_understood(s, ctx, event, heard, paused)


def answer_idea_text(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    if isinstance(event, Press) or (
        heard.intent in (Intent.CANCEL, Intent.NUMBER, *VOTE_WORDS)
        and not (isinstance(event, Text) and looks_like_an_idea(event.text))
    ):
        return carry_on(s, ctx, [])  # a lone digit or "back" is not an idea: go on voting
    return read_back(s, ctx, event)


def answer_idea_confirm(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    t = p.tr(s, ctx)
    words = {
        Intent.AGREE: "send",
        Intent.DISAGREE: "rewrite",
        Intent.SKIP: "cancel",
        Intent.CANCEL: "cancel",
        Intent.REPEAT: "rewrite",  # "No, I want to say it again"
    }
    choice = pick(event, heard, p.idea_confirmation(t, s.draft or "", ctx.spoken).options, words)
    if choice == "send" and s.draft is not None:
        idea = SubmitIdea(s.draft, p.language_of(s, ctx), audio=s.draft_audio)
        s.draft = s.draft_audio = None
        if idea.audio and not idea.text:
            thanks = t.gettext(
                "Thank you! A moderator will listen to your voice message, then your idea will "
                "be shown to other residents."
            )
        else:
            thanks = t.gettext(
                "Thank you! A moderator will read your idea, then it will be shown to other "
                "residents."
            )
        if may_ask_hear_back(s, ctx):  # the moment they care most about what becomes of it
            return ask_hear_back(s, ctx, [Say(thanks)], (idea,))
        return carry_on(s, ctx, [Say(thanks)], (idea,))
    if choice == "rewrite":
        s.stage = Stage.IDEA_WRITING
        s.draft = s.draft_audio = None
        # Said again because it was misheard: on the phone, record it for a moderator instead.
        return Turn(s, (p.idea_prompt(s, ctx, record=ctx.spoken),))
    if choice == "cancel":
        s.draft = s.draft_audio = None
        return carry_on(s, ctx, [])
    if is_idea(event, heard, p.language_of(s, ctx)):
        return read_back(s, ctx, event)
    return not_understood(s, ctx, event, heard, paused)


def is_idea(event: Event, heard: Understood, language: str | None = None) -> bool:
    """A recording (a voice note, a spoken idea), or free text that reads as a proposal and
    carries no answer: "Pas du tout d'accord." is a vote, never an idea, whatever its length."""
    if not isinstance(event, Text):
        return False
    return bool(event.audio) or (
        heard.intent is Intent.UNKNOWN and looks_like_an_idea(event.text, language)
    )


def read_back(s: Session, ctx: Context, event: Text) -> Turn:
    t = p.tr(s, ctx)
    idea = " ".join(event.text.split())
    if ctx.ideas_closed:
        if ctx.spoken:
            enough = t.pgettext(
                "spoken",
                "Thank you for your ideas! That is the most we take from one person in a day. "
                "Please call again tomorrow with the next ones.",
            )
        else:
            enough = t.gettext(
                "Thank you for your ideas! That is the most we take from one person in a day. "
                "Please send the next ones tomorrow."
            )
        return carry_on(s, ctx, [Say(enough)])
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
