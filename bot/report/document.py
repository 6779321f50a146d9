"""The report as one HTML page (styles and charts inline, nothing fetched), in one of the
consultation's languages, right to left where the language is written so."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from statistics import fmean
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, PackageLoader, select_autoescape

from api.cluster_results import CLASSIFIED_FROM, CONTROVERSIAL, REJECTED, SUPPORTED
from api.schemas import ClusterResult, Day, ProposalOut
from bot.report import charts
from bot.report.content import ReportContent
from bot.report.words import CHANNELS, CONTEXT, WORDS
from dialogs.i18n import translator

PARTS = ("channel", "district", "language", "age_band", "centre")
CONTROVERSIES = 5  # proposals listed
MIN_VOTES_FOR_CONTROVERSY = 10
BEST = 3  # proposals shown under a big idea
BARS = 26  # at most in the chart over time: days, else weeks, else months

_env = Environment(
    loader=PackageLoader("bot.report", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(content: ReportContent, language: str | None = None, today: date | None = None) -> str:
    consultation = content.consultation
    language = language or consultation.default_language
    if language not in consultation.languages:
        raise ValueError(f"{language!r} is not offered: one of {', '.join(consultation.languages)}")
    words = Words(language)
    rtl = Locale.parse(language).character_order == "right-to-left"
    return _env.get_template("report.html").render(
        c=content,
        lang=language,
        rtl=rtl,
        t=words,
        title=_pick(consultation.title, language, consultation.default_language),
        question=_pick(consultation.question, language, consultation.default_language),
        calendar=_calendar(content, words),
        numbers=_numbers(content, words),
        parts=_participation(content, words, language),
        over_time=_over_time(content.results.timeline, words, rtl),
        ideas=[_idea(i, content, words, language) for i in content.ideas.ideas],
        controversies=_controversies(content, words, language),
        groups=_groups(content, words, language),
        uniting=[
            _proposal_line(content, pid, words, language) for pid in content.results.uniting[:5]
        ],
        quotes=[_quote(q, language) for q in content.quotes],
        method=_method(content, words),
        generated=words("generated", day=words.day(today or datetime.now(UTC).date())),
    )


class Words:
    """The report's words and numbers in one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._t = translator(language)

    def __call__(self, key: str, **values: Any) -> str:
        text = self._t.pgettext(CONTEXT, WORDS[key])
        return text % values if values else text

    def channel(self, key: str) -> str:
        return self._t.pgettext(CONTEXT, CHANNELS[key]) if key in CHANNELS else key

    def number(self, n: float) -> str:
        return format_decimal(n, locale=self.language)

    def percent(self, x: float | None) -> str:
        return "-" if x is None else format_percent(x, locale=self.language)

    def day(self, d: date | datetime) -> str:
        return format_date(d, format="long", locale=self.language)


def _pick(texts: dict[str, str], language: str, default: str) -> str:
    return texts.get(language) or texts.get(default) or next(iter(texts.values()), "")


def _calendar(content: ReportContent, t: Words) -> list[str]:
    c, timeline = content.consultation, content.results.timeline
    lines = []
    zone = ZoneInfo(c.timezone)  # the city's own calendar, not UTC's
    if c.opens_at:
        lines.append(t("opened", day=t.day(c.opens_at.astimezone(zone))))
    if c.closes_at:
        lines.append(t("closes", day=t.day(c.closes_at.astimezone(zone))))
    if timeline:
        lines.append(t("votes_from_to", first=t.day(timeline[0].day), last=t.day(timeline[-1].day)))
    return lines


def _numbers(content: ReportContent, t: Words) -> list[tuple[str, str]]:
    r = content.results
    return [
        (t.number(r.participants), t("participants")),
        (t.number(r.ballots), t("ballots")),
        (t.number(len(r.proposals)), t("accepted")),
        (t.number(len(content.ideas.ideas)), t("ideas_count")),
    ]


def _participation(content: ReportContent, t: Words, language: str) -> list[dict]:
    """Each breakdown as rows (label, residents, votes, bar), most residents first."""
    districts = {
        d.get("key"): d.get("name") for d in content.consultation.details.get("districts", [])
    }
    out = []
    for part in PARTS:
        found = dict(content.results.participation.get(part, {}))
        if part == "centre":
            found.pop("unknown", None)  # most residents came through no centre: not news
        if not found or set(found) == {"unknown"}:
            continue  # nobody told: no chart of nothing
        most = max(p.participants for p in found.values()) or 1
        rows = []
        for key, p in sorted(
            found.items(), key=lambda kv: (kv[0] == "unknown", -kv[1].participants, kv[0])
        ):
            rows.append(
                {
                    "label": _label(part, key, t, language, districts, content.centres),
                    "residents": t.number(p.participants),
                    "votes": t.number(p.ballots),
                    "bar": charts.bar(p.participants, most),
                }
            )
        out.append({"part": part, "title": t(part), "rows": rows})
    return out


def _label(
    part: str, key: str, t: Words, language: str, districts: dict, centres: dict[str, str]
) -> str:
    if key == "unknown":
        return t("not_given")
    if part == "channel":
        return t.channel(key)
    if part == "language":
        try:
            return Locale.parse(key).get_display_name(language) or key
        except ValueError:
            return key
    if part == "district":
        return districts.get(key) or key
    if part == "centre":
        return centres.get(key) or key
    return key


def _over_time(timeline: list[Day], t: Words, rtl: bool) -> Any:
    """Votes a day, or a week (from Monday), or a month, whichever first needs no more than
    BARS columns, so that every column carries its figure."""
    if not timeline:
        return None
    for unit in ("day", "week", "month"):
        periods: dict[date, int] = {}
        for d in timeline:
            start = d.day
            if unit == "week":
                start = d.day - timedelta(days=d.day.weekday())
            elif unit == "month":
                start = d.day.replace(day=1)
            start = max(start, timeline[0].day)  # a period starts no earlier than the votes
            periods[start] = periods.get(start, 0) + d.ballots
        if len(periods) <= BARS:
            break
    points = [
        (format_date(p, "MMM y" if unit == "month" else "d MMM", locale=t.language), n, t.number(n))
        for p, n in periods.items()
    ]
    return charts.columns(points, rtl, t("over_time"))


def _idea(idea: ClusterResult, content: ReportContent, t: Words, language: str) -> dict:
    default = content.consultation.default_language
    return {
        "title": _pick(idea.cluster.title, language, default),
        "description": _pick(idea.cluster.description, language, default)
        if idea.cluster.description
        else "",
        "verdict": idea.verdict,
        "verdict_words": t(idea.verdict),
        "agreement": t.percent(idea.agree_rate),
        "interval": t(
            "interval",
            level=t.percent(0.95),
            low=t.percent(idea.agree_low),
            high=t.percent(idea.agree_high),
        ),
        "chart": charts.interval(idea.agree_rate, idea.agree_low, idea.agree_high),
        "residents": t("residents_voted", num=t.number(idea.residents)),
        "best": [
            {
                "text": content.text(s.id, language),
                "share": t.percent(s.agree / (s.agree + s.disagree))
                if s.agree + s.disagree
                else "-",
                "counts": t(
                    "agree_disagree", agree=t.number(s.agree), disagree=t.number(s.disagree)
                ),
            }
            for s in idea.most_supported[:BEST]
        ],
    }


def _controversies(content: ReportContent, t: Words, language: str) -> list[dict]:
    divided = [
        p
        for p in content.results.proposals
        if p.agree + p.disagree >= MIN_VOTES_FOR_CONTROVERSY and p.controversy > 0
    ]
    divided.sort(key=lambda p: (-p.controversy, p.id))
    return [
        {
            "text": content.text(p.id, language),
            "share": t.percent(p.agree_rate),
            "counts": t("agree_disagree", agree=t.number(p.agree), disagree=t.number(p.disagree)),
            "chart": charts.interval(p.agree_rate, p.agree_low, p.agree_high),
        }
        for p in divided[:CONTROVERSIES]
    ]


def _groups(content: ReportContent, t: Words, language: str) -> list[dict]:
    by_id = {p.id: p for p in content.results.proposals}
    out = []
    for g in content.results.groups:
        lines = []
        for pid in g.distinctive:
            p = by_id.get(pid)
            if p is None:
                continue
            inside = next((s for s in p.groups if s.group == g.id), None)
            others = [s for s in p.groups if s.group != g.id]
            agree_out = sum(s.agree for s in others)
            decided_out = sum(s.agree + s.disagree for s in others)
            lines.append(
                {
                    "text": content.text(pid, language),
                    "shares": t(
                        "in_group",
                        share=t.percent(inside.agree_rate if inside else None),
                        others=t.percent(agree_out / decided_out if decided_out else None),
                    ),
                }
            )
        out.append(
            {
                "title": t("group", num=t.number(g.id + 1), people=t.number(g.participants)),
                "lines": lines,
            }
        )
    return out


def _quote(q: ProposalOut, language: str) -> dict:
    """A resident's words in the report's language where a moderator translated them, and as
    they were written beside a translation."""
    own = q.original_text or q.text
    if q.language == language or language not in q.translations:
        return {"text": own, "language": q.language, "original": None}
    return {
        "text": q.translations[language],
        "language": language,
        "original": own,
        "original_language": q.language,
    }


def _proposal_line(content: ReportContent, pid: int, t: Words, language: str) -> dict:
    p = next((p for p in content.results.proposals if p.id == pid), None)
    return {
        "text": content.text(pid, language),
        "share": t.percent(p.agree_rate) if p else "-",
    }


def _method(content: ReportContent, t: Words) -> list[str]:
    r = content.results
    per_person = fmean([r.ballots / r.participants]) if r.participants else 0.0
    lines = [
        t("method_who"),
        t(
            "method_order",
            ballots=t.number(r.ballots),
            people=t.number(r.participants),
            mean=format_decimal(round(per_person, 1), locale=t.language),
        ),
        t("method_intervals", level=t.percent(0.95)),
        t(
            "method_verdicts",
            supported=t.percent(round(SUPPORTED, 2)),
            rejected=t.percent(round(REJECTED, 2)),
            side=t.percent(CONTROVERSIAL / 2),
            residents=t.number(CLASSIFIED_FROM),
        ),
        t("method_excluded"),
    ]
    if content.demo:
        lines.append(t("method_demo"))
    return lines
