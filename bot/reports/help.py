"""Help from a person, in figures, per commune: questions asked, answered, the median time to the first
answer, and the share answered within a day (bot/helpdesk).

The same privacy rule as every other figure (see `privacy`): a commune whose questions come from fewer
than k residents is merged with other small ones; a median needs k answered questions, a share k
residents. No figure names a resident or a helper.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, extract, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.reports.figures import HelpFigures
from bot.reports.privacy import K_ANONYMITY, NO_COMMUNE_ID, SMALL_ID, enough, fold_small
from bot.storage.models import HelpQuestion

questions = HelpQuestion.__table__
DAY_MINUTES = 24 * 60


def _minutes(dialect: str) -> ColumnElement[Any]:
    start, end = questions.c.asked_at, questions.c.answered_at
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 1440.0
    return extract("epoch", end - start) / 60.0


def _in(commune_ids: tuple[str, ...]) -> ColumnElement[bool]:
    known = [c for c in commune_ids if c != NO_COMMUNE_ID]
    condition = questions.c.commune_id.in_(known)
    return condition | questions.c.commune_id.is_(None) if NO_COMMUNE_ID in commune_ids else condition


async def _median(connection: AsyncConnection, commune_ids: tuple[str, ...]) -> tuple[int, float | None]:
    """How many were answered, and the median minutes to the first answer (ORDER BY ... OFFSET, as the
    other medians of the reports)."""
    answered = [_in(commune_ids), questions.c.answered_at.is_not(None)]
    count = int(await connection.scalar(select(func.count()).select_from(questions).where(*answered)) or 0)
    if not count:
        return 0, None
    minutes = _minutes(connection.dialect.name)
    middle = (
        select(minutes.label("m"))
        .where(*answered)
        .order_by(minutes)
        .limit(2 - count % 2)
        .offset((count - 1) // 2)
        .subquery()
    )
    median = await connection.scalar(select(func.avg(middle.c.m)))
    return count, None if median is None else round(float(median), 1)


async def help_figures(
    connection: AsyncConnection,
    commune_names: dict[str, str],
    scope: frozenset[str] | None,
    k: int = K_ANONYMITY,
) -> tuple[HelpFigures, ...]:
    """One row per commune where someone asked (small ones merged), in `commune_names` order."""
    minutes = _minutes(connection.dialect.name)
    statement = select(
        questions.c.commune_id,
        func.count(func.distinct(questions.c.resident_id)),
        func.count(),
        func.count(questions.c.answered_at),
        func.coalesce(func.sum(case((minutes <= DAY_MINUTES, 1), else_=0)), 0),
    ).group_by(questions.c.commune_id)
    if scope is not None:
        statement = statement.where(questions.c.commune_id.in_(scope))
    found = {
        (commune_id or NO_COMMUNE_ID): (int(askers), int(asked), int(answered), int(within))
        for commune_id, askers, asked, answered, within in await connection.execute(statement)
    }
    order = [c for c in commune_names if c in found] + sorted(c for c in found if c not in commune_names)
    raw = [
        HelpFigures(c, commune_names.get(c, c), *found[c][:3], found[c][3], None)  # type: ignore[misc]
        for c in order
    ]

    def merge(rows: list[HelpFigures]) -> HelpFigures:
        return HelpFigures(
            SMALL_ID,
            f"Các xã ít người (gộp {len(rows)} xã)",
            sum(r.askers for r in rows),
            sum(r.asked for r in rows),
            sum(r.answered for r in rows),
            sum(r.within_day or 0 for r in rows),
            None,
            tuple(r.id for r in rows),
        )

    shown = []
    for row in fold_small(raw, lambda row: row.askers, merge, k):
        answered, median = await _median(connection, row.merged or (row.id,))
        shown.append(
            HelpFigures(
                row.id,
                row.name,
                row.askers,
                row.asked,
                row.answered,
                row.within_day if enough(row.askers, k) else None,
                median if enough(answered, k) else None,
                row.merged,
            )
        )
    return tuple(shown)
