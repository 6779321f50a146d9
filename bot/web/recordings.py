"""An idea's recording, fetched for the moderator's player: a phone idea is a Twilio
recording, a WhatsApp voice note a message's media (private: fetched with the account's
credentials, and only from Twilio's own host),
a Telegram voice note is a file id (fetched through the Bot API). The browser never holds a
credential nor reaches Twilio or Telegram itself."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from telegram import Bot

from bot.settings import Settings, secret

TWILIO = "https://api.twilio.com"


class Recordings:
    def __init__(self, settings: Settings, bot: Bot | None) -> None:
        self._twilio_host = urlsplit(settings.twilio_api_url or TWILIO).netloc
        sid, token = settings.twilio_account_sid, secret(settings.twilio_auth_token)
        self._twilio_auth = (sid, token) if sid and token else None
        self._bot = bot  # the Telegram channel's own, to fetch a voice note

    async def fetch(self, audio: str) -> tuple[bytes, str] | None:
        """The recording's bytes and type, or None when it cannot be had from here."""
        if audio.startswith(("https://", "http://")):
            return await self._twilio(audio)
        if self._bot is None:
            return None
        voice_note = await self._bot.get_file(audio)
        return bytes(await voice_note.download_as_bytearray()), "audio/ogg"

    async def _twilio(self, url: str) -> tuple[bytes, str] | None:
        if self._twilio_auth is None or urlsplit(url).netloc != self._twilio_host:
            return None  # the account's credentials go to Twilio only
        async with httpx.AsyncClient(timeout=httpx.Timeout(20.0, connect=3.0)) as http:
            if "/Media/" in urlsplit(url).path:
                # A WhatsApp voice note: Twilio redirects to the file (the credentials are not
                # sent on to another host), in the format it came in (Ogg/Opus).
                response = await http.get(url, auth=self._twilio_auth, follow_redirects=True)
                response.raise_for_status()
                return response.content, response.headers.get("content-type", "audio/ogg")
            response = await http.get(f"{url}.mp3", auth=self._twilio_auth)  # Twilio's MP3
        response.raise_for_status()
        return response.content, "audio/mpeg"
