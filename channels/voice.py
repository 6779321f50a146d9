"""Phone calls through Twilio Voice: `POST /webhooks/twilio/voice` and the action URLs below
it in, TwiML `<Gather>` / `<Say>` / `<Record>` out.

A call is a series of requests, one per answer. Each TwiML we send names its action URL with
the turn's number (`?n=3`), so the call's SID and that number identify a request: a retry by
Twilio is the same message to the runtime and gets the same answer, never a second ballot.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from fastapi import APIRouter, Request, Response
from twilio.twiml.voice_response import Gather, VoiceResponse

from channels.base import Handler, Inbound, Outcome
from channels.twilio_webhook import TwilioWebhook
from channels.voices import Voices
from dialogs import Ask, HungUp, Opened, Prompt, Reply, Say, Text
from dialogs.i18n import translator
from dialogs.words import keywords

log = logging.getLogger(__name__)

CHANNEL = "voice"
PATH = "/webhooks/twilio/voice"
TWIML = "application/xml"
ANSWER_SECONDS = 6  # silence before a question counts as unanswered
IDEA_SECONDS = 120  # the longest recording of an idea
BRIEF_AFTER_TURN = 4  # the menu and three questions with their choices in full
ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}

# What Twilio puts in `From` when the caller hides their number: the words spelled on a
# keypad (+266696687 is "ANONYMOUS"), or the words themselves.
WITHHELD = {
    "+266696687",
    "+7378742833",
    "+8656696",
    "+86282452253",
    "+2562533",
    "anonymous",
    "restricted",
    "unknown",
    "unavailable",
    "private",
    "blocked",
}
E164 = re.compile(r"\+[1-9]\d{6,14}")
LONG_NUMBER = re.compile(r"(?<!\d)\d{3,5}(?!\d)")  # "3919" is said "3 9 1 9"


def caller_address(form: Mapping[str, str]) -> str:
    """`tel:+33...` as for SMS (one resident, one participant); a withheld number takes part
    for this one call only, under the call's own SID."""
    number = form.get("From", "").strip()
    if number.lower() in WITHHELD or not E164.fullmatch(number):
        return f"call:{form['CallSid']}"
    return f"tel:{number}"


def answer_of(form: Mapping[str, str]) -> Text:
    """Keys pressed, words recognised, a recording, or nothing at all (silence)."""
    if recording := form.get("RecordingUrl", ""):
        return Text("", audio=recording)  # its Digits are the key that ended it, or "hangup"
    if digits := form.get("Digits", ""):
        return Text(digits)
    if speech := form.get("SpeechResult", "").strip():
        return Text(speech, confidence=_confidence(form.get("Confidence", "")))
    return Text("")


def _confidence(value: str) -> float | None:
    """Twilio's Confidence, 0 to 1; None when absent or unreadable."""
    try:
        confidence = float(value)
    except ValueError:
        return None
    return confidence if 0 <= confidence <= 1 else None


def parse(form: Mapping[str, str], turn: str) -> Inbound:
    """`turn` is "call" for the call's first request, "end" for its status callback, else the
    number of the answer (from the action URL)."""
    match turn:
        case "call":
            event = Opened()
        case "end":
            event = HungUp()
        case _:
            event = answer_of(form)
    address = caller_address(form)
    # A withheld number cannot be called or written to later: never asked to hear back.
    reachable = address.startswith("tel:")
    keypad = isinstance(event, Text) and not event.audio and bool(form.get("Digits"))
    message_id = f"{form['CallSid']}:{turn}"
    return Inbound(CHANNEL, message_id, address, event, reachable, keypad=keypad, spoken=True)


# --- rendering --------------------------------------------------------------------------------


def spoken_options(ask: Ask, language: str, brief: bool = False) -> list[tuple[str, str]]:
    """What the keypad choices sound like: (text, language) to say, in order. `brief`: only
    each choice's digit, for a caller who has heard them in full already."""
    t = translator(language)
    numbered = ask.numbered()
    if any(o.language for _, o in numbered):
        # The language menu: each language offers itself, in its own words and voice.
        return [(_offer_language(o.language, d), o.language) for d, o in numbered]
    if brief:
        said = [
            t.pgettext("spoken", "%(label)s, %(digit)d.") % {"label": o.label, "digit": d}
            for d, o in numbered
        ]
        return [(" ".join(said), language)]
    said = [
        t.pgettext("spoken", "%(label)s: press %(digit)d.") % {"label": o.label, "digit": d}
        for d, o in numbered
    ]
    if all(d != 0 for d, _ in numbered):
        said.append(t.pgettext("spoken", "To hear it again, press 0."))
    return [(" ".join(said), language)]


def _offer_language(language: str, digit: int) -> str:
    t = translator(language)
    # Translators: said on the phone's language menu, in your language's voice: name it.
    return t.pgettext("spoken", "In English, press %(digit)d.") % {"digit": digit}


class VoiceRenderer:
    """Replies to TwiML: each sentence in its language's Twilio voice, a question as a
    `<Gather>` that takes keys or words, a recorded idea as a `<Record>`."""

    def __init__(self, voices: Voices, public_url: str, default_language: str) -> None:
        self.voices = voices
        self.base = public_url.rstrip("/") + PATH
        self.default_language = default_language

    def apology(self) -> str:
        """For a turn that failed: a 500 would have Twilio say "an application error" and hang
        up. Nothing the caller was thanked for is lost (ballots are stored before), so say so."""
        t = translator(self.default_language)
        sorry = t.pgettext(
            "spoken",
            "Sorry, we cannot answer just now. Please call again later: you will go on where "
            "you left off.",
        )
        return self.render(Outcome((Say(sorry),), self.default_language), 0)

    def render(self, outcome: Outcome, next_turn: int) -> str:
        """`next_turn` numbers the answer our action URL will bring."""
        twiml = VoiceResponse()
        replies, language = outcome.said, outcome.language  # a caller over a limit hears when
        last = replies[-1] if replies else None
        said = [
            (r.text, getattr(r, "language", None) or language, getattr(r, "slow", False))
            for r in replies
            if r.text
        ]
        if isinstance(last, Ask):
            # After the first questions of a call, the next proposal (after "Noted.") gets
            # its choices in brief; a question asked again alone has them in full.
            brief = next_turn > BRIEF_AFTER_TURN and last.about is not None and len(replies) > 1
            said.extend((text, lang, False) for text, lang in spoken_options(last, language, brief))
        if isinstance(last, Prompt) and last.record:
            action = f"{self.base}/record?n={next_turn}"
            self._say(twiml, said)
            twiml.record(
                action=action,
                method="POST",
                timeout=ANSWER_SECONDS,
                max_length=IDEA_SECONDS,
                finish_on_key="#",
                play_beep=True,
                trim="trim-silence",
            )
            twiml.redirect(action, method="POST")  # nothing recorded: Twilio goes on to here
        elif isinstance(last, Ask | Prompt):
            action = f"{self.base}/gather?n={next_turn}"
            self._say(self._gather(twiml, last, language, action), said)
            twiml.redirect(action, method="POST")  # no answer: Twilio goes on to here
        else:
            self._say(twiml, said)
            twiml.hangup()  # nothing asked: the call is over
        return str(twiml)

    def _gather(self, twiml: VoiceResponse, question: Reply, language: str, action: str) -> Gather:
        listen = {"action": action, "method": "POST", "timeout": ANSWER_SECONDS}
        words = {"language": self.voices[language].recognition, "speech_timeout": "auto"}
        if isinstance(question, Prompt):  # an idea, in words only
            return twiml.gather(input="speech", **listen, **words)
        listen["num_digits"] = len(str(max(d for d, _ in question.numbered())))
        if any(o.language for o in question.options):
            # The language menu: we cannot yet tell which language to listen for.
            return twiml.gather(input="dtmf", **listen)
        hints = dict.fromkeys([*(o.label for o in question.options), *keywords(language)])
        return twiml.gather(input="dtmf speech", hints=", ".join(hints), **listen, **words)

    def _say(self, verb: VoiceResponse | Gather, said: list[tuple[str, str, bool]]) -> None:
        for text, language, slow in said:
            voice = self.voices[language]
            if slow:  # numbers to note down: slowly, a long number digit by digit
                words = LONG_NUMBER.sub(lambda m: " ".join(m.group()), text)
                verb.say(voice=voice.voice, language=voice.language).prosody(words, rate="slow")
            else:
                verb.say(text, voice=voice.voice, language=voice.language)


# --- routes -----------------------------------------------------------------------------------


def router(handle: Handler, twilio: TwilioWebhook, renderer: VoiceRenderer) -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    async def verified(request: Request) -> dict[str, str] | Response:
        return await twilio.form(request, ("CallSid",), "not a Twilio call")

    async def answered(inbound: Inbound, next_turn: int) -> Response:
        try:
            outcome = await handle(inbound)
        except Exception:
            log.exception("voice turn failed channel=%s", CHANNEL)
            return Response(renderer.apology(), media_type=TWIML)
        return Response(renderer.render(outcome, next_turn), media_type=TWIML)

    @routes.post(PATH)
    @routes.post(f"{PATH}/incoming")
    async def incoming_call(request: Request) -> Response:
        form = await verified(request)
        if isinstance(form, Response):
            return form
        return await answered(parse(form, "call"), 1)

    @routes.post(f"{PATH}/gather")
    @routes.post(f"{PATH}/record")
    async def answer(request: Request) -> Response:
        form = await verified(request)
        if isinstance(form, Response):
            return form
        turn = request.query_params.get("n", "")
        turn = int(turn) if turn.isdigit() else 1
        return await answered(parse(form, str(turn)), turn + 1)

    @routes.post(f"{PATH}/status")
    async def call_status(request: Request) -> Response:
        form = await verified(request)
        if isinstance(form, Response):
            return form
        if form.get("CallStatus") in ENDED:
            await handle(parse(form, "end"))  # what was confirmed is kept; the call closes
        return Response(str(VoiceResponse()), media_type=TWIML)

    return routes
