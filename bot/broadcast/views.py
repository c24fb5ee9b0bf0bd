"""How a broadcast reads to an officer: what and for whom, a progress bar, the report, a list line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.broadcast import audience as audiences
from bot.broadcast.content import LESSON, PHOTO, Content
from bot.broadcast.outbox import CANCELLED, FAILED, OUTSIDE_WINDOW, PENDING, SCHEDULED, SENDING, SENT, UNREACHABLE
from bot.broadcast.schedule import local_text
from bot.broadcast.service import CommuneDelivery, Report
from bot.config import Commune
from bot.content import Catalog
from bot.reports.privacy import SMALL_ID
from bot.texts import t

BAR_CELLS = 6
COMMUNES_SHOWN = 12  # a district has a dozen or two; more would not fit one phone screen
EXCERPT = 40


def group(number: int) -> str:
    """1240 -> '1 240', the way numbers are grouped in Vietnamese (and readable in English too)."""
    return f"{number:,}".replace(",", " ")


def bar(percent: int, cells: int = BAR_CELLS) -> str:
    full = min(cells, max(0, round(percent * cells / 100)))
    return "▓" * full + "░" * (cells - full)


def describe_content(content: Content, language: str, catalog: Catalog) -> str:
    if content.kind == LESSON:
        lesson = catalog.get(content.module_id or "", language)
        return t(language, "what_lesson", title=lesson.title if lesson else content.module_id)
    text = " ".join((content.text or "").split())
    excerpt = text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"
    return t(language, "what_photo" if content.kind == PHOTO else "what_text", excerpt=excerpt)


def describe_audience(
    spec: str, language: str, catalog: Catalog, communes: Sequence[Commune], scoped: bool = False
) -> str:
    kind, _, value = spec.partition(":")
    if kind == audiences.COMMUNE:
        name = next((c.name(language) for c in communes if c.id == value), value)
        text = t(language, "audience_commune", commune=name)
    elif kind == audiences.LANGUAGE:
        text = t(language, "audience_language", language=t(language, f"lang_{value}"))
    elif kind == audiences.NOT_COMPLETED:
        lesson = catalog.get(value, language)
        text = t(language, "audience_not_completed", title=lesson.title if lesson else value)
    elif kind == audiences.INACTIVE:
        text = t(language, "audience_inactive", days=value)
    else:
        text = t(language, "audience_all")
    return text + (t(language, "audience_scoped") if scoped else "")


def progress_text(report: Report, language: str, tz: ZoneInfo, resumes_at: datetime | None = None) -> str:
    """The live progress message; `resumes_at` is set while quiet hours hold a sending broadcast."""
    text = t(
        language,
        "progress",
        id=report.id,
        status=t(language, f"status_{report.status}"),
        bar=bar(report.percent),
        percent=report.percent,
        handled=group(report.handled),
        total=group(report.total),
        unreachable=group(report.counts[UNREACHABLE]),
    )
    if report.status == SCHEDULED:
        text += t(language, "scheduled_for", when=local_text(report.scheduled_at, tz))
    elif report.status == SENDING and resumes_at is not None:
        text += t(language, "quiet_wait", when=local_text(resumes_at, tz))
    return text


def _reasons(reasons: Sequence[tuple[str, int]]) -> str:
    return f" ({', '.join(f'{reason}: {group(number)}' for reason, number in reasons)})" if reasons else ""


def report_text(report: Report, language: str, catalog: Catalog, communes: Sequence[Commune]) -> str:
    content = Content(report.kind, report.module_id, report.text, None)
    text = t(
        language,
        "report",
        id=report.id,
        what=describe_content(content, language, catalog),
        audience=describe_audience(report.audience, language, catalog, communes),
        status=t(language, f"status_{report.status}"),
        sent=group(report.counts[SENT]),
        unreachable=group(report.counts[UNREACHABLE]),
        unreachable_reasons=_reasons(report.unreachable_reasons),
        failed=group(report.counts[FAILED]),
        failed_reasons=_reasons(report.failed_reasons),
    )
    if report.counts[OUTSIDE_WINDOW]:
        text += t(language, "report_outside_window", count=group(report.counts[OUTSIDE_WINDOW]))
    if report.counts[PENDING]:
        text += t(language, "report_pending", pending=group(report.counts[PENDING]))
    if report.counts[CANCELLED]:
        text += t(language, "report_cancelled", cancelled=group(report.counts[CANCELLED]))
    if report.lesson is not None:
        text += t(
            language,
            "report_lesson",
            days=report.lesson.days,
            started=group(report.lesson.started),
            finished=group(report.lesson.finished),
        )
    return text + _by_commune(report.by_commune, language, communes)


def _by_commune(rows: Sequence[CommuneDelivery], language: str, communes: Sequence[Commune]) -> str:
    """Where the broadcast arrived and where it did not, so an officer knows which commune to follow up;
    nothing when it went to one commune only (the totals above say it all)."""
    if len(rows) < 2:
        return ""
    names = {commune.id: commune.name(language) for commune in communes}
    text = t(language, "report_communes")
    for row in rows[:COMMUNES_SHOWN]:
        if row.commune_id == SMALL_ID:
            name = t(language, "commune_small", count=row.merged)
        elif row.commune_id is None:
            name = t(language, "commune_none")
        else:
            name = names.get(row.commune_id, row.commune_id)
        unreachable = t(language, "report_commune_unreachable", unreachable=group(row.unreachable))
        text += t(
            language,
            "report_commune_line",
            name=name,
            sent=group(row.sent),
            recipients=group(row.recipients),
            unreachable=unreachable if row.unreachable else "",
        )
    return text


def list_line(report: Report, language: str) -> str:
    return t(
        language,
        "list_line",
        id=report.id,
        status=t(language, f"status_{report.status}"),
        handled=group(report.handled),
        total=group(report.total),
    )
