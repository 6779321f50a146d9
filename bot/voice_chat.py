"""`parlons chat --channel voice`: be a caller on the phone line, in a terminal, without Twilio.

Each turn goes through the voice channel's own parsing and TwiML rendering, and what Twilio
would say is printed with the voice that would say it. Type digits (the keypad) or words (what
speech recognition would hear); an empty line is silence; Ctrl-D hangs up.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from typing import TextIO

from bot import services
from channels import voice

SIMULATED_NUMBER = "+33639989998"  # ARCEP keeps +33 6 39 98 for fiction: no resident
TYPED_RECORDING = "https://recording.invalid/typed-in-parlons-chat"


async def converse(parlons: services.Services, lines: TextIO, out: TextIO) -> None:
    default_language = parlons.consultation.default_language
    renderer = voice.VoiceRenderer(parlons.voices, parlons.settings.public_url, default_language)
    call = {"CallSid": f"CA{uuid.uuid4().hex}", "From": SIMULATED_NUMBER}
    interactive = lines.isatty()
    out.write(
        "You are calling the consultation. Digits are keys, words are speech. Ctrl-D hangs up.\n"
    )
    turn = 0
    inbound = voice.parse(call, "call")
    while True:
        twiml = ET.fromstring(renderer.render(await parlons.runtime.handle(inbound), turn + 1))
        for say in twiml.iter("Say"):
            out.write(f"  [{say.get('voice')}] {say.text}\n")
        if twiml.find("Hangup") is not None or not len(twiml):
            out.write("  (the line hangs up)\n")
            break
        recording = twiml.find("Record") is not None
        out.write("  (after the beep, say your idea)\n" if recording else "")
        if interactive:
            out.write("> ")
            out.flush()
        line = lines.readline()
        if not line:
            out.write("  (you hang up)\n")
            break
        said = line.strip()
        if not interactive:
            out.write(f"> {said}\n")
        turn += 1
        inbound = voice.parse({**call, **_answer(said, recording)}, str(turn))
    await parlons.runtime.handle(voice.parse(call, "end"))


def _answer(said: str, recording: bool) -> dict[str, str]:
    """The fields Twilio would post for what was typed."""
    if not said:
        return {}
    if recording:
        return {"RecordingUrl": TYPED_RECORDING, "Digits": "#"}
    if said.isdigit() or said in ("#", "*"):
        return {"Digits": said}
    return {"SpeechResult": said, "Confidence": "0.9"}
