"""`seed-demo`: realistic, deterministic, fast, and never mixed into a database of real residents."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.__main__ import main
from bot.config import Settings
from bot.content import load_catalog
from bot.seed import DEMO_CHANNEL, run_seed
from bot.storage.db import create_engine
from bot.storage.models import Answer, ModuleProgress, Resident

NOW = datetime(2026, 3, 18, 5, 0, tzinfo=UTC)


@pytest.fixture
async def engine(settings: Settings) -> Any:
    engine = create_engine(settings.database_url)
    yield engine
    await engine.dispose()


async def dump(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Everything seeded, keyed by external id rather than database ids (which depend on history)."""
    async with engine.connect() as connection:
        people = (
            await connection.execute(
                select(
                    Resident.external_id,
                    Resident.commune_id,
                    Resident.language,
                    Resident.consent_at,
                    Resident.last_seen_at,
                    Resident.unreachable_at,
                ).order_by(Resident.external_id)
            )
        ).all()
        progress = (
            await connection.execute(
                select(
                    Resident.external_id,
                    ModuleProgress.module_id,
                    ModuleProgress.status,
                    ModuleProgress.furthest_step,
                    ModuleProgress.best_score,
                    ModuleProgress.completed_at,
                )
                .join(Resident, Resident.id == ModuleProgress.resident_id)
                .order_by(Resident.external_id, ModuleProgress.module_id)
            )
        ).all()
        answers = (
            await connection.execute(
                select(Resident.external_id, Answer.module_id, Answer.question_id, Answer.attempt, Answer.chosen)
                .join(Resident, Resident.id == Answer.resident_id)
                .order_by(Resident.external_id, Answer.module_id, Answer.question_id, Answer.attempt)
            )
        ).all()
    return {"people": [tuple(r) for r in people], "progress": [tuple(r) for r in progress], "answers": list(answers)}


async def test_seeded_residents_look_like_a_district(settings: Settings, engine: AsyncEngine) -> None:
    assert await run_seed(settings, users=400, seed=3, force=False, now=NOW) == 0
    catalog, _ = load_catalog(settings.lessons_dir)
    lessons = {lesson.id: lesson for lesson in catalog.modules("vi")}
    async with engine.connect() as connection:
        people = (await connection.execute(select(Resident))).all()
        progress = (await connection.execute(select(ModuleProgress))).all()
        answers = (await connection.execute(select(Answer))).all()
    assert len(people) == 400
    assert all(p.is_demo and p.channel == DEMO_CHANNEL and p.consent_at is not None for p in people)
    communes = {c.id for c in settings.communes}
    assert {p.commune_id for p in people} - {None} <= communes and len({p.commune_id for p in people}) >= 3
    assert sum(p.language == "vi" for p in people) > 0.85 * len(people)
    assert 0 < sum(p.unreachable_at is not None for p in people) < 0.1 * len(people)
    for person in people:
        assert NOW - timedelta(days=60) <= person.last_seen_at <= NOW
        assert person.consent_at <= person.last_seen_at

    seen = {p.id: p.last_seen_at for p in people}
    assert {row.module_id for row in progress} == set(lessons)  # the real module ids
    statuses = {row.status for row in progress}
    assert statuses == {"completed", "in_progress"}
    for row in progress:
        lesson = lessons[row.module_id]
        assert 0 <= row.furthest_step < len(lesson.steps)
        if row.status == "completed":
            assert row.best_score >= lesson.quiz.pass_percent and row.completed_at is not None
            assert row.started_at <= row.completed_at <= seen[row.resident_id]
            assert row.furthest_step == len(lesson.steps) - 1
        else:
            assert row.completed_at is None
    questions = {(m, q.id): q for m, lesson in lessons.items() for q in lesson.quiz.questions}
    for answer in answers:
        question = questions[(answer.module_id, answer.question_id)]
        assert answer.correct == (answer.chosen == question.answer) and 0 <= answer.chosen < len(question.options)
    # Some questions are much harder than others, and wrong answers are not all alike.
    shares: dict[tuple[str, str], list[bool]] = {}
    for answer in answers:
        shares.setdefault((answer.module_id, answer.question_id), []).append(answer.correct)
    rates = [sum(v) / len(v) for v in shares.values() if len(v) >= 20]
    assert min(rates) < 0.65 < max(rates)


async def test_the_same_seed_gives_the_same_data(settings: Settings, engine: AsyncEngine) -> None:
    assert await run_seed(settings, users=150, seed=11, force=False, now=NOW) == 0
    first = await dump(engine)
    assert await run_seed(settings, users=150, seed=11, force=False, now=NOW) == 0  # replaces, no doubles
    assert await dump(engine) == first
    assert await run_seed(settings, users=150, seed=12, force=False, now=NOW) == 0
    assert await dump(engine) != first


async def test_refuses_a_database_with_real_residents_unless_forced(
    settings: Settings, engine: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_seed(settings, users=0, seed=1, force=False, now=NOW) == 0  # creates the schema
    async with engine.begin() as connection:
        await connection.execute(
            Resident.__table__.insert().values(
                channel="telegram", external_id=4242, chat_id=4242, consent_at=NOW, is_demo=False
            )
        )
    assert await run_seed(settings, users=50, seed=1, force=False, now=NOW) == 1
    assert "refused" in capsys.readouterr().err
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(Resident)) == 1

    assert await run_seed(settings, users=50, seed=1, force=True, now=NOW) == 0
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(Resident)) == 51
        assert await connection.scalar(select(Resident.is_demo).where(Resident.external_id == 4242)) is False


async def test_the_command_line(settings: Settings, monkeypatch: pytest.MonkeyPatch, engine: AsyncEngine) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LESSONS_DIR", str(settings.lessons_dir))
    # asyncio.run inside the command needs a thread without a running loop.
    assert await asyncio.to_thread(main, ["seed-demo", "--users", "120", "--seed", "5"]) == 0
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(Resident)) == 120
