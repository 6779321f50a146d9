"""WhatsApp through Twilio: the form Twilio posts for a WhatsApp message, and what a resident
sees back: free-form text (full Unicode, WhatsApp's formatting escaped) or, for a choice, the
Content API's buttons (twilio/quick-reply, up to three) or list (twilio/list-picker, up to
ten), whose payload carries the question's proposal so that an old button takes nothing.

Twilio posts WhatsApp messages like SMS (`MessageSid`, `From`, `To`, `Body`, `NumMedia`,
`MediaUrl0`, `MediaContentType0`...) with `From=whatsapp:+33...` and fields of its own:
`ProfileName` and `WaId` (never read: the number is the resident), `ButtonPayload` and
`ButtonText` (a quick-reply button tapped), `ListId` and `ListTitle` (a list item chosen),
`Latitude`/`Longitude` (a location), `MessageType`."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from twilio.twiml.messaging_response import MessagingResponse

from channels.base import Inbound, Outcome
from channels.sms import NOT_XML, TWIML
from channels.twilio_webhook import TwilioWebhook
from dialogs import Ask, Event, Media, Press, Reply, Text

CHANNEL = "whatsapp"
PREFIX = "whatsapp:"
QUICK_REPLY, LIST_PICKER = "twilio/quick-reply", "twilio/list-picker"
MAX_BUTTONS, MAX_ITEMS = 3, 10  # in session: three quick replies; a list of up to ten
BODY_MAX = 1024  # a quick-reply's or a list's body
BUTTON_TITLE_MAX, ITEM_MAX = 20, 24
ICONS = {"agree": "👍", "disagree": "👎", "skip": "⏭"}  # as on Telegram
# What WhatsApp reads as formatting (*bold*, _italic_, ~strike~, `code`): no escape
# character exists, so a zero-width space on each side of the mark keeps it from pairing.
MARKS = re.compile(r"([*_~`])")
QUOTE = re.compile(r"^(>)", re.MULTILINE)
ZWSP = "\u200b"
# Twilio's error codes that mean this resident cannot be reached on WhatsApp: blocked us
# (63014), not on WhatsApp or not a valid recipient (63003, 63024), a number WhatsApp will not
# deliver to (63032); and 21610, the number unsubscribed (STOP) at Twilio. Recorded like STOP.
UNREACHABLE = frozenset({"63003", "63014", "63024", "63032", "21610"})


@dataclass(frozen=True, slots=True)
class Attachment:
    url: str  # Twilio's REST URL of the media (Basic auth, redirects to the file)
    content_type: str

    @property
    def is_audio(self) -> bool:
        return self.content_type.split(";")[0].strip().lower().startswith("audio/")


@dataclass(frozen=True, slots=True)
class Arrival:
    """One WhatsApp message: the turn's inbound, the two WhatsApp addresses (ours, the
    resident's), and what was attached (a voice note is checked before the turn)."""

    inbound: Inbound
    ours: str  # whatsapp:+... the sender the resident wrote to: replies come from it
    theirs: str  # whatsapp:+...
    attachments: tuple[Attachment, ...] = ()

    @property
    def voice_note(self) -> Attachment | None:
        return next((a for a in self.attachments if a.is_audio), None)


def is_whatsapp(form: dict[str, str]) -> bool:
    return form.get("From", "").startswith(PREFIX)


def payload(key: str, about: int | None) -> str:
    """A button's or an item's id, `<about>:<key>` (`12:agree`, `:write`), as on Telegram."""
    return f"{'' if about is None else about}:{key}"


def press(data: str) -> Press:
    """A tapped button or a chosen item; an id we never sent presses no option, which the
    dialog answers like an old button: nothing taken, the current question again."""
    about, colon, key = data.partition(":")
    if not colon or (about and not about.isdigit()):
        return Press("")
    return Press(key, int(about) if about else None)


def parse(form: dict[str, str]) -> Arrival:
    theirs = form["From"]
    attachments = tuple(
        Attachment(form[f"MediaUrl{i}"], form.get(f"MediaContentType{i}", ""))
        for i in range(_count(form.get("NumMedia")))
        if form.get(f"MediaUrl{i}")
    )
    body = form.get("Body", "")
    event: Event
    if chosen := form.get("ButtonPayload") or form.get("ListId"):
        event = press(chosen)
    elif voice := next((a for a in attachments if a.is_audio), None):
        event = Text(body, audio=voice.url)  # an idea spoken (bot/whatsapp checks it first)
    elif attachments and not body.strip() or _located(form):
        event = Media(voice_notes=True)  # a picture, a sticker, a location, a contact card
    else:
        event = Text(body)
    inbound = Inbound(
        channel=CHANNEL,
        message_id=form["MessageSid"],
        # One person, one participant: the number on WhatsApp is the number by SMS or phone.
        address=f"tel:{theirs.removeprefix(PREFIX)}",
        event=event,
    )
    return Arrival(inbound, form.get("To", ""), theirs, attachments)


def _count(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _located(form: dict[str, str]) -> bool:
    return bool(form.get("Latitude")) and not form.get("Body", "").strip()


# --- what the resident sees -------------------------------------------------------------------


def escape(text: str) -> str:
    """Text shown as written: WhatsApp's formatting marks do not pair up."""
    return QUOTE.sub(ZWSP + r"\1", MARKS.sub(ZWSP + r"\1" + ZWSP, NOT_XML.sub("", text)))


def label(option_key: str, text: str) -> str:
    return f"{ICONS[option_key]} {text}" if option_key in ICONS else text


def numbered(ask: Ask) -> str:
    """A choice as text: one option a line, its number in bold."""
    lines = [escape(ask.text)] if ask.text else []
    lines += [f"*{digit}* {escape(o.label)}" for digit, o in ask.numbered()]
    return "\n".join(lines)


def text_of(replies: tuple[Reply, ...] | list[Reply]) -> str:
    """Every reply of a turn as one message, each choice as numbered text."""
    return "\n\n".join(numbered(r) if isinstance(r, Ask) else escape(r.text) for r in replies)


def buttons_for(ask: Ask) -> str | None:
    """The Content API type that shows this choice, if one can."""
    if len(ask.options) <= MAX_BUTTONS:
        return QUICK_REPLY
    if len(ask.options) <= MAX_ITEMS:
        return LIST_PICKER
    return None  # sixteen districts: numbered text


@dataclass(frozen=True, slots=True)
class Choice:
    """A choice set in one language: what a content template fixes (the labels), apart from
    what each message fills in (the body, the ids)."""

    kind: str  # QUICK_REPLY or LIST_PICKER
    language: str
    labels: tuple[tuple[str, str], ...]  # (key, label) for each option, in order

    @property
    def key(self) -> str:
        """Stable name of this choice set: the content's friendly name."""
        digest = hashlib.sha256(json.dumps([self.kind, self.labels]).encode()).hexdigest()[:12]
        short = "qr" if self.kind == QUICK_REPLY else "list"
        return f"parlons_{short}_{self.language}_{digest}"

    def definition(self, button: str) -> dict:
        """The Content API resource (POST /v1/Content): `{{1}}` the body, `{{2}}`... each
        option's id; `button` opens a list."""
        variables = {"1": "…", **{str(n): f"7:{k}" for n, (k, _) in enumerate(self.labels, 2)}}
        if self.kind == QUICK_REPLY:
            actions = [
                {"title": label(k, text)[:BUTTON_TITLE_MAX], "id": f"{{{{{n}}}}}"}
                for n, (k, text) in enumerate(self.labels, 2)
            ]
            types = {QUICK_REPLY: {"body": "{{1}}", "actions": actions}}
        else:
            items = [
                {"item": text[:ITEM_MAX], "id": f"{{{{{n}}}}}", "description": text[:72]}
                for n, (_, text) in enumerate(self.labels, 2)
            ]
            types = {LIST_PICKER: {"body": "{{1}}", "button": button, "items": items}}
        return {
            "friendly_name": self.key,
            "language": self.language,
            "variables": variables,
            "types": types,
        }


def choice_of(ask: Ask, language: str) -> Choice | None:
    kind = buttons_for(ask)
    if kind is None:
        return None
    return Choice(kind, language, tuple((o.key, o.label) for o in ask.options))


@dataclass(frozen=True, slots=True)
class Message:
    """One WhatsApp message: free-form text, or a content template and its variables."""

    body: str | None = None
    content_sid: str | None = None
    variables: dict[str, str] | None = None
    choice: Choice | None = None  # what the buttons say (to show them in a simulator)
    sender: str | None = None  # the WhatsApp sender it comes from (a reply: the one written to)

    def encode(self) -> str:
        """As the send-once ledger carries a message (bot/outreach)."""
        fields = {"b": self.body, "c": self.content_sid, "v": self.variables, "s": self.sender}
        return json.dumps(fields, ensure_ascii=False)

    @classmethod
    def decode(cls, data: str) -> Message:
        found = json.loads(data)
        return cls(found["b"], found["c"], found["v"], sender=found.get("s"))


def with_buttons(outcome: Outcome, content_sid: str, choice: Choice) -> list[Message]:
    """The turn's replies as one message with buttons (two when the text is too long for
    the body: the statements first, free-form)."""
    ask = outcome.replies[-1]
    assert isinstance(ask, Ask)
    before = [escape(r.text) for r in outcome.replies[:-1] if r.text]
    body = "\n\n".join([*before, escape(ask.text)] if ask.text else before) or "…"
    messages = []
    if len(body) > BODY_MAX:
        messages.append(Message(body="\n\n".join(before)))
        body = escape(ask.text) or "…"
    ids = {str(n): payload(o.key, ask.about) for n, o in enumerate(ask.options, 2)}
    variables = {"1": body[:BODY_MAX], **ids}
    messages.append(Message(content_sid=content_sid, variables=variables, choice=choice))
    return messages


def render(outcome: Outcome, status_url: str | None = None) -> str:
    """The TwiML answer: the replies as one free-form message (choices numbered); nothing
    (an empty answer) when there is nothing to say. Its status goes to `status_url` (a
    resident who blocked us is recorded like STOP)."""
    twiml = MessagingResponse()
    if outcome.replies:
        twiml.message(text_of(outcome.replies), action=status_url)
    return str(twiml)


def template_variable(text: str) -> str:
    """A template's variable: WhatsApp refuses new lines, tabs and runs of spaces in one."""
    return re.sub(r"\s+", " ", text).strip()


# --- the webhook --------------------------------------------------------------------------------

Answer = Callable[[dict[str, str]], Awaitable[str]]  # the form -> the TwiML to answer
WEBHOOK = "/webhooks/twilio/whatsapp"


def router(answer: Answer, twilio: TwilioWebhook) -> APIRouter:
    """WhatsApp's own webhook (a WhatsApp sender's "when a message comes in"); the SMS
    webhook hands on what comes from `whatsapp:` too (a Messaging Service carrying both)."""
    routes = APIRouter(include_in_schema=False)

    @routes.post(WEBHOOK)
    async def whatsapp_webhook(request: Request) -> Response:
        form = await twilio.form(request, ("MessageSid", "From"), "not an inbound message")
        if isinstance(form, Response):
            return form
        if not is_whatsapp(form):
            return Response("not a WhatsApp message", status_code=400, media_type="text/plain")
        return Response(await answer(form), media_type=TWIML)

    return routes
