"""Simulated residents for the load benchmark: whole SMS conversations as pre-signed requests.

Each resident has their own number and texts what a real one would on the demo consultation:
greets, votes, declines the offer of an idea then writes one anyway, skips the optional
questions, votes on. What they text is planned once by playing that behaviour through the
dialog itself (`dialogs.step`), so the script follows the dialog as it grows new questions.
The requests are signed with Twilio's own RequestValidator and written as raw HTTP, so the
load generator (wrk) only copies bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from api.loader import read_consultation
from bot.settings import DEMO_CONSULTATION
from bot.turns.runtime import QUEUE_LOW, QUEUE_SIZE
from dialogs import CastBallot, Context, District, ProposalView, Session, Stage, SubmitIdea, Text
from dialogs import step as dialog_step

SMS_PATH = "/webhooks/twilio/sms"
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


@cache
def script() -> tuple[str, ...]:
    """The messages of one conversation, `{resident}` left in the idea's text."""
    ctx = demo_context()
    ids = sorted(ctx.proposals)
    session, messages, votes, ideas = Session(), [], 0, 0
    while votes < VOTES_PER_CONVERSATION or ideas < IDEAS_PER_CONVERSATION:
        if len(messages) > 40:
            raise RuntimeError(f"the simulated resident is stuck: {messages}")
        message = next_message(session, votes, ideas)
        top_up(session, ids)
        turn = dialog_step(session, Text(message.format(resident=0)), ctx)
        messages.append(message)
        votes += sum(isinstance(e, CastBallot) for e in turn.effects)
        ideas += sum(isinstance(e, SubmitIdea) for e in turn.effects)
        session = turn.session
    return tuple(messages)


def conversation(resident: int) -> list[str]:
    """What one resident texts, in order."""
    return [m.format(resident=resident) for m in script()]


class Signer:
    def __init__(self, auth_token: str, public_url: str, host: str) -> None:
        self._validator = RequestValidator(auth_token)
        self._url = f"{public_url}{SMS_PATH}"  # what Parlons is told Twilio calls
        self._host = host  # where the requests really go

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
            "To": "+33199000042",
            "MessageSid": sid,
            "NumSegments": "1",
            "SmsStatus": "received",
            "From": number,
            "AccountSid": "AC00000000000000000000000000000000",
            "ApiVersion": "2010-04-01",
        }

    def request(self, form: dict[str, str]) -> bytes:
        """One raw HTTP/1.1 request, signed as Twilio signs it."""
        signature = self._validator.compute_signature(self._url, form)
        body = urlencode(form).encode()
        head = (
            f"POST {SMS_PATH} HTTP/1.1\r\n"
            f"Host: {self._host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body


def number(resident: int) -> str:
    return f"+3361{resident:08d}"


def forms(signer: Signer, resident: int, run: str) -> Iterator[dict[str, str]]:
    """A resident's conversation as Twilio's forms; `run` keeps message ids unique."""
    for turn, body in enumerate(conversation(resident)):
        yield signer.form(number(resident), body, f"SM{run}{resident:012d}{turn:04d}")


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
