"""Getting a report: from an engine and settings, in one read snapshot; and noting who exported what."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.certificates.passport import core_modules
from bot.config import Settings
from bot.content import Catalog
from bot.reports.figures import Report
from bot.reports.queries import ReportContext, build_report, read_snapshot
from bot.storage.models import AuditLog


def context_for(
    settings: Settings, catalog: Catalog, language: str = "vi", *, competences: bool = True
) -> ReportContext:
    """Figures named in `language`: Vietnamese for exports and the command line, the reader's own in chat."""
    return ReportContext(
        catalog=catalog,
        communes=settings.communes,
        tz=settings.tz,
        language=language,
        core_modules=core_modules(catalog, settings.core_modules),
        target=settings.basic_skills_target,
        competences=competences,
    )


async def load_report(
    engine: AsyncEngine,
    context: ReportContext,
    scope: frozenset[str] | None = None,
    now: datetime | None = None,
) -> Report:
    async with read_snapshot(engine) as connection:
        return await build_report(connection, context, scope=scope, now=now)


def narrow(actor_scope: frozenset[str] | None, wanted: Iterable[str] | None) -> frozenset[str] | None:
    """The communes a request may see: what was asked for, within what the person may reach."""
    if wanted is None:
        return actor_scope
    asked = frozenset(wanted)
    return asked if actor_scope is None else asked & actor_scope


async def record_export(session: AsyncSession, actor: str, fmt: str, scope: frozenset[str] | None) -> None:
    """Exports leave the system: the audit log says who took which figures (never any personal data)."""
    session.add(
        AuditLog(
            actor=actor,
            action="export",
            detail={"format": fmt, "scope": sorted(scope) if scope is not None else "all"},
        )
    )
