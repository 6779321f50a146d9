"""`parlons import` and `parlons export`: on the consultation's own database (where the API
runs, with its PARLONS_DATABASE_URL), so a city can load or publish a consultation offline."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from api import db, polis
from api.app import MIGRATIONS, ApiState, build_state
from api.imports import ImportRefused
from api.loader import read_consultation
from bot.settings import Settings, secret


@asynccontextmanager
async def _api(settings: Settings) -> AsyncIterator[tuple[ApiState, str]]:
    spec = read_consultation(settings.consultation)
    state = build_state(settings.database_url, secret(settings.admin_token), None)
    try:
        await db.upgrade(state.engine, MIGRATIONS)
        await state.service.load(spec)
        yield state, spec.slug
    finally:
        await state.engine.dispose()


async def _import(settings: Settings, csv_file: Path | None, polis_dir: Path | None) -> int:
    async with _api(settings) as (state, slug):
        try:
            if polis_dir is not None:
                done = await state.imports.polis(slug, polis.read(polis_dir))
            else:
                assert csv_file is not None
                done = await state.imports.proposals_csv(slug, csv_file.read_text("utf-8-sig"))
        except ImportRefused as e:
            print(f"parlons: nothing imported into {slug}:", file=sys.stderr)
            for problem in e.problems:
                print(f"  line {problem.line}: {problem.reason}", file=sys.stderr)
            return 1
        except polis.PolisFormatError as e:
            print(f"parlons: nothing imported into {slug}:", file=sys.stderr)
            for error in e.errors:
                print(f"  {error}", file=sys.stderr)
            return 1
    print(
        f"parlons: imported into {slug}: {done.proposals} proposals, "
        f"{done.participants} participants, {done.ballots} ballots"
    )
    return 0


async def _export(settings: Settings, out: Path) -> int:
    async with _api(settings) as (state, slug):
        files = await state.exports.files(slug)
    for name, text in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"parlons: {len(files)} files of {slug} written to {out}")
    return 0


def import_main(settings: Settings, csv_file: Path | None, polis_dir: Path | None) -> None:
    sys.exit(asyncio.run(_import(settings, csv_file, polis_dir)))


def export_main(settings: Settings, out: Path) -> None:
    sys.exit(asyncio.run(_export(settings, out)))
