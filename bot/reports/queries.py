"""Every figure computed in SQL: a handful of GROUP BY queries, each returning a few dozen rows.

Nothing here loads residents, progress or answers into Python; only aggregates come back, and the
Python that follows shapes them (catalogue titles, cumulative funnel counts, the k-anonymity rule).
At 50,000 residents (~130,000 progress rows, ~750,000 answers) the whole report takes well under a
second on SQLite and PostgreSQL (see bench/bench_stats.py).

Dialect differences are kept to two small helpers: minutes between two timestamps, and the local
week of a timestamp. Medians are portable: from a histogram for scores (few distinct values) and by
ORDER BY ... LIMIT/OFFSET for durations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, Interval, case, cast, exists, extract, func, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot import clock
from bot.config import Commune
from bot.content import Catalog
from bot.reports.figures import (
    CommuneFigures,
    Funnel,
    Headline,
    ModuleFigures,
    QuestionFigures,
    Report,
    WeekFigures,
)
from bot.reports.help import help_figures
from bot.reports.passport import passport_figures
from bot.reports.privacy import K_ANONYMITY, NO_COMMUNE_ID, enough, merge_small_communes
from bot.storage.models import Answer, ModuleProgress, Resident
from bot.storage.vocabulary import ModuleStatus
from bot.texts import t

residents = Resident.__table__
progress = ModuleProgress.__table__
answers = Answer.__table__

COMPLETED = ModuleStatus.COMPLETED


@dataclass(frozen=True)
class ReportContext:
    """What turns ids into names, and which clock and calendar the report uses."""

    catalog: Catalog
    communes: Sequence[Commune]
    tz: ZoneInfo
    language: str = "vi"
    core_modules: tuple[str, ...] = ()  # the digital-skills passport's modules (CORE_MODULES in the catalogue)
    target: float | None = None  # BASIC_SKILLS_TARGET, percent of residents holding the passport
    # Mastery per competence costs one pass over the right answers (about 2 s at 870,000 answers on
    # SQLite): exports and JSON carry it; the chat's and the terminal's short summary do not show it.
    competences: bool = True

    def commune_name(self, commune_id: str) -> str:
        if commune_id == NO_COMMUNE_ID:
            return t(self.language, "scope_no_commune")
        found = next((c for c in self.communes if c.id == commune_id), None)
        return found.name(self.language) if found else commune_id

    def scope_name(self, scope: frozenset[str] | None) -> str:
        if scope is None:
            return t(self.language, "scope_district")
        return ", ".join(self.commune_name(c) for c in sorted(scope, key=self._commune_order))

    def _commune_order(self, commune_id: str) -> tuple[int, str]:
        ids = [c.id for c in self.communes]
        return (ids.index(commune_id) if commune_id in ids else len(ids), commune_id)


@asynccontextmanager
async def read_snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One consistent snapshot for all the queries of a report, without blocking the residents.

    SQLite: a deferred (read) transaction, which in WAL mode never blocks writers; the app's usual
    BEGIN IMMEDIATE would hold the write lock for as long as the report runs. PostgreSQL: REPEATABLE
    READ, so that module totals and commune rows come from the same moment and add up.
    """
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            await connection.execution_options(sqlite_read_only=True)
        else:
            await connection.execution_options(isolation_level="REPEATABLE READ")
        async with connection.begin():
            yield connection


# -- the portable pieces -------------------------------------------------------------------------------


def _consented(scope: frozenset[str] | None) -> list[ColumnElement[bool]]:
    """Residents are those who consented; an officer's scope keeps only their communes."""
    where: list[ColumnElement[bool]] = [residents.c.consent_at.is_not(None)]
    if scope is not None:
        where.append(residents.c.commune_id.in_(sorted(scope)))
    return where


@dataclass(frozen=True)
class Population:
    """Whose learning rows count: consented residents, within the scope.

    The filter is written without joining every progress or answer row to `residents`: for an
    officer's communes it is IN (their residents); for the district it is NOT IN (the few people
    without consent, who hold a role but never agreed). The engine never writes learning rows for
    them, so when none has any the filter is left out altogether. At 750,000 answers on SQLite the
    join costs 0.4 s, the NOT IN 0.04 s, no filter nothing.
    """

    scope: frozenset[str] | None
    outsiders_learn: bool = True

    @classmethod
    async def of(cls, connection: AsyncConnection, scope: frozenset[str] | None) -> Population:
        if scope is not None:
            return cls(scope)
        unconsented = select(residents.c.id).where(residents.c.consent_at.is_(None))
        found = await connection.scalar(
            select(
                or_(
                    exists().where(progress.c.resident_id.in_(unconsented)),
                    exists().where(answers.c.resident_id.in_(unconsented)),
                )
            )
        )
        return cls(None, bool(found))

    def rows_of(self, resident_id: Any) -> ColumnElement[bool]:
        if self.scope is not None:
            return resident_id.in_(select(residents.c.id).where(*_consented(self.scope)))
        if self.outsiders_learn:
            return resident_id.not_in(select(residents.c.id).where(residents.c.consent_at.is_(None)))
        return true()


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _minutes_between(dialect: str, start: Any, end: Any) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 1440.0
    return extract("epoch", end - start) / 60.0


def _local_week_start(dialect: str, moment: Any, offset: timedelta) -> ColumnElement[Any]:
    """The Monday (local date) of the ISO week a UTC timestamp falls in.

    A fixed offset is exact for Asia/Ho_Chi_Minh (UTC+7, no daylight saving since 1975); a zone with
    DST would need the offset per row.
    """
    minutes = int(offset.total_seconds() // 60)
    if dialect == "sqlite":
        # SQLite stores naive UTC text. 'weekday 0' moves forward to Sunday (or stays), -6 days: Monday.
        return func.date(moment, f"{minutes:+d} minutes", "weekday 0", "-6 days")
    # timestamptz -> UTC wall clock -> local wall clock; date_trunc('week') is the ISO Monday.
    local = func.timezone("UTC", moment) + literal(timedelta(minutes=minutes), Interval())
    return cast(func.date_trunc("week", local), Date)


def _median(levels: dict[float, int]) -> float | None:
    """The median of a histogram {value: how many}: the middle value, or the mean of the two middle ones."""
    total = sum(levels.values())
    if not total:
        return None
    wanted = sorted({(total + 1) // 2, (total + 2) // 2})  # 1-based middle position(s): one if odd, two if even
    found: list[float] = []
    seen = 0
    for value in sorted(levels):
        first, seen = seen + 1, seen + levels[value]
        found += [value for position in wanted if first <= position <= seen]
    return sum(found) / len(found)


def _float(value: Any, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


# -- the queries ---------------------------------------------------------------------------------------


async def headline(connection: AsyncConnection, scope: frozenset[str] | None, now: datetime) -> Headline:
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    row = (
        await connection.execute(
            select(
                func.count(),
                _count_if(residents.c.commune_id.is_not(None)),
                _count_if(residents.c.consent_at >= week),
                _count_if(residents.c.last_seen_at >= week),
                _count_if(residents.c.last_seen_at >= month),
                _count_if(residents.c.unreachable_at.is_not(None)),
            ).where(*_consented(scope))
        )
    ).one()
    return Headline(*(int(value) for value in row))


@dataclass
class ProgressShape:
    """One module: who started and completed, scores, how far people read, how long completing took."""

    started: int = 0
    completed: int = 0
    stopped_at: dict[int, int] = field(default_factory=dict)  # furthest step -> residents who stopped there
    scores: dict[int, int] = field(default_factory=dict)  # best score -> residents
    median_minutes: float | None = None

    @property
    def scored(self) -> int:
        return sum(self.scores.values())

    @property
    def avg_score(self) -> float | None:
        return sum(score * count for score, count in self.scores.items()) / self.scored if self.scored else None

    @property
    def median_score(self) -> float | None:
        return _median({float(score): count for score, count in self.scores.items()})

    def reached(self, step: int) -> int:
        return sum(count for furthest, count in self.stopped_at.items() if furthest >= step)


async def progress_shape(connection: AsyncConnection, population: Population) -> dict[str, ProgressShape]:
    """Totals, the step funnel and the score histogram in one pass; then the median time to complete.

    A quiz score takes few values (0, 14, 29 ... 100 for seven questions), so counting residents per
    (module, status, furthest step, best score) returns a few hundred rows from which the totals, the
    funnel, the average and the exact median score follow. Medians by window functions would cost a
    sort of every row per median (0.2 s each on SQLite at 50,000 residents).
    """
    counted = population.rows_of(progress.c.resident_id)
    shapes: dict[str, ProgressShape] = defaultdict(ProgressShape)
    rows = await connection.execute(
        select(progress.c.module_id, progress.c.status, progress.c.furthest_step, progress.c.best_score, func.count())
        .where(counted)
        .group_by(progress.c.module_id, progress.c.status, progress.c.furthest_step, progress.c.best_score)
    )
    for module_id, status, furthest, best_score, count in rows:
        shape, count = shapes[module_id], int(count)
        shape.started += count
        shape.completed += count if status == COMPLETED else 0
        shape.stopped_at[int(furthest)] = shape.stopped_at.get(int(furthest), 0) + count
        if best_score is not None:
            shape.scores[int(best_score)] = shape.scores.get(int(best_score), 0) + count
    for module_id, minutes in (await _median_minutes(connection, counted)).items():
        shapes[module_id].median_minutes = minutes
    return shapes


async def _median_minutes(connection: AsyncConnection, counted: ColumnElement[bool]) -> dict[str, float]:
    """Median of completed_at - started_at per module: the database sorts and hands back the middle.

    ORDER BY ... LIMIT 1 or 2 OFFSET (n - 1) / 2 per module, n counted first in the same snapshot:
    portable, and twice as fast on SQLite as ROW_NUMBER() over a window.
    """
    done = [counted, progress.c.status == COMPLETED, progress.c.completed_at.is_not(None)]
    counts = await connection.execute(
        select(progress.c.module_id, func.count()).where(*done).group_by(progress.c.module_id)
    )
    minutes = _minutes_between(connection.dialect.name, progress.c.started_at, progress.c.completed_at)
    medians: dict[str, float] = {}
    for module_id, count in counts.all():
        middle = (
            select(minutes.label("m"))
            .where(*done, progress.c.module_id == module_id)
            .order_by(minutes)
            .limit(2 - count % 2)
            .offset((count - 1) // 2)
            .subquery()
        )
        median = await connection.scalar(select(func.avg(middle.c.m)))
        if median is not None:
            medians[module_id] = round(float(median), 1)
    return medians


async def commune_counts(
    connection: AsyncConnection, scope: frozenset[str] | None
) -> tuple[dict[str | None, int], dict[str | None, dict[str, int]]]:
    """Residents per commune, and completions per commune and module."""
    people = await connection.execute(
        select(residents.c.commune_id, func.count()).where(*_consented(scope)).group_by(residents.c.commune_id)
    )
    by_commune = {commune_id: int(count) for commune_id, count in people}
    completions: dict[str | None, dict[str, int]] = defaultdict(dict)
    rows = await connection.execute(
        select(residents.c.commune_id, progress.c.module_id, func.count())
        .select_from(progress.join(residents, residents.c.id == progress.c.resident_id))
        .where(*_consented(scope), progress.c.status == COMPLETED)
        .group_by(residents.c.commune_id, progress.c.module_id)
    )
    for commune_id, module_id, count in rows:
        completions[commune_id][module_id] = int(count)
    return by_commune, completions


@dataclass(frozen=True, slots=True)
class OptionCount:
    answers: int
    right: int
    first_attempts: int


async def answer_counts(
    connection: AsyncConnection, population: Population
) -> dict[tuple[str, str], dict[int, OptionCount]]:
    """Per question and option chosen: answers, right ones, and answers on a first attempt.

    Every resident who reaches a question answers it on their first attempt (a retake starts only
    after a finished attempt), so first-attempt answers are the funnel's "reached this question".
    One pass over the answers; with the covering index `ix_answers_question_choice` it never touches
    the table.
    """
    options: dict[tuple[str, str], dict[int, OptionCount]] = defaultdict(dict)
    rows = await connection.execute(
        select(
            answers.c.module_id,
            answers.c.question_id,
            answers.c.chosen,
            func.count(),
            _count_if(answers.c.correct.is_(True)),
            _count_if(answers.c.attempt == 1),
        )
        .where(population.rows_of(answers.c.resident_id))
        .group_by(answers.c.module_id, answers.c.question_id, answers.c.chosen)
    )
    for module_id, question_id, chosen, count, right, first in rows:
        options[(module_id, question_id)][int(chosen)] = OptionCount(int(count), int(right), int(first))
    return options


async def completions_by_week(
    connection: AsyncConnection, population: Population, tz: ZoneInfo, now: datetime
) -> dict[date, int]:
    offset = now.astimezone(tz).utcoffset() or timedelta(0)
    week = _local_week_start(connection.dialect.name, progress.c.completed_at, offset)
    # Group in an outer query: PostgreSQL would not match two renderings of an expression with parameters.
    weeks = (
        select(week.label("week"))
        .where(population.rows_of(progress.c.resident_id), progress.c.status == COMPLETED)
        .where(progress.c.completed_at.is_not(None))
        .subquery()
    )
    rows = await connection.execute(select(weeks.c.week, func.count()).group_by(weeks.c.week))
    return {date.fromisoformat(str(start)[:10]): int(count) for start, count in rows}


async def completions_between(
    connection: AsyncConnection, scope: frozenset[str] | None, start: datetime, end: datetime
) -> tuple[dict[str, int], int]:
    """Completions per module, and new residents, in [start, end): the weekly report's "last week"."""
    rows = await connection.execute(
        select(progress.c.module_id, func.count())
        .where(Population(scope).rows_of(progress.c.resident_id))
        .where(progress.c.completed_at >= start, progress.c.completed_at < end)
        .group_by(progress.c.module_id)
    )
    per_module = {module_id: int(count) for module_id, count in rows}
    new = await connection.scalar(
        select(func.count()).where(*_consented(scope), residents.c.consent_at >= start, residents.c.consent_at < end)
    )
    return per_module, int(new or 0)


# -- the report ----------------------------------------------------------------------------------------


async def build_report(
    connection: AsyncConnection,
    context: ReportContext,
    *,
    scope: frozenset[str] | None = None,
    now: datetime | None = None,
    k: int = K_ANONYMITY,
) -> Report:
    """Everything an admin sees, for the whole district (`scope=None`) or some communes."""
    now = now or clock.now()
    head = await headline(connection, scope, now)
    scope_name = context.scope_name(scope)
    if not enough(head.residents, k):
        hidden = Headline(head.residents, None, None, None, None, None)
        return Report(now, scope, scope_name, k, True, hidden, (), (), (), (), ())

    population = await Population.of(connection, scope)
    lessons = context.catalog.modules(context.language)
    shapes = await progress_shape(connection, population)
    known = [lesson.id for lesson in lessons]
    module_ids = known + sorted(set(shapes) - set(known))  # a module since removed still counts
    by_id = {lesson.id: lesson for lesson in lessons}

    modules = []
    for module_id in module_ids:
        shape, lesson = shapes.get(module_id, ProgressShape()), by_id.get(module_id)
        modules.append(
            ModuleFigures(
                id=module_id,
                title=lesson.title if lesson else module_id,
                steps=len(lesson.steps) if lesson else 0,
                questions=len(lesson.quiz.questions) if lesson else 0,
                started=shape.started,
                completed=shape.completed,
                scored=shape.scored,
                avg_score=_float(shape.avg_score) if enough(shape.scored, k) else None,
                median_score=_float(shape.median_score) if enough(shape.scored, k) else None,
                median_minutes_to_complete=shape.median_minutes if enough(shape.completed, k) else None,
            )
        )

    people, completions = await commune_counts(connection, scope)
    commune_ids = [c.id for c in context.communes if scope is None or c.id in scope]
    commune_ids += sorted(str(c) for c in people if c is not None and c not in commune_ids)
    rows = [
        CommuneFigures(
            id=commune_id,
            name=context.commune_name(commune_id),
            residents=people.get(commune_id, 0),
            completions={m: completions.get(commune_id, {}).get(m, 0) for m in module_ids},
        )
        for commune_id in commune_ids
    ]
    if None in people:
        rows.append(
            CommuneFigures(
                id=NO_COMMUNE_ID,
                name=context.commune_name(NO_COMMUNE_ID),
                residents=people[None],
                completions={m: completions.get(None, {}).get(m, 0) for m in module_ids},
            )
        )

    options = await answer_counts(connection, population)
    funnels = []
    questions = []
    for lesson in lessons:
        shape = shapes.get(lesson.id, ProgressShape())
        reached = tuple(
            sum(option.first_attempts for option in options.get((lesson.id, q.id), {}).values())
            for q in lesson.quiz.questions
        )
        steps = tuple(shape.reached(index) for index in range(len(lesson.steps)))
        funnels.append(Funnel(lesson.id, lesson.title, shape.started, steps, reached, shape.completed))
        for number, question in enumerate(lesson.quiz.questions, start=1):
            chosen = options.get((lesson.id, question.id), {})
            total = sum(option.answers for option in chosen.values())
            if not enough(total, k):
                continue
            wrong = {index: o.answers - o.right for index, o in chosen.items() if o.answers > o.right}
            top = min(wrong, key=lambda index: (-wrong[index], index)) if wrong else None
            top_text = question.options[top] if top is not None and top < len(question.options) else None
            questions.append(
                QuestionFigures(
                    module_id=lesson.id,
                    module_title=lesson.title,
                    question_id=question.id,
                    number=number,
                    text=question.text,
                    answers=total,
                    residents=reached[number - 1],
                    right=sum(option.right for option in chosen.values()),
                    wrong_option=top,
                    wrong_option_text=top_text,
                    wrong_count=wrong[top] if top is not None else 0,
                )
            )

    by_week = await completions_by_week(connection, population, context.tz, now)
    weeks = _every_week(by_week, now.astimezone(context.tz).date())
    passport = None
    if context.core_modules:
        passport = await passport_figures(
            connection,
            catalog=context.catalog,
            commune_ids=[c.id for c in context.communes],
            commune_name=context.commune_name,
            core=context.core_modules,
            target=context.target,
            language=context.language,
            scope=scope,
            k=k,
            competences=context.competences,
            counted=population.rows_of,
        )
    names = {commune.id: context.commune_name(commune.id) for commune in context.communes}
    names[NO_COMMUNE_ID] = context.commune_name(NO_COMMUNE_ID)
    asked_for_help = await help_figures(connection, names, scope, k)
    return Report(
        generated_at=now,
        scope=scope,
        scope_name=scope_name,
        k=k,
        suppressed=False,
        headline=head,
        modules=tuple(modules),
        communes=tuple(merge_small_communes(rows, k)),
        funnels=tuple(funnels),
        questions=tuple(questions),
        weeks=weeks,
        passport=passport,
        help=asked_for_help,
    )


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _every_week(counts: dict[date, int], today: date) -> tuple[WeekFigures, ...]:
    """Weeks without completions are shown as zero, so a chart's gaps are real gaps."""
    if not counts:
        return ()
    week, last = min(counts), max(monday_of(today), max(counts))
    weeks = []
    while week <= last:
        weeks.append(WeekFigures(week, counts.get(week, 0)))
        week += timedelta(days=7)
    return tuple(weeks)
