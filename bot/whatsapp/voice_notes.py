"""A WhatsApp voice note, measured before its turn: fetched from Twilio (its media URL, with
the account's credentials; Twilio redirects to the file, and the credentials do not follow to
another host), no larger than the limit, its length read from the file by mutagen (Ogg/Opus,
as WhatsApp records them, and the other formats mutagen knows).

The recording stays at Twilio, like a phone idea's: the staff page fetches it for moderators,
and ERASE and `parlons purge` delete it there (bot/outreach/twilio_rest.py). Nothing of it is
kept here but its URL."""

from __future__ import annotations

import io
import logging
import math
from dataclasses import replace

import httpx
import mutagen
from mutagen import MutagenError

from channels.base import Inbound
from channels.whatsapp import Attachment
from dialogs import Text

log = logging.getLogger(__name__)


class TooLarge(Exception):
    """More bytes than a voice message of the longest length we take could weigh."""


class VoiceNotes:
    def __init__(
        self,
        http: httpx.AsyncClient,
        auth: tuple[str, str] | None,
        max_bytes: int,
        api_url: str | None = None,
    ) -> None:
        self._http = http
        self._auth = auth
        self._max_bytes = max_bytes
        self._api_url = api_url.rstrip("/") if api_url else None  # a fake Twilio in the tests

    async def measured(self, inbound: Inbound, note: Attachment) -> Inbound:
        """The message with the voice note's length in seconds (infinite when it is larger
        than the limit); as it came when the file cannot be had or read: a moderator will
        listen to it anyway."""
        assert isinstance(inbound.event, Text)
        try:
            seconds = length(await self.fetch(note.url))
        except TooLarge:
            seconds = math.inf
        except (httpx.HTTPError, MutagenError) as error:
            log.warning("voice note not measured: %s", type(error).__name__)
            return inbound
        return replace(inbound, event=replace(inbound.event, audio_seconds=seconds))

    async def fetch(self, url: str) -> bytes:
        """The file's bytes, read no further than the limit."""
        if self._api_url is not None:
            url = self._api_url + httpx.URL(url).raw_path.decode()
        async with self._http.stream("GET", url, auth=self._auth, follow_redirects=True) as got:
            got.raise_for_status()
            declared = int(got.headers.get("content-length") or 0)
            if declared > self._max_bytes:
                raise TooLarge(declared)
            data = bytearray()
            async for chunk in got.aiter_bytes():
                data += chunk
                if len(data) > self._max_bytes:
                    raise TooLarge(len(data))
        return bytes(data)


def length(audio: bytes) -> float | None:
    """Seconds, read by mutagen from the file itself; None for a format it does not know."""
    found = mutagen.File(io.BytesIO(audio))
    if found is None or found.info is None:
        return None
    return float(found.info.length)
