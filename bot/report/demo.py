"""Generated residents for the bundled demo consultation (`parlons demo`), so that the report
and the staff pages of a fresh clone have something worth looking at. Pure: a seed in, the same
residents out, each with a profile, a channel, a day and about ten votes.

How they vote: each proposal has a popularity; two camps of residents (older residents by car,
younger ones by bus and bike, say) disagree on the proposals of a few themes, so the demo shows
controversies and opinion groups, not only a ranking.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from api.models import Role
from api.schemas import BallotIn, ClusterIn, ConsultationOut, ProfileIn, ProposalOut
from api.state import ApiState
from api.tokens import Caller
from dialogs.prompts import AGE_BANDS

CHANNELS = (("sms", 40), ("voice", 15), ("telegram", 15), ("whatsapp", 20), ("kiosk", 10))
LANGUAGE_WEIGHTS = {"fr": 70, "ar": 10, "tr": 8, "en": 4, "de": 4, "pt": 4}
CENTRES = ("Centre social Papin", "Centre social Drouot", "Centre social Lavoisier")
DIVISIVE_THEMES = ("transport", "culture")  # the two camps disagree here
VOTES = (6, 14)  # each resident votes on this many proposals, at least and at most
DAYS = 35  # the demo's votes are spread over the last five weeks
DEMO = Caller("parlons demo", Role.ADMIN)  # its name in the audit trails


@dataclass(frozen=True)
class Resident:
    ref: str
    channel: str
    language: str
    district: str | None
    age_band: str | None
    centre: str | None
    day: datetime
    votes: dict[int, str]  # proposal id -> agree, disagree, skip


def residents(
    count: int,
    proposals: list[tuple[int, str | None]],
    languages: list[str],
    districts: list[str],
    seed: int = 1,
    now: datetime | None = None,
) -> list[Resident]:
    """`count` residents voting on `proposals` ((id, theme) each). The same seed gives the
    same residents, refs included, so running the demo again adds nobody twice."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    popularity = {pid: rng.betavariate(4, 2) for pid, _ in proposals}
    offered = [lang for lang in languages if lang in LANGUAGE_WEIGHTS] or languages[:1]
    out = []
    for n in range(count):
        camp = rng.random() < 0.45
        channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        language = rng.choices(offered, [LANGUAGE_WEIGHTS.get(lang, 1) for lang in offered])[0]
        bands = AGE_BANDS[1:3] if camp else AGE_BANDS[3:]
        # The first days are busier (the launch), then a steady trickle.
        day = now - timedelta(days=DAYS * (1 - rng.random() ** 1.6), hours=rng.random() * 12)
        chosen = rng.sample(proposals, min(len(proposals), rng.randint(*VOTES)))
        votes = {}
        for pid, theme in chosen:
            p = popularity[pid]
            if theme in DIVISIVE_THEMES:
                p = 0.85 if camp else 0.2
            roll = rng.random()
            votes[pid] = "skip" if roll < 0.08 else ("agree" if rng.random() < p else "disagree")
        out.append(
            Resident(
                ref=f"demo-{seed:03d}-{n:06d}",
                channel=channel,
                language=language,
                district=rng.choice(districts) if districts and rng.random() < 0.8 else None,
                age_band=rng.choice(bands) if rng.random() < 0.75 else None,
                centre=rng.choice(CENTRES) if channel == "kiosk" else None,
                day=day,
                votes=votes,
            )
        )
    return out


async def fill(state: ApiState, slug: str, count: int, seed: int = 1) -> str:
    """Add the generated residents to the demo consultation (refused in any other), then, if
    nobody has yet, make one big idea per theme and choose three quotes, as a person would
    (under the name "parlons demo" in the audit trails). What was done, in a sentence."""
    await state.demo.check(slug)
    consultation = await state.service.consultation(slug)
    accepted = await state.service.proposals(slug)
    districts = [d["key"] for d in consultation.details.get("districts", []) if "key" in d]
    people = residents(
        count, [(p.id, p.theme) for p in accepted], consultation.languages, districts, seed
    )
    for resident in people:
        await state.service.set_profile(
            slug,
            resident.ref,
            ProfileIn(
                channel=resident.channel,
                language=resident.language,
                district=resident.district,
                age_band=resident.age_band,
                centre=resident.centre,
            ),
        )
        await state.service.cast_ballots(
            slug,
            [
                BallotIn(
                    participant=resident.ref,
                    proposal_id=pid,
                    choice=choice,
                    channel=resident.channel,
                    language=resident.language,
                    idempotency_key=f"{resident.ref}-{pid}",
                )
                for pid, choice in resident.votes.items()
            ],
        )
    marked = await state.demo.mark(slug, {r.ref: r.day for r in people})
    ideas = await _big_ideas(state, slug, consultation, accepted)
    quotes = await _quotes(state, slug, accepted)
    return (
        f"{marked} demo residents in {slug} ({sum(len(r.votes) for r in people)} votes), "
        f"{ideas} big ideas made, {quotes} quotes chosen"
    )


async def _big_ideas(
    state: ApiState, slug: str, consultation: ConsultationOut, accepted: list[ProposalOut]
) -> int:
    if await state.big_ideas.list(slug):
        return 0  # a person's grouping is never replaced
    themes = consultation.details.get("themes", {})
    by_theme: dict[str, list[int]] = {}
    for p in accepted:
        by_theme.setdefault(p.theme or "other", []).append(p.id)
    for theme, ids in by_theme.items():
        names = themes.get(theme) or {consultation.default_language: theme}
        title = {k: v for k, v in names.items() if k in consultation.languages}
        await state.big_ideas.create(slug, DEMO, ClusterIn(title=title, proposals=ids))
    return len(by_theme)


async def _quotes(state: ApiState, slug: str, accepted: list[ProposalOut]) -> int:
    if any(p.quoted for p in accepted):
        return 0
    seen: set[str | None] = set()
    chosen = 0
    for p in accepted:
        if p.theme not in seen and chosen < 3:
            seen.add(p.theme)
            await state.moderation.quote(slug, p.id, DEMO, quoted=True)
            chosen += 1
    return chosen
