"""A centre's kiosk: `/kiosk/<code>`, opened on the centre's tablet with no sign-in.

Each "new person" is a fresh pseudonymous participant (`kiosk:<random>`), tagged with the
centre in the API and credited to the centre's kiosk link; the tablet itself is never a
participant. The page goes back to its start after a pause, and a revoked link stops at once.
"""

from __future__ import annotations

import hmac
import json
import uuid
from dataclasses import asdict
from typing import Annotated

from babel import Locale
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.schemas import ProfileIn
from bot.records.centres import KIOSK
from bot.web.pages import Web
from bot.web.render import Pages, read_history
from channels import kiosk

router = APIRouter(prefix="/kiosk", include_in_schema=False)
RESET_SECONDS = 120
HISTORY_LIMIT = 20
HEX32 = r"^[0-9a-f]{32}$"


@router.get("/{code}")
async def start_page(request: Request, web: Web, code: str) -> Response:
    link = await web.centres.active_link(code, KIOSK)
    return _page(request, web, code, None if link else "gone", [], "", web.default_language)


@router.post("/{code}/start")
async def new_person(
    request: Request, web: Web, code: str, language: Annotated[str, Form(max_length=8)]
) -> Response:
    """A resident touched their language: a new participant, tagged with the centre."""
    link = await web.centres.active_link(code, KIOSK)
    if link is None:
        return _page(request, web, code, "gone", [], "", web.default_language)
    language = language if language in web.languages else web.default_language
    runtime = web.runtime
    if not await runtime.abuse.newcomer_allowed(code):
        return _page(request, web, code, "busy", [], "", language)
    person = uuid.uuid4().hex
    ref = runtime.pseudonyms.ref(f"kiosk:{person}")
    await web.centres.record(ref, link)  # the centre's count of residents brought
    profile = ProfileIn(channel=kiosk.CHANNEL, language=language, centre=link.centre)
    await runtime.api.set_profile(ref, profile)
    outcome = await runtime.handle(kiosk.parse(person, f"start-{person}", hint=language, link=code))
    history = [{"replies": [asdict(b) for b in kiosk.bubbles(outcome)]}]
    return _page(request, web, code, None, history, _person(web, code, person), outcome.language)


@router.post("/{code}")
async def answer(
    request: Request,
    web: Web,
    code: str,
    person: Annotated[str, Form(max_length=80)],
    message_id: Annotated[str, Form(pattern=HEX32)],
    transcript: Annotated[str, Form()] = "[]",
    text: Annotated[str, Form(max_length=1600)] = "",
    pressed: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if await web.centres.active_link(code, KIOSK) is None:
        return _page(request, web, code, "gone", [], "", web.default_language)
    fresh = _check_person(web, code, person)
    if fresh is None:  # not a person this kiosk started: start again
        return _page(request, web, code, None, [], "", web.default_language)
    value, _, label = pressed.partition("|")
    inbound = kiosk.parse(fresh, f"kiosk-{message_id}", text, value, link=code)
    outcome = await web.runtime.handle(inbound)
    history = read_history(transcript)
    history.append(
        {
            "resident": label if value else text,
            "replies": [asdict(b) for b in kiosk.bubbles(outcome)],
        }
    )
    return _page(request, web, code, None, history[-HISTORY_LIMIT:], person, outcome.language)


def _person(web: Pages, code: str, person: str) -> str:
    """The person's id, tagged for this kiosk link: a page cannot make up its own person."""
    return f"{person}.{web.seal.tag(f'kiosk:{code}:{person}')}"


def _check_person(web: Pages, code: str, signed: str) -> str | None:
    person, _, _tag = signed.partition(".")
    if len(person) == 32 and hmac.compare_digest(_person(web, code, person), signed):
        return person
    return None


def _page(
    request: Request,
    web: Pages,
    code: str,
    gone: str | None,
    history: list,
    person: str,
    language: str,
) -> HTMLResponse:
    words = kiosk.words(language)
    fields = {
        "person": person,
        "message_id": uuid.uuid4().hex,
        "transcript": json.dumps(history, ensure_ascii=False),
    }
    html = web.env.get_template("kiosk.html").render(
        request=request,
        language=language,
        direction=Locale.parse(language).character_order == "right-to-left" and "rtl" or "ltr",
        languages=[(c, Locale.parse(c).get_display_name(c).capitalize()) for c in web.languages],
        words=words,
        gone=words[gone] if gone else None,
        history=history,
        fields=fields,
        home=f"/kiosk/{code}",
        reset_seconds=RESET_SECONDS,
    )
    status = {None: 200, "busy": 429}.get(gone, 404)
    return HTMLResponse(html, status_code=status)
