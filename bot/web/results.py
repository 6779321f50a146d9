"""Results: proposals ranked (by the lower bound of their agree share, as the API ranks them),
agree / disagree / skip bars, consensus and controversy, participation as charts, opinion
groups; filters by channel, language, district, age band and centre; a CSV of what is shown."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.web.pages import SignedIn, Web

router = APIRouter(prefix="/staff/results", include_in_schema=False)
FILTERS = ("channel", "language", "district", "age_band", "centre")
COLUMNS = [
    "rank", "id", "text", "language", "agree", "disagree", "skip", "votes",
    "agree_rate", "agree_low", "agree_high", "consensus", "controversy",
]  # fmt: skip


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
    )


@router.get("/results.csv")
async def download(request: Request, staff: SignedIn, web: Web) -> Response:
    data = await web.api.get(staff.token, f"{web.api.at}/results", **_filters(request))
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for rank, proposal in enumerate(data["proposals"], start=1):
        writer.writerow({**proposal, "rank": rank})
    headers = {"Content-Disposition": 'attachment; filename="results.csv"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


async def _names(web) -> dict[str, dict[str, str]]:  # noqa: ANN001
    """What a person reads for a district's or a centre's key."""
    districts = web.parlons.runtime.consultation.details.get("districts", [])
    return {
        "district": {d["key"]: d["name"] for d in districts},
        "centre": {c.code: c.name for c in await web.centres.listing()},
    }


def _filters(request: Request) -> dict[str, str]:
    return {p: v for p in FILTERS if (v := request.query_params.get(p, "").strip())}
