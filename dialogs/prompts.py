"""Every question the dialog asks, in the resident's language: built here, asked from steps."""

from __future__ import annotations

from gettext import NullTranslations
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date

from dialogs.i18n import translator
from dialogs.interface import Ask, Context, Option, Phase, Prompt, Reply, Say
from dialogs.session import Session, Stage

AGE_BANDS = ("under-15", "15-29", "30-44", "45-59", "60-74", "75+")


def language_of(s: Session, ctx: Context) -> str:
    return s.language or ctx.default_language


def tr(s: Session, ctx: Context) -> NullTranslations:
    return translator(language_of(s, ctx))


def language_name(code: str, in_language: str) -> str:
    """ "Türkçe" in its own language, "turc" in French: Babel's display names."""
    name = Locale.parse(code).get_display_name(Locale.parse(in_language)) or code
    return name[:1].upper() + name[1:] if in_language == code else name


def latin_language_name(code: str) -> str:
    """A language's own name in Latin letters, GSM-7 ("Turkce", "Arabi"): for an SMS menu."""
    # Translators: your language's own name written in plain Latin letters, without accents
    # or other script, as a resident would type it (e.g. Francais, Turkce, Arabi, Portugues).
    return translator(code).pgettext("language name", "English")


# --- voting -------------------------------------------------------------------------------


def vote_options(t: NullTranslations) -> tuple[Option, ...]:
    return (
        Option("agree", t.gettext("Agree")),
        Option("disagree", t.gettext("Disagree")),
        Option("skip", t.gettext("Skip")),
    )


def vote_question(s: Session, ctx: Context, proposal_id: int, heading: str) -> list[Reply]:
    """A proposal and its three choices. One in another language is introduced as such."""
    t = tr(s, ctx)
    language = language_of(s, ctx)
    text, written_in = ctx.proposals[proposal_id].text_in(language)
    if written_in == language:
        return [Ask(f"{heading} {text}", vote_options(t), about=proposal_id)]
    other = t.gettext("(written in %(language)s)") % {
        "language": language_name(written_in, language)
    }
    return [
        Say(f"{heading} {other}"),
        Say(text, language=written_in),
        Ask("", vote_options(t), about=proposal_id),
    ]


def proposal_question(s: Session, ctx: Context) -> list[Reply]:
    t = tr(s, ctx)
    heading = t.gettext("Proposal %(number)d:") % {"number": s.answered + 1}
    return vote_question(s, ctx, s.current, heading)


def change_question(s: Session, ctx: Context) -> list[Reply]:
    t = tr(s, ctx)
    heading = t.gettext("Your new answer to:")
    return vote_question(s, ctx, s.last, heading)


def qualify_question(s: Session, ctx: Context) -> Ask:
    t = tr(s, ctx)
    if s.last_choice == "agree":
        options = (
            Option("favourite", t.gettext("A favourite")),
            Option("realistic", t.gettext("Realistic")),
            Option("platitude", t.gettext("A platitude")),
        )
    else:
        options = (
            Option("no_way", t.gettext("No way!")),
            Option("platitude", t.gettext("A platitude")),
        )
    go_on = Option("go_on", t.gettext("Go on"), digit=0)
    return Ask(t.gettext("In one word?"), (*options, go_on), about=s.last)


def all_seen(t: NullTranslations, spoken: bool = False) -> Say:
    if spoken:
        return Say(
            t.pgettext(
                "spoken",
                "You have heard every proposal. Thank you! Call again later: new ideas will come.",
            )
        )
    return Say(
        t.gettext(
            "You have seen every proposal. Thank you! Write again later: new ideas will come."
        )
    )


# --- the resident's own idea ---------------------------------------------------------------


def idea_offer(t: NullTranslations, spoken: bool = False) -> Ask:
    write = t.gettext("Yes, I say it") if spoken else t.gettext("Yes, I write it")
    return Ask(
        t.gettext("Do you have an idea of your own?"),
        (Option("write", write), Option("later", t.gettext("No, go on"))),
    )


def idea_prompt(s: Session, ctx: Context, record: bool = False) -> Prompt:
    t = tr(s, ctx)
    if record:
        return Prompt(
            t.gettext("Say your idea after the beep. Press the hash key when you are done."),
            record=True,
        )
    if ctx.spoken:
        return Prompt(
            t.gettext(
                'Say your idea now, in one or two sentences. You can start with "We should...".'
            )
        )
    return Prompt(
        t.gettext(
            "Write your idea in one message, at most %(limit)d characters. You can start with "
            '"We should...".'
        )
        % {"limit": ctx.idea_max_length}
    )


def idea_too_long(s: Session, ctx: Context, length: int) -> Prompt:
    t = tr(s, ctx)
    if ctx.spoken:  # a count of characters means nothing to the ear
        return Prompt(t.gettext("Your idea is too long. Please say it again, more briefly."))
    return Prompt(
        t.gettext(
            "Your idea is %(length)d characters long; the limit is %(limit)d. Please make it "
            "shorter and send it again."
        )
        % {"length": length, "limit": ctx.idea_max_length}
    )


def idea_confirmation(t: NullTranslations, draft: str, spoken: bool = False) -> Ask:
    rewrite = t.gettext("Say it again") if spoken else t.gettext("Rewrite")
    return Ask(
        t.gettext('Your idea: "%(idea)s"') % {"idea": draft},
        (
            Option("send", t.gettext("Send")),
            Option("rewrite", rewrite),
            Option("cancel", t.gettext("Cancel")),
        ),
    )


# --- hearing back -----------------------------------------------------------------------------


def hear_back_question(t: NullTranslations) -> Ask:
    return Ask(
        t.gettext("Later, may we send you the results, and news of your idea if you sent one?"),
        (Option("yes", t.gettext("Yes")), Option("no", t.gettext("No"))),
    )


# --- evaluating the process, after it -------------------------------------------------------

SCORES = range(1, 6)


def evaluation_questions(t: NullTranslations) -> dict[str, str]:
    """The questions a broadcast may ask, by key; each is answered from 1 to 5."""
    return {
        "heard": t.gettext("Did you feel heard? Answer from 1 (not at all) to 5 (completely)."),
        "again": t.gettext(
            "Would you take part again in a consultation like this one? Answer from 1 (no) to "
            "5 (yes, surely)."
        ),
    }


# --- profile, language, erase ----------------------------------------------------------------


def skip_option(t: NullTranslations) -> Option:
    return Option("skip", t.gettext("Skip"), digit=0)


def district_question(s: Session, ctx: Context) -> Ask:
    t = tr(s, ctx)
    districts = tuple(Option(d.key, d.name) for d in ctx.districts)
    return Ask(t.gettext("Optional: which district do you live in?"), (*districts, skip_option(t)))


def age_question(s: Session, ctx: Context) -> Ask:
    t = tr(s, ctx)
    labels = (
        t.gettext("under 15"),
        "15-29",
        "30-44",
        "45-59",
        "60-74",
        t.gettext("75 or more"),
    )
    options = tuple(Option(key, label) for key, label in zip(AGE_BANDS, labels, strict=True))
    return Ask(t.gettext("Optional: how old are you?"), (*options, skip_option(t)))


def consent_question(s: Session, ctx: Context) -> Ask:
    t = tr(s, ctx)
    return Ask(
        t.gettext("Does one of your parents agree that you take part?"),
        (Option("yes", t.gettext("Yes")), Option("no", t.gettext("No"))),
    )


def language_menu(s: Session, ctx: Context) -> Ask:
    # Each language named in its own words: the one reply allowed to cost UCS-2.
    options = tuple(
        Option(code, language_name(code, code), language=code) for code in ctx.languages
    )
    return Ask(tr(s, ctx).gettext("Choose your language:"), options)


def erase_question(s: Session, ctx: Context) -> Ask:
    t = tr(s, ctx)
    return Ask(
        t.gettext("Erase your votes and your details? This cannot be undone."),
        (Option("erase", t.gettext("Yes, erase")), Option("keep", t.gettext("No, keep"))),
    )


def question_for(s: Session, ctx: Context) -> list[Reply]:
    """The question of the stage the resident is in, to ask it again."""
    t = tr(s, ctx)
    match s.stage:
        case Stage.VOTING if s.current in ctx.proposals:
            return proposal_question(s, ctx)
        case Stage.CHANGING if s.last in ctx.proposals:
            return change_question(s, ctx)
        case Stage.QUALIFYING:
            return [qualify_question(s, ctx)]
        case Stage.IDEA_OFFERED:
            return [idea_offer(t, ctx.spoken)]
        case Stage.IDEA_WRITING:
            return [idea_prompt(s, ctx)]
        case Stage.IDEA_CONFIRMING if s.draft is not None:
            draft = s.draft or t.gettext("your voice message")
            return [idea_confirmation(t, draft, ctx.spoken)]
        case Stage.DISTRICT:
            return [district_question(s, ctx)]
        case Stage.AGE:
            return [age_question(s, ctx)]
        case Stage.CONSENT:
            return [consent_question(s, ctx)]
        case Stage.LANGUAGE:
            return [language_menu(s, ctx)]
        case Stage.ERASING:
            return [erase_question(s, ctx)]
        case Stage.HEAR_BACK:
            return [hear_back_question(t)]
    return []


# --- what is said in every stage -----------------------------------------------------------


def welcome(s: Session, ctx: Context) -> Say:
    t = tr(s, ctx)
    if ctx.spoken:
        hello = t.pgettext(
            "spoken",
            "Hello! %(question)s Vote on your neighbours' ideas. Your identity stays private. "
            "Say HELP for help, or STOP to quit.",
        )
    else:
        hello = t.gettext(
            "Hello! %(question)s Vote on your neighbours' ideas. Your identity stays private. "
            "HELP for help, STOP to quit."
        )
    return Say(hello % {"question": ctx.question_in(language_of(s, ctx))})


def welcome_back(s: Session, ctx: Context) -> Say:
    t = tr(s, ctx)
    if not s.answered:
        return Say(t.gettext("Welcome back!"))
    return Say(
        t.ngettext(
            "Welcome back! You have answered %(count)d proposal.",
            "Welcome back! You have answered %(count)d proposals.",
            s.answered,
        )
        % {"count": s.answered}
    )


def help_text(s: Session, ctx: Context, full: bool = False) -> Say:
    t = tr(s, ctx)
    if ctx.spoken:  # a caller presses keys and says words: nothing to send
        explain = t.pgettext(
            "spoken",
            "We ask your opinion on residents' ideas. After each proposal, press 1, 2 or 3. To "
            "propose your own idea, say IDEA. To stop, say STOP.",
        )
        more = t.pgettext(
            "spoken",
            "Other words you can say: LANGUAGE, CHANGE (your last vote), ERASE (your data).",
        )
    else:
        explain = t.gettext(
            "We ask your opinion on residents' ideas. Answer each proposal with 1, 2 or 3. Send "
            "IDEA to propose your own. STOP to quit."
        )
        more = t.gettext(
            "Other words you can send: LANGUAGE, CHANGE (your last vote), ERASE (your data)."
        )
    if full:
        explain += " " + more
    contact = ctx.in_language(ctx.help_contact, language_of(s, ctx))
    return Say(f"{explain} {contact}".strip())


def not_understood(s: Session, ctx: Context) -> Say:
    return Say(tr(s, ctx).gettext("Sorry, I did not understand."))


def safeguarding(s: Session, ctx: Context, again: bool = False) -> Say:
    """The help numbers, said slowly on the phone; `again`: the caller is told that 0 says
    them once more."""
    t = tr(s, ctx)
    numbers = ctx.in_language(ctx.safeguarding, language_of(s, ctx))
    told = t.gettext("If you or someone is in danger, call for help now.")
    passed_on = t.gettext("A person from the team will read your message.")
    said = [told, numbers, passed_on]
    if again:
        said.append(t.pgettext("spoken", "To hear these numbers again, press 0."))
    return Say(" ".join(part for part in said if part), slow=True)


def calendar(s: Session, ctx: Context) -> Say:
    """Before the opening or after the closing: what is happening and what comes next."""
    t = tr(s, ctx)
    language = language_of(s, ctx)
    if ctx.phase is Phase.BEFORE and ctx.opens_at is None:
        if ctx.spoken:
            return Say(
                t.pgettext("spoken", "The consultation has not opened yet. Call us again soon!")
            )
        return Say(t.gettext("The consultation has not opened yet. Write to us again soon!"))
    if ctx.phase is Phase.BEFORE:
        if ctx.spoken:
            opens = t.pgettext("spoken", "The consultation opens on %(date)s. Call us again then!")
        else:
            opens = t.gettext("The consultation opens on %(date)s. Write to us again then!")
        return Say(opens % {"date": _date(ctx.opens_at, ctx, language)})
    closed = t.gettext("The consultation is closed. Thank you to everyone who took part!")
    if ctx.closes_at is not None:
        closed = t.gettext(
            "The consultation closed on %(date)s. Thank you to everyone who took part!"
        ) % {"date": _date(ctx.closes_at, ctx, language)}
    return Say(f"{closed} {ctx.in_language(ctx.next_steps, language)}".strip())


def _date(moment, ctx: Context, language: str) -> str:  # noqa: ANN001
    local = moment.astimezone(ZoneInfo(ctx.timezone)).date()
    return format_date(local, format="long", locale=language)
