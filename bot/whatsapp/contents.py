"""The Content API resources behind WhatsApp's buttons: one per language and choice set (the
vote's three buttons in French, the language list...), their labels fixed, their body and
ids filled in by each message. `parlons whatsapp-content` creates the missing ones (POST
/v1/Content) and finds those created before (GET /v1/Content, by friendly name), then keeps
their Content SIDs in the bot's table, where the webhook reads them.

In session (within the customer-service window), quick replies and lists need no approval
from WhatsApp: they are sent as soon as they exist."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from bot.records.whatsapp import WhatsAppContents
from channels import whatsapp
from dialogs import Ask, Context, District, Session, Stage
from dialogs import prompts as p
from dialogs.i18n import translator

CONTENT_API = "https://content.twilio.com"


def choice_sets(
    language: str, languages: Sequence[str], districts: Sequence[District]
) -> list[whatsapp.Choice]:
    """Every choice the dialog asks in `language` that buttons or a list can show."""
    t = translator(language)
    ctx = Context(
        question={},
        languages=tuple(languages),
        default_language=language,
        proposals={},
        districts=tuple(districts),
    )
    s = Session(language=language, stage=Stage.VOTING)
    asks = [
        Ask("", p.vote_options(t)),
        p.idea_offer(t),
        p.idea_confirmation(t, ""),
        p.hear_back_question(t),
        p.consent_question(s, ctx),
        p.erase_question(s, ctx),
        p.age_question(s, ctx),
        p.language_menu(s, ctx),
        p.district_question(s, ctx),
    ]
    for last_choice in ("agree", "disagree"):
        s.last_choice = last_choice
        asks.append(p.qualify_question(s, ctx))
    found = {c.key: c for ask in asks if (c := whatsapp.choice_of(ask, language)) is not None}
    return list(found.values())


def list_button(language: str) -> str:
    # Translators: the button that opens a WhatsApp list of choices (20 characters at most).
    return translator(language).gettext("Choose")[: whatsapp.BUTTON_TITLE_MAX]


class ContentApi:
    """Twilio's Content API over httpx (JSON in and out), on another host in the tests."""

    def __init__(self, http: httpx.AsyncClient, account: str, token: str, api_url: str | None):
        self._http = http
        self._auth = (account, token)
        self._base = (api_url or CONTENT_API).rstrip("/")

    async def listing(self) -> dict[str, str]:
        """Every content resource of the account: friendly name -> Content SID."""
        found: dict[str, str] = {}
        url: str | None = f"{self._base}/v1/Content?PageSize=1000"
        while url:
            page = await self._http.get(url, auth=self._auth)
            page.raise_for_status()
            data = page.json()
            found |= {c["friendly_name"]: c["sid"] for c in data.get("contents", [])}
            url = (data.get("meta") or {}).get("next_page_url")
            if url and not url.startswith(self._base):  # Twilio's own host: ours may differ
                url = self._base + httpx.URL(url).raw_path.decode()
        return found

    async def create(self, definition: dict) -> str:
        made = await self._http.post(f"{self._base}/v1/Content", json=definition, auth=self._auth)
        made.raise_for_status()
        return made.json()["sid"]


async def provide(
    api: ContentApi,
    kept: WhatsAppContents,
    languages: Sequence[str],
    districts: Sequence[District],
) -> list[tuple[whatsapp.Choice, str, str]]:
    """Each choice set of each language with its Content SID, found or created, and kept."""
    existing = await api.listing()
    done = []
    for language in languages:
        for choice in choice_sets(language, languages, districts):
            sid = existing.get(choice.key)
            how = "found"
            if sid is None:
                sid, how = await api.create(choice.definition(list_button(language))), "created"
            await kept.keep(choice.key, sid, language)
            done.append((choice, sid, how))
    return done
