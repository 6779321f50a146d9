"""A centre's kiosk: the dialog on a shared tablet's web page, for residents with no phone or
no Telegram. Options are buttons (pressed as on Telegram: the option's key and the proposal it
is about, so a stale page cannot vote on the wrong proposal), and the page's own few words
follow the resident's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from channels.base import Inbound, Outcome
from dialogs import Ask, Event, Press, Prompt, Text
from dialogs.i18n import translator

CHANNEL = "kiosk"


@dataclass(frozen=True, slots=True)
class Button:
    value: str  # what the button sends back: "key" or "key:proposal"
    label: str
    language: str | None  # set when the label is in its own language (the language menu)


@dataclass(frozen=True, slots=True)
class Bubble:
    text: str
    language: str | None = None
    buttons: tuple[Button, ...] = ()


def parse(
    person: str,
    message_id: str,
    text: str = "",
    pressed: str = "",
    hint: str | None = None,
    link: str | None = None,
) -> Inbound:
    """`person` is the kiosk's fresh participant for this resident (never the tablet's);
    `link`, the kiosk link the page was opened with: the device, with a limit of its own."""
    # A kiosk resident leaves no address we could write to later: never asked to hear back.
    return Inbound(
        CHANNEL,
        message_id,
        f"kiosk:{person}",
        event(text, pressed, hint),
        reachable=False,
        device=None if link is None else f"kiosk-link:{link}",
    )


def event(text: str = "", pressed: str = "", hint: str | None = None) -> Event:
    """A button's value ("agree:12") is pressed as on Telegram; anything else is typed. The
    language the resident touched to start is the hint that greets them in it."""
    if pressed:
        key, _, about = pressed.partition(":")
        return Press(key, int(about) if about.isdigit() else None)
    return Text(text, hint)


def bubbles(outcome: Outcome) -> list[Bubble]:
    shown = []
    for reply in outcome.said:  # over a limit, the page says when to go on every time
        language = getattr(reply, "language", None)
        if isinstance(reply, Ask):
            about = "" if reply.about is None else f":{reply.about}"
            buttons = tuple(Button(f"{o.key}{about}", o.label, o.language) for o in reply.options)
            shown.append(Bubble(reply.text, language, buttons))
        else:
            shown.append(Bubble(reply.text, language))
    return shown


def wants_words(outcome: Outcome) -> bool:
    """Whether the last question is answered in the resident's own words (their idea)."""
    return bool(outcome.replies) and isinstance(outcome.replies[-1], Prompt)


def words(language: str) -> dict[str, str]:
    """The kiosk page's own words, in the resident's language."""
    t = translator(language)
    return {
        "welcome": t.pgettext("kiosk", "Give your opinion on your city. It is anonymous."),
        "conversation": t.pgettext("kiosk", "Conversation"),
        "you": t.pgettext("kiosk", "You:"),
        "answer": t.pgettext("kiosk", "Your answer"),
        "send": t.pgettext("kiosk", "Send"),
        "next": t.pgettext("kiosk", "Next person"),
        "reset": t.pgettext("kiosk", "With no touch for 2 minutes, the page starts again."),
        "gone": t.pgettext("kiosk", "This kiosk link no longer works. Ask the centre's team."),
        "busy": t.pgettext("kiosk", "Many new people in one minute: please wait a moment."),
    }
