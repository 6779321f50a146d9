"""Rendering the staff pages: Jinja2 templates in French or English, the sign-in check and
the CSRF check every form goes through."""

from __future__ import annotations

import gettext
import hmac
import json
from functools import cache
from importlib.resources import files
from typing import Any

from babel import Locale, negotiate_locale
from babel.dates import format_date
from fastapi import HTTPException, Request, status
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.records.centres import Centres
from bot.settings import Settings
from bot.turns.runtime import Runtime
from bot.web.api import SignedOut, StaffApi
from bot.web.recordings import Recordings
from bot.web.sign_in import COOKIE, CookieSeal, Staff
from channels.voices import Voices
from dialogs.i18n import has_catalog

DOMAIN = "web"
LANGUAGES = ("fr", "en")  # English is the source; French has its catalog (locales/fr/.../web.po)
LANGUAGE_COOKIE = "parlons_lang"
STATIC = "/staff/static"


@cache
def translations(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, str(files("locales")), languages=[language])


class Pages:
    """What every page is given (bot/wiring/ builds it once): the pages reach the dialog
    through the runtime, as a channel does, and the API with the person's own token."""

    def __init__(
        self,
        seal: CookieSeal,
        api: StaffApi,
        runtime: Runtime,
        settings: Settings,
        voices: Voices,
        centres: Centres,
        recordings: Recordings,
    ) -> None:
        self.seal = seal
        self.api = api
        self.runtime = runtime
        self.settings = settings
        self.voices = voices
        self.centres = centres
        self.recordings = recordings
        self.env = Environment(
            loader=PackageLoader("bot.web", "templates"),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["static"] = STATIC

    @property
    def languages(self) -> list[str]:
        """The languages the dialog offers residents (each with a complete catalog)."""
        return [lang for lang in self.runtime.consultation.languages if has_catalog(lang)]

    @property
    def default_language(self) -> str:
        return self.runtime.consultation.default_language

    def language(self, request: Request) -> str:
        asked = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
        if asked in LANGUAGES:
            return asked
        accepted = [
            part.split(";")[0].strip().replace("-", "_")
            for part in request.headers.get("accept-language", "").split(",")
        ]
        return negotiate_locale(accepted, LANGUAGES, sep="_") or LANGUAGES[0]

    def render(
        self, request: Request, template: str, staff: Staff | None, code: int = 200, **context: Any
    ) -> HTMLResponse:
        language = self.language(request)
        t = translations(language)
        html = self.env.get_template(template).render(
            request=request,
            staff=staff,
            lang=language,
            language_name=lambda code: Locale.parse(code).get_display_name(language),
            own_name=lambda code: Locale.parse(code).get_display_name(code),
            date_name=lambda day, form="medium": format_date(day, form, locale=language),
            _=t.gettext,
            ngettext=t.ngettext,
            **context,
        )
        response = HTMLResponse(html, status_code=code)
        if request.query_params.get("lang") == language:
            response.set_cookie(
                LANGUAGE_COOKIE,
                language,
                max_age=365 * 86400,
                samesite="lax",
                secure=self.secure_cookies(request),
            )
        return response

    def secure_cookies(self, request: Request) -> bool:
        """Secure whenever the public address is https, whatever the last hop was (a load
        balancer may reach us over plain http); on an http address (a laptop), only when the
        request itself came over https."""
        public = self.settings.public_url.lower().startswith("https://")
        return public or request.url.scheme == "https"

    def staff(self, request: Request) -> Staff:
        """The person the cookie names; without one (or forged, or expired) they are sent to
        the sign-in page, and an expired cookie is deleted."""
        staff = self.seal.open(request.cookies.get(COOKIE))
        if staff is None:
            raise SignedOut()
        return staff


def read_history(raw: str) -> list[dict]:
    """A conversation's transcript, carried in its page (the simulator's, the kiosk's)."""
    try:
        history = json.loads(raw)
    except ValueError:
        return []
    return history if isinstance(history, list) else []


def check_csrf(staff: Staff, sent: object) -> None:
    """Every form carries the token sealed in the cookie: a page elsewhere cannot post one."""
    if not isinstance(sent, str) or not hmac.compare_digest(sent, staff.csrf):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the form has expired: reload the page")


def pages(request: Request) -> Pages:
    return request.app.state.parlons_web
