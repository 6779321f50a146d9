"""Big ideas: the accepted proposals grouped by a person. The page lists the big ideas with
their verdicts and proposals, asks the API for a suggested grouping to review (nothing is
stored until a person creates each big idea), and merges, splits, moves and renames; it also
shows the synthesis report and offers it as a file (HTML, or PDF when Chromium is installed).
Analysts and moderators; moderators also choose the quotes the report prints."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.report import content, document, pdf
from bot.web.pages import SignedIn, Web
from bot.web.render import check_csrf

router = APIRouter(prefix="/staff/big-ideas", include_in_schema=False)
Csrf = Annotated[str, Form()]
Title = Annotated[str, Form(min_length=1, max_length=200)]
Ids = Annotated[list[int], Form()]


@router.get("")
async def big_ideas(request: Request, staff: SignedIn, web: Web, suggest: str = "") -> Response:
    at = web.api.at
    ideas = await web.api.get(staff.token, f"{at}/big-ideas")
    results = await web.api.get(staff.token, f"{at}/big-ideas/results")
    proposals = await web.api.get(staff.token, f"{at}/proposals")
    verdicts = {r["cluster"]["id"]: r for r in results["ideas"]}
    placed = {p for idea in ideas for p in idea["proposals"]}
    suggestions = (
        await web.api.call(staff.token, "POST", f"{at}/big-ideas/suggest") if suggest else None
    )
    return web.render(
        request,
        "big_ideas.html",
        staff,
        ideas=ideas,
        verdicts=verdicts,
        proposals={p["id"]: p for p in proposals},
        outside=[p for p in proposals if p["id"] not in placed],
        suggestions=suggestions,
        default_language=web.default_language,
        languages=web.runtime.consultation.languages,
        demo=(await web.api.get(staff.token, f"{at}/results"))["demo"],
    )


@router.post("/create")
async def create(
    staff: SignedIn,
    web: Web,
    csrf: Csrf,
    title: Title,
    proposals: Ids,
    description: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    check_csrf(staff, csrf)
    language = web.default_language
    body = {"title": {language: title}, "proposals": proposals}
    if description.strip():
        body["description"] = {language: description}
    await web.api.call(staff.token, "POST", f"{web.api.at}/big-ideas", body)
    return _back()


@router.post("/{cluster_id}/rename")
async def rename(
    staff: SignedIn,
    web: Web,
    cluster_id: int,
    csrf: Csrf,
    title: Title,
    language: Annotated[str, Form(max_length=8)],
    description: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    check_csrf(staff, csrf)
    body: dict = {"title": {language: title}}
    if description.strip():
        body["description"] = {language: description}
    await web.api.call(staff.token, "PATCH", f"{web.api.at}/big-ideas/{cluster_id}", body)
    return _back(cluster_id)


@router.post("/{cluster_id}/merge")
async def merge(
    staff: SignedIn, web: Web, cluster_id: int, csrf: Csrf, other: Annotated[int, Form()]
) -> Response:
    check_csrf(staff, csrf)
    path = f"{web.api.at}/big-ideas/{cluster_id}/merge"
    await web.api.call(staff.token, "POST", path, {"other": other})
    return _back(cluster_id)


@router.post("/{cluster_id}/split")
async def split(
    staff: SignedIn, web: Web, cluster_id: int, csrf: Csrf, title: Title, proposals: Ids
) -> Response:
    check_csrf(staff, csrf)
    body = {"title": {web.default_language: title}, "proposals": proposals}
    new = await web.api.call(
        staff.token, "POST", f"{web.api.at}/big-ideas/{cluster_id}/split", body
    )
    return _back(new["id"])


@router.post("/move")
async def move(
    staff: SignedIn,
    web: Web,
    csrf: Csrf,
    proposal: Annotated[int, Form()],
    to: Annotated[int, Form()],
) -> Response:
    """One proposal into another big idea (it leaves the one it was in)."""
    check_csrf(staff, csrf)
    at = f"{web.api.at}/big-ideas"
    ideas = {i["id"]: i for i in await web.api.get(staff.token, at)}
    if to not in ideas:
        raise HTTPException(404, "no such big idea")
    wanted = sorted({*ideas[to]["proposals"], proposal})
    await web.api.call(staff.token, "PUT", f"{at}/{to}/proposals", {"proposals": wanted})
    return _back(to)


@router.post("/{cluster_id}/delete")
async def delete(staff: SignedIn, web: Web, cluster_id: int, csrf: Csrf) -> Response:
    check_csrf(staff, csrf)
    await web.api.call(staff.token, "DELETE", f"{web.api.at}/big-ideas/{cluster_id}")
    return _back()


@router.post("/quote")
async def quote(
    staff: SignedIn,
    web: Web,
    csrf: Csrf,
    proposal: Annotated[int, Form()],
    quoted: Annotated[bool, Form()],
) -> Response:
    """A moderator chooses (or no longer) a proposal's words as a quote in the report."""
    check_csrf(staff, csrf)
    method = "PUT" if quoted else "DELETE"
    await web.api.call(staff.token, method, f"{web.api.at}/proposals/{proposal}/quote")
    return _back()


@router.get("/report")
async def report(staff: SignedIn, web: Web, language: str = "") -> Response:
    """The synthesis report as `parlons report` writes it, in any offered language."""
    return HTMLResponse(await _report(staff, web, language))


@router.get("/report.html")
async def report_file(staff: SignedIn, web: Web, language: str = "") -> Response:
    page = await _report(staff, web, language)
    headers = {"Content-Disposition": f'attachment; filename="{_name(web, language)}.html"'}
    return Response(page, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/report.pdf")
async def report_pdf(staff: SignedIn, web: Web, language: str = "") -> Response:
    page = await _report(staff, web, language)
    with tempfile.TemporaryDirectory(prefix="parlons-report-") as folder:
        html, out = Path(folder) / "report.html", Path(folder) / "report.pdf"
        html.write_text(page, encoding="utf-8")
        try:
            await asyncio.to_thread(pdf.print_pdf, html, out)
        except pdf.NoChromium as missing:
            raise HTTPException(503, str(missing)) from missing
        body = out.read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="{_name(web, language)}.pdf"'}
    return Response(body, media_type="application/pdf", headers=headers)


async def _report(staff, web, language: str) -> str:  # noqa: ANN001
    at = web.api.at
    found = content.from_json(
        await web.api.get(staff.token, at),
        await web.api.get(staff.token, f"{at}/results"),
        await web.api.get(staff.token, f"{at}/big-ideas/results"),
        await web.api.get(staff.token, f"{at}/proposals"),
        {c.code: c.name for c in await web.centres.listing()},
    )
    try:
        return document.render(found, language or None)
    except ValueError as wrong:
        raise HTTPException(422, str(wrong)) from wrong


def _name(web, language: str) -> str:  # noqa: ANN001
    slug = web.runtime.consultation.slug
    return f"report-{slug}-{language or web.default_language}"


def _back(cluster_id: int | None = None) -> Response:
    where = f"/staff/big-ideas#idea-{cluster_id}" if cluster_id else "/staff/big-ideas"
    return RedirectResponse(where, status_code=303)
