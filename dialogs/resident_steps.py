"""What residents decide about themselves: the optional profile (district, age band, a
parent's agreement under 15), their language, whether we may write later, and erasing."""

from __future__ import annotations

from dialogs import prompts as p
from dialogs.flow import carry_on, named, not_understood, pick
from dialogs.interface import Context, Erase, Event, HearBack, Option, Say, SetProfile, Turn
from dialogs.session import Session, Stage
from dialogs.words import Intent, Understood

# The profile is optional: "no" to "which district?" means "I'd rather not say" ("No thanks,
# I'll pass", "Prefiro não dizer", "Söylemek istemiyorum").
OPTIONAL = {Intent.SKIP: "skip", Intent.CANCEL: "skip", Intent.DISAGREE: "skip"}


def answer_district(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    ask = p.district_question(s, ctx)
    choice = pick(event, heard, ask.options, OPTIONAL)
    if choice is None:
        choice = named(event, ask.options)
    if choice is None:
        return not_understood(s, ctx, event, heard, paused)
    s.district = None if choice == "skip" else choice
    s.stage = Stage.AGE
    return Turn(s, (p.age_question(s, ctx),))


def answer_age(s: Session, ctx: Context, event: Event, heard: Understood, paused: bool) -> Turn:
    ask = p.age_question(s, ctx)
    choice = pick(event, heard, ask.options, OPTIONAL)
    if choice is None:
        return not_understood(s, ctx, event, heard, paused)
    if choice == "under-15":
        s.stage = Stage.CONSENT
        return Turn(s, (p.consent_question(s, ctx),))
    return _profile_done(s, ctx, None if choice == "skip" else choice)


def answer_consent(s: Session, ctx: Context, event: Event, heard: Understood, paused: bool) -> Turn:
    words = {Intent.AGREE: "yes", Intent.DISAGREE: "no"}
    choice = pick(event, heard, p.consent_question(s, ctx).options, words)
    if choice is None:
        return not_understood(s, ctx, event, heard, paused)
    if choice == "yes":
        return _profile_done(s, ctx, "under-15")
    # Without a parent's agreement a child takes part, but we keep nothing about them.
    s.district = None
    kept = p.tr(s, ctx).gettext("You can go on voting. We keep no details about you.")
    return carry_on(s, ctx, [Say(kept)])


def _profile_done(s: Session, ctx: Context, age_band: str | None) -> Turn:
    district, s.district = s.district, None
    thanks = [Say(p.tr(s, ctx).gettext("Thank you."))]
    if district is None and age_band is None:
        return carry_on(s, ctx, [])
    return carry_on(s, ctx, thanks, (SetProfile(district=district, age_band=age_band),))


def answer_language(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    menu = p.language_menu(s, ctx)
    choice = pick(event, heard, menu.options) or named(event, menu.options)
    if choice is None:  # "Turkce", "Arabi" as an SMS menu names them; "arabe", "anglais"
        here = p.language_of(s, ctx)
        names = [
            Option(code, name)
            for code in ctx.languages
            for name in (p.latin_language_name(code), p.language_name(code, here))
        ]
        choice = named(event, names)
    if choice is None and heard.intent is Intent.GREETING:
        choice = heard.language
    if choice is None:
        return not_understood(s, ctx, event, heard, paused)
    newcomer = s.language is None  # a caller's first menu: welcome them in their language
    s.language = choice
    return carry_on(s, ctx, [p.welcome(s, ctx)] if newcomer else [])


def answer_erase(s: Session, ctx: Context, event: Event, heard: Understood, paused: bool) -> Turn:
    words = {
        Intent.AGREE: "erase",
        Intent.ERASE: "erase",
        Intent.DISAGREE: "keep",
        Intent.CANCEL: "keep",
    }
    choice = pick(event, heard, p.erase_question(s, ctx).options, words)
    if choice == "erase":
        t = p.tr(s, ctx)
        if ctx.spoken:
            erased = t.pgettext(
                "spoken", "Your votes and your details are erased. Call us again whenever you like."
            )
        else:
            erased = t.gettext(
                "Your votes and your details are erased. Write to us again whenever you like."
            )
        fresh = Session(language=s.language, last_seen=s.last_seen)
        return Turn(fresh, (Say(erased),), (Erase(),))
    if choice == "keep":
        return carry_on(s, ctx, [])
    return not_understood(s, ctx, event, heard, paused)


def answer_hear_back(
    s: Session, ctx: Context, event: Event, heard: Understood, paused: bool
) -> Turn:
    words = {Intent.AGREE: "yes", Intent.DISAGREE: "no"}
    choice = pick(event, heard, p.hear_back_question(p.tr(s, ctx)).options, words)
    if choice is None:
        return not_understood(s, ctx, event, heard, paused)
    if choice == "no":
        return carry_on(s, ctx, [], (HearBack(False),))
    t = p.tr(s, ctx)
    if ctx.spoken:
        kept = t.pgettext(
            "spoken",
            "Thank you. We will contact you only about this consultation. Say STOP at any time.",
        )
    else:
        kept = t.gettext(
            "Thank you. We will write to you only about this consultation. STOP at any time."
        )
    return carry_on(s, ctx, [Say(kept)], (HearBack(True),))
