"""Results: proposals ranked (by the lower bound of their agree share, as the API ranks them),
agree / disagree / skip bars, consensus and controversy, participation as charts, opinion
groups; filters by channel, language, district, age band and centre; a CSV of what is shown;
and the API's export files, fetched with the signed-in person's token (the browser holds none)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from api.spreadsheet import to_csv
from bot.api_client import ApiRefused
from bot.web.pages import SignedIn, Web

router = APIRouter(prefix="/staff/results", include_in_schema=False)
FILTERS = ("channel", "language", "district", "age_band", "centre")
COLUMNS = [
    "rank", "id", "text", "language", "agree", "disagree", "skip", "votes",
    "agree_rate", "agree_low", "agree_high", "consensus", "controversy",
]  # fmt: skip
BARS = 62  # at most, in the chart over time: each stays a few pixels wide at 320 px


@router.get("")
async def results(request: Request, staff: SignedIn, web: Web) -> Response:
    chosen = _filters(request)
    data = await web.api.get(staff.token, f"{web.api.at}/results", **chosen)
    # The choices offered in each filter: what the whole consultation has seen.
    everyone = data if not chosen else await web.api.get(staff.token, f"{web.api.at}/results")
    options = {part: sorted(everyone["participation"].get(part, {})) for part in FILTERS}
    for part in FILTERS:
        if part in chosen and chosen[part] not in options[part]:
            options[part].append(chosen[part])
    return web.render(
        request,
        "results.html",
        staff,
        results=data,
        chosen=chosen,
        options=options,
        texts={p["id"]: p["text"] for p in data["proposals"]},
        names=await _names(web),
        query=request.url.query,
        over_time=_over_time(data.get("timeline", [])),
        exports=await _exports(web, staff.token),
    )


@router.get("/results.csv")
async def download(request: Request, staff: SignedIn, web: Web) -> Response:
    data = await web.api.get(staff.token, f"{web.api.at}/results", **_filters(request))
    rows = [
        [{**proposal, "rank": rank}.get(column, "") for column in COLUMNS]
        for rank, proposal in enumerate(data["proposals"], start=1)
    ]
    headers = {"Content-Disposition": 'attachment; filename="results.csv"'}
    # As every CSV we write: a resident's `=...` stays text in the analyst's spreadsheet.
    body = to_csv([COLUMNS, *rows])
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/exports/{name:path}")
async def export(name: str, staff: SignedIn, web: Web) -> Response:
    """One of the API's export files, as the API serves it (name, type and bytes)."""
    # Only a listed name: no other API path is ever reached through this route. (A moderator's
    # token is refused by the API: bot/web/problems.py makes that a page.)
    if name not in await web.api.get(staff.token, f"{web.api.at}/exports"):
        raise HTTPException(404, "no such export file")
    file = await web.api.download(staff.token, f"{web.api.at}/exports/{name}")
    headers = {"Content-Disposition": file.headers["content-disposition"]}
    return Response(file.content, media_type=file.headers["content-type"], headers=headers)


async def _exports(web, token: str) -> list[str] | None:  # noqa: ANN001
    """The export files this person may download; None when their role may not (moderators)."""
    try:
        return await web.api.get(token, f"{web.api.at}/exports")
    except ApiRefused:
        return None


def _over_time(timeline: list[dict]) -> dict:
    """The API's days as the chart draws them: a bar a day, or a week (from Monday), or a
    month, whichever first needs no more than BARS bars."""
    for unit in ("day", "week", "month"):
        bars: dict[date, dict] = {}
        for d in timeline:
            start = _period_start(date.fromisoformat(d["day"]), unit)
            bar = bars.setdefault(
                start, {"start": start, "ballots": 0, "participants": 0, "channels": Counter()}
            )
            bar["ballots"] += d["ballots"]
            bar["participants"] += d["participants"]
            bar["channels"].update(d["channels"])
        if len(bars) <= BARS:
            break
    return {"unit": unit, "bars": list(bars.values())}


def _period_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if unit == "month" else day


async def _names(web) -> dict[str, dict[str, str]]:  # noqa: ANN001
    """What a person reads for a district's or a centre's key."""
    districts = web.runtime.consultation.details.get("districts", [])
    return {
        "district": {d["key"]: d["name"] for d in districts},
        "centre": {c.code: c.name for c in await web.centres.listing()},
    }


def _filters(request: Request) -> dict[str, str]:
    return {p: v for p in FILTERS if (v := request.query_params.get(p, "").strip())}
