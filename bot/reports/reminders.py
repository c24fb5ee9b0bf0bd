"""Figures for reminders and spaced review (issue 11), in SQL: what the nudges cost and what they bought.

- reminders sent, and the residents they went to;
- residents who came back within 48 h of a reminder: any sign of activity in the 48 hours after it
  was sent (their last visit, a quiz or review answer, a step read). A resident who came back and has
  been active since without answering or reading anything new in those 48 h is missed: the figure is a
  floor, never an overcount;
- residents who blocked the bot (or became unreachable) within 48 h of a reminder: the cost of nagging;
- retention: the share of review answers right when a card was in the 7-day box and in the 21-day box,
  per module (an answer in box 2 comes 7 days after the card was last right, in box 3 21 days).

Privacy as for the other figures (bot/reports/privacy.py): counts of people stay exact; what a group
of fewer than k did (came back, blocked, answered right) is not shown.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.reports.figures import ReminderFigures, RetentionFigures
from bot.reports.privacy import K_ANONYMITY, enough
from bot.storage.models import Answer, DirectMessage, ModuleProgress, Reminder, Resident, ReviewAnswer
from bot.storage.vocabulary import DeliveryStatus

WITHIN = timedelta(hours=48)
SEVEN_DAY_BOX, TWENTY_ONE_DAY_BOX = 2, 3

reminders = Reminder.__table__
messages = DirectMessage.__table__
residents = Resident.__table__
review_answers = ReviewAnswer.__table__


def _within_48h(dialect: str, column: Any, start: Any) -> ColumnElement[bool]:
    """`column` falls in the 48 hours after `start`. SQLite stores instants as text and has no interval
    type: compare Julian day numbers (which read every stored format); PostgreSQL adds an interval."""
    if dialect == "sqlite":
        moment, begin = func.julianday(column), func.julianday(start)
        return and_(moment > begin, moment <= begin + WITHIN.total_seconds() / 86400)
    return and_(column > start, column <= start + literal_column(f"interval '{int(WITHIN.total_seconds())} seconds'"))


def _in_scope(resident_id: Any, scope: frozenset[str] | None) -> Any:
    if scope is None:
        return resident_id.in_(select(residents.c.id).where(residents.c.consent_at.is_not(None)))
    return resident_id.in_(
        select(residents.c.id).where(residents.c.consent_at.is_not(None), residents.c.commune_id.in_(scope))
    )


async def reminder_figures(
    connection: AsyncConnection, scope: frozenset[str] | None, k: int = K_ANONYMITY
) -> ReminderFigures:
    sent_at = messages.c.sent_at
    resident = reminders.c.resident_id
    dialect = connection.dialect.name

    def after(column: Any) -> ColumnElement[bool]:
        return _within_48h(dialect, column, sent_at)

    came_back = or_(
        exists().where(residents.c.id == resident, after(residents.c.last_seen_at)),
        exists().where(Answer.resident_id == resident, after(Answer.answered_at)),
        exists().where(ReviewAnswer.resident_id == resident, after(ReviewAnswer.answered_at)),
        exists().where(ModuleProgress.resident_id == resident, after(ModuleProgress.updated_at)),
    )
    blocked = exists().where(residents.c.id == resident, after(residents.c.unreachable_at))
    row = (
        await connection.execute(
            select(
                func.count(),
                func.count(func.distinct(resident)),
                func.count(func.distinct(case((came_back, resident), else_=None))),
                func.count(func.distinct(case((blocked, resident), else_=None))),
            )
            .select_from(reminders.join(messages, messages.c.dedupe_key == reminders.c.slot_key))
            .where(messages.c.status == DeliveryStatus.SENT, _in_scope(resident, scope))
        )
    ).one()
    sent, people, back, gone = (int(value or 0) for value in row)
    shown = enough(people, k)
    return ReminderFigures(sent, people, back if shown else None, gone if shown else None)


async def retention_figures(
    connection: AsyncConnection, scope: frozenset[str] | None, k: int = K_ANONYMITY
) -> tuple[RetentionFigures, ...]:
    box, correct = review_answers.c.box, review_answers.c.correct
    rows = await connection.execute(
        select(review_answers.c.module_id, box, func.count(), func.sum(case((correct, 1), else_=0)))
        .where(box.in_((SEVEN_DAY_BOX, TWENTY_ONE_DAY_BOX)), _in_scope(review_answers.c.resident_id, scope))
        .group_by(review_answers.c.module_id, box)
        .order_by(review_answers.c.module_id, box)
    )
    found: dict[str, dict[int, tuple[int, int]]] = {}
    for module_id, in_box, total, right in rows:
        found.setdefault(module_id, {})[in_box] = (int(total), int(right or 0))
    result = []
    for module_id, boxes in found.items():
        total_7, right_7 = boxes.get(SEVEN_DAY_BOX, (0, 0))
        total_21, right_21 = boxes.get(TWENTY_ONE_DAY_BOX, (0, 0))
        result.append(
            RetentionFigures(
                module_id,
                total_7,
                right_7 if enough(total_7, k) else None,
                total_21,
                right_21 if enough(total_21, k) else None,
            )
        )
    return tuple(result)
