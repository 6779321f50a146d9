"""`/healthz`: the process answers. `/readyz`: every store it needs answers too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

Check = Callable[[], Awaitable[None]]


def router(checks: dict[str, Check]) -> APIRouter:
    routes = APIRouter(tags=["health"])

    @routes.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @routes.get("/readyz")
    async def readyz() -> JSONResponse:
        report: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await check()
                report[name] = "ok"
            except Exception as e:  # noqa: BLE001 (any failure means not ready)
                report[name] = f"unavailable: {type(e).__name__}"
        ready = all(v == "ok" for v in report.values())
        return JSONResponse({"ready": ready, "stores": report}, status_code=200 if ready else 503)

    return routes
