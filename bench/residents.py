"""Simulated residents for the load benchmark: whole SMS or WhatsApp conversations as
pre-signed requests.

Each resident has their own number and texts what a real one would on the demo consultation:
greets, votes, declines the offer of an idea then writes one anyway, skips the optional
questions, votes on. What they text is planned once by playing that behaviour through the
dialog itself (`dialogs.step`), so the script follows the dialog as it grows new questions.
On WhatsApp the same resident taps a button wherever the button names no proposal (send the
idea, the optional questions, the offers) and types the number of a vote: a vote's button
carries the proposal it was asked about, which a request signed in advance cannot know (the
server chooses each resident's proposals as it goes); a typed vote and a tapped one are the
same turn past `channels.whatsapp.parse`.
The requests are signed with Twilio's own RequestValidator and written as raw HTTP, so the
load generator (wrk) only copies bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from api.loader import read_consultation
from bot.settings import DEMO_CONSULTATION
from bot.turns.runtime import QUEUE_LOW, QUEUE_SIZE
from dialogs import (
    Ask,
    CastBallot,
    Context,
    District,
    Press,
    ProposalView,
    Session,
    Stage,
    SubmitIdea,
    Text,
)
from dialogs import step as dialog_step

SMS_PATH = "/webhooks/twilio/sms"
WHATSAPP_PATH = "/webhooks/twilio/whatsapp"
OUR_NUMBER = "+33199000042"
VOTES_PER_CONVERSATION = 10
IDEAS_PER_CONVERSATION = 1
IDEA = "Il faudrait plus de bancs dans le parc numero {resident}"
# How a reply shows that a vote or an idea was taken (French, the demo's default language).
VOTE_MARKER = "Noté."
IDEA_MARKER = "Un modérateur va lire votre idée"


def demo_context() -> Context:
    """The demo consultation as the dialog sees it, proposals numbered from 1."""
    spec = read_consultation(DEMO_CONSULTATION)
    details = spec.details()
    proposals = {
        i: ProposalView(i, p.language, p.text, p.translations)
        for i, p in enumerate(spec.proposals, start=1)
    }
    return Context(
        question=spec.question,
        languages=tuple(spec.languages),
        default_language=spec.default_language,
        proposals=proposals,
        now=datetime(2026, 11, 26, 12, tzinfo=UTC),
        timezone=spec.timezone,
        help_contact=details.get("help", {}),
        next_steps=details.get("next_steps", {}),
        safeguarding=details.get("safeguarding", {}),
        districts=tuple(District(d["key"], d["name"]) for d in details.get("districts", [])),
        idea_max_length=details.get("idea_max_length", 200),
    )


def top_up(session: Session, ids: list[int]) -> None:
    """What the runtime asks the API for: unseen proposals, when the queue runs low."""
    if len(session.queue) >= QUEUE_LOW:
        return
    held = set(session.wanted_ids())
    session.queue.extend([i for i in ids if i not in held][: QUEUE_SIZE - len(session.queue)])


def next_message(session: Session, votes: int, ideas: int) -> str:
    """What our resident answers to where the conversation stands."""
    match session.stage:
        case Stage.NEW:
            return "Bonjour"
        case Stage.VOTING if votes >= 4 and not ideas:
            return IDEA  # free text of four words or more: taken as an idea, read back
        case Stage.VOTING:
            return "123"[votes % 3]  # agree, disagree, skip in turn
        case Stage.IDEA_CONFIRMING:
            return "1"  # send it
        case Stage.DISTRICT | Stage.AGE:
            return "0"  # rather not say
        case _:
            return "2"  # no (an idea now, being written to later, ...)


@dataclass(frozen=True, slots=True)
class Message:
    """One message a resident sends: typed text, or a tapped button (its id and title)."""

    body: str
    button: str | None = None


@cache
def script(channel: str = "sms") -> tuple[Message, ...]:
    """The messages of one conversation on `channel` (sms, whatsapp), `{resident}` left in
    the idea's text."""
    ctx = demo_context()
    ids = sorted(ctx.proposals)
    session, messages, votes, ideas = Session(), [], 0, 0
    asked: Ask | None = None
    while votes < VOTES_PER_CONVERSATION or ideas < IDEAS_PER_CONVERSATION:
        if len(messages) > 40:
            raise RuntimeError(f"the simulated resident is stuck: {messages}")
        message = Message(next_message(session, votes, ideas))
        if channel == "whatsapp" and asked is not None and asked.about is None:
            message = tap(asked, message.body) or message
        top_up(session, ids)
        event = (
            Press(message.button.removeprefix(":"))
            if message.button
            else Text(message.body.format(resident=0))
        )
        turn = dialog_step(session, event, ctx)
        messages.append(message)
        votes += sum(isinstance(e, CastBallot) for e in turn.effects)
        ideas += sum(isinstance(e, SubmitIdea) for e in turn.effects)
        session = turn.session
        asked = turn.replies[-1] if turn.replies and isinstance(turn.replies[-1], Ask) else None
    return tuple(messages)


def tap(ask: Ask, digit: str) -> Message | None:
    """The button of the option a resident would have typed the number of, as WhatsApp
    posts it (`ButtonPayload` the id Parlons gave it: `:<option>` when about no proposal)."""
    for number, option in ask.numbered():
        if str(number) == digit:
            return Message(option.label, button=f":{option.key}")
    return None


def conversation(resident: int, channel: str = "sms") -> list[Message]:
    """What one resident sends, in order."""
    return [Message(m.body.format(resident=resident), m.button) for m in script(channel)]


class Signer:
    def __init__(self, auth_token: str, public_url: str, host: str, path: str = SMS_PATH) -> None:
        self._validator = RequestValidator(auth_token)
        self._url = f"{public_url}{path}"  # what Parlons is told Twilio calls
        self._host = host  # where the requests really go
        self.path = path

    def form(self, number: str, body: str, sid: str) -> dict[str, str]:
        """The fields Twilio posts for an inbound SMS (tests/data/webhooks/twilio_sms)."""
        return {
            "ToCountry": "FR",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "ToCity": "",
            "FromState": "",
            "SmsSid": sid,
            "FromCountry": "FR",
            "Body": body,
            "To": OUR_NUMBER,
            "MessageSid": sid,
            "NumSegments": "1",
            "SmsStatus": "received",
            "From": number,
            "AccountSid": "AC00000000000000000000000000000000",
            "ApiVersion": "2010-04-01",
        }

    def whatsapp_form(self, number: str, message: Message, sid: str) -> dict[str, str]:
        """The fields Twilio posts for a WhatsApp message (tests/data/webhooks/twilio_whatsapp):
        a tapped button adds its title and id."""
        form = {
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "ProfileName": "Resident",
            "MessageType": "button" if message.button else "text",
            "SmsSid": sid,
            "WaId": number.removeprefix("+"),
            "SmsStatus": "received",
            "Body": message.body,
            "To": f"whatsapp:{OUR_NUMBER}",
            "NumSegments": "1",
            "ReferralNumMedia": "0",
            "MessageSid": sid,
            "AccountSid": "AC00000000000000000000000000000000",
            "From": f"whatsapp:{number}",
            "ApiVersion": "2010-04-01",
        }
        if message.button:
            form |= {"ButtonText": message.body, "ButtonPayload": message.button}
        return form

    def request(self, form: dict[str, str]) -> bytes:
        """One raw HTTP/1.1 request, signed as Twilio signs it."""
        signature = self._validator.compute_signature(self._url, form)
        body = urlencode(form).encode()
        head = (
            f"POST {self.path} HTTP/1.1\r\n"
            f"Host: {self._host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body


def number(resident: int) -> str:
    return f"+3361{resident:08d}"


def forms(signer: Signer, resident: int, run: str) -> Iterator[dict[str, str]]:
    """A resident's conversation as Twilio's forms, on the channel of the signer's webhook;
    `run` keeps message ids unique."""
    whatsapp = signer.path == WHATSAPP_PATH
    for turn, message in enumerate(conversation(resident, "whatsapp" if whatsapp else "sms")):
        sid = f"SM{run}{resident:012d}{turn:04d}"
        if whatsapp:
            yield signer.whatsapp_form(number(resident), message, sid)
        else:
            yield signer.form(number(resident), message.body, sid)


def write_requests(
    signer: Signer, directory: Path, connections: int, residents: int, run: str, first: int = 0
) -> int:
    """Write `t<k>.req` for each of wrk's connections: its residents' conversations one after
    the other, NUL-separated, so a resident's messages go in order on one connection.
    Returns the number of requests written."""
    total = 0
    for k in range(connections):
        mine = range(first + k, first + residents, connections)
        raw = [signer.request(form) for r in mine for form in forms(signer, r, run)]
        (directory / f"t{k + 1}.req").write_bytes(b"\0".join(raw))
        total += len(raw)
    return total
