"""Simulated residents for the load benchmark: whole SMS conversations as pre-signed requests.

Each resident has their own number and texts what a real one would on the demo consultation:
greets, votes, declines then writes an idea, skips the optional profile, votes on. The
requests are signed with Twilio's own RequestValidator and written as raw HTTP, so the load
generator (wrk) only copies bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

SMS_PATH = "/webhooks/twilio/sms"


def conversation(resident: int) -> list[str]:
    """What one resident texts, in order: 16 messages, 10 votes and 1 idea."""
    return [
        "Bonjour",
        "1",
        "2",
        "3",  # third vote: "do you have an idea?" comes with its "Noté."
        "2",  # not now
        f"Il faudrait plus de bancs dans le parc numero {resident}",  # an idea after all
        "1",  # send it
        "1",
        "2",  # fifth vote: the optional profile is asked
        "0",  # no district
        "0",  # no age band
        "2",
        "3",
        "1",
        "1",
        "2",
    ]


VOTES_PER_CONVERSATION = 10
IDEAS_PER_CONVERSATION = 1
# How a reply shows that a vote or an idea was taken (French, the demo's default language).
VOTE_MARKER = "Noté."
IDEA_MARKER = "Un modérateur va lire votre idée"


class Signer:
    def __init__(self, auth_token: str, public_url: str, host: str) -> None:
        self._validator = RequestValidator(auth_token)
        self._url = f"{public_url}{SMS_PATH}"  # what Parlons is told Twilio calls
        self._host = host  # where the requests really go

    def form(self, number: str, body: str, sid: str) -> dict[str, str]:
        """The fields Twilio posts for an inbound SMS (shared/fixtures/twilio_sms)."""
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
