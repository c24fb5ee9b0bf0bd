"""A small, hand-built district whose every statistic is worked out by hand below.

The clock is fixed at NOW (Wednesday 18/03/2026 12:00 in Hà Nội, UTC+7). Sixteen residents consented;
one officer row has no consent and must never count, even though it has progress and answers.

| who | commune   | consent    | last seen  | unreachable | learning                                    |
|-----|-----------|------------|------------|-------------|---------------------------------------------|
| A1  | nghia-ta  | 10/01      | 17/03      |             | internet done 100 (30 min), email done 100 (2 days) |
| A2  | nghia-ta  | 10/01      | 17/03      |             | internet done: attempt 1 71, attempt 2 86 (60 min) |
| A3  | nghia-ta  | 10/01      | 16/03      |             | internet done 86 (10 min)                   |
| A4  | nghia-ta  | 10/01      | 12/03      |             | internet failed 57, stopped                 |
| A5  | nghia-ta  | 10/01      | 25/02      |             | internet reading, furthest step 3           |
| A6  | nghia-ta  | 10/01      | 20/01      | 25/01       |                                             |
| B1  | example-a | 10/01      | 13/03      |             | internet done 100 (20 min)                  |
| B2  | example-a | 10/01      | 20/02      |             | internet reading, step 0                    |
| B3  | example-a | 10/01      | 14/02      | 01/03       | email in the quiz at question 3             |
| B4  | example-a | 12/03      | 12/03      |             |                                             |
| B5  | example-a | 14/03      | 14/03      |             |                                             |
| C1  | example-b | 10/01      | 18/03      |             | internet done 86 (40 min)                   |
| C2  | example-b | 15/03      | 15/03      |             |                                             |
| C3  | example-b | 01/12/2025 | 02/01      |             |                                             |
| D1  | other     | 10/01      | 25/02      |             | email reading, furthest step 1              |
| E1  | (none)    | 10/01      | 10/03      |             | email done 86 (600 min)                     |
| O   | nghia-ta  | (none)     | 17/03      |             | internet done 100: must not count           |
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.content import Catalog
from bot.storage.models import Answer, ModuleProgress, Resident

NOW = datetime(2026, 3, 18, 5, 0, tzinfo=UTC)


def at(day: str, hour: int = 3, minute: int = 0) -> datetime:
    """A UTC instant from 'YYYY-MM-DD'."""
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


# name: (commune, consent, last seen, unreachable)
PEOPLE: dict[str, tuple[str | None, datetime | None, datetime, datetime | None]] = {
    "A1": ("nghia-ta", at("2026-01-10"), at("2026-03-17"), None),
    "A2": ("nghia-ta", at("2026-01-10"), at("2026-03-17"), None),
    "A3": ("nghia-ta", at("2026-01-10"), at("2026-03-16"), None),
    "A4": ("nghia-ta", at("2026-01-10"), at("2026-03-12"), None),
    "A5": ("nghia-ta", at("2026-01-10"), at("2026-02-25"), None),
    "A6": ("nghia-ta", at("2026-01-10"), at("2026-01-20"), at("2026-01-25")),
    "B1": ("example-a", at("2026-01-10"), at("2026-03-13"), None),
    "B2": ("example-a", at("2026-01-10"), at("2026-02-20"), None),
    "B3": ("example-a", at("2026-01-10"), at("2026-02-14"), at("2026-03-01")),
    "B4": ("example-a", at("2026-03-12"), at("2026-03-12"), None),
    "B5": ("example-a", at("2026-03-14"), at("2026-03-14"), None),
    "C1": ("example-b", at("2026-01-10"), at("2026-03-18", 2), None),
    "C2": ("example-b", at("2026-03-15", 10), at("2026-03-15", 10), None),
    "C3": ("example-b", at("2025-12-01"), at("2026-01-02"), None),
    "D1": ("other", at("2026-01-10"), at("2026-02-25"), None),
    "E1": (None, at("2026-01-10"), at("2026-03-10", 12), None),
    "O": ("nghia-ta", None, at("2026-03-17"), None),
}
EXTERNAL_ID = {name: 5000 + index for index, name in enumerate(PEOPLE)}

# (who, module, status, furthest step, question index, attempts, best, last, completed at, minutes taken)
PROGRESS: list[tuple[str, str, str, int, int | None, int, int | None, int | None, datetime | None, int]] = [
    # completed_at chosen around week boundaries: A2 is Sunday 18:30 UTC, i.e. Monday 01:30 local.
    ("A1", "internet", "completed", 7, None, 1, 100, 100, at("2026-03-16", 1), 30),
    ("A2", "internet", "completed", 7, None, 2, 86, 86, at("2026-03-15", 18, 30), 60),
    ("A3", "internet", "completed", 7, None, 1, 86, 86, at("2026-03-15", 16), 10),
    ("A4", "internet", "in_progress", 7, None, 1, 57, 57, None, 0),
    ("A5", "internet", "in_progress", 3, None, 1, None, None, None, 0),
    ("B1", "internet", "completed", 7, None, 1, 100, 100, at("2026-03-02"), 20),
    ("B2", "internet", "in_progress", 0, None, 1, None, None, None, 0),
    ("C1", "internet", "completed", 7, None, 1, 86, 86, at("2026-03-18", 2), 40),
    ("O", "internet", "completed", 7, None, 1, 100, 100, at("2026-03-16", 2), 15),
    ("A1", "email", "completed", 9, None, 1, 100, 100, at("2026-02-23", 10), 2880),
    ("B3", "email", "in_progress", 9, 2, 1, None, None, None, 0),
    ("D1", "email", "in_progress", 1, None, 1, None, None, None, 0),
    ("E1", "email", "completed", 9, None, 1, 86, 86, at("2026-03-10"), 600),
]

# Wrong choices per (who, module, attempt): {question id: option chosen}; every other answer is right.
# B3 answered only the first two email questions.
ATTEMPTS: dict[tuple[str, str, int], dict[str, int]] = {
    ("A1", "internet", 1): {},
    ("A2", "internet", 1): {"q-padlock": 0, "q-suspicious-address": 1},
    ("A2", "internet", 2): {"q-suspicious-address": 1},
    ("A3", "internet", 1): {"q-suspicious-address": 2},
    ("A4", "internet", 1): {"q-padlock": 2, "q-suspicious-address": 1, "q-fake-link": 0},
    ("B1", "internet", 1): {},
    ("C1", "internet", 1): {"q-suspicious-address": 1},
    ("O", "internet", 1): {"q-connect": 1},
    ("A1", "email", 1): {},
    ("E1", "email", 1): {"q-evn-email": 0},
}
PARTIAL = {("B3", "email", 1): 2}  # answered this many questions of that attempt


async def build(sessions: async_sessionmaker[AsyncSession], catalog: Catalog) -> dict[str, int]:
    """Insert the dataset; returns resident ids by name."""
    async with sessions.begin() as session:
        residents = {}
        for name, (commune, consent, last_seen, unreachable) in PEOPLE.items():
            resident = Resident(
                channel="telegram",
                external_id=EXTERNAL_ID[name],
                chat_id=EXTERNAL_ID[name],
                display_name=name,
                language="vi",
                commune_id=commune,
                role="officer" if name == "O" else "resident",
                consent_at=consent,
                created_at=consent or last_seen,
                last_seen_at=last_seen,
                unreachable_at=unreachable,
                unreachable_reason="blocked" if unreachable else None,
            )
            session.add(resident)
            residents[name] = resident
        await session.flush()
        ids = {name: resident.id for name, resident in residents.items()}
        for who, module, status, furthest, question, attempt, best, last, done, minutes in PROGRESS:
            started = (done - timedelta(minutes=minutes)) if done else at("2026-02-01")
            session.add(
                ModuleProgress(
                    resident_id=ids[who],
                    module_id=module,
                    status=status,
                    step_index=furthest,
                    furthest_step=furthest,
                    question_index=question,
                    attempt=attempt,
                    correct_count=0,
                    best_score=best,
                    last_score=last,
                    started_at=started,
                    completed_at=done,
                    updated_at=done or started,
                )
            )
        for (who, module, attempt), wrong in [*ATTEMPTS.items(), *((key, {}) for key in PARTIAL)]:
            lesson = catalog.get(module, "vi")
            assert lesson is not None
            questions = lesson.quiz.questions[: PARTIAL.get((who, module, attempt), len(lesson.quiz.questions))]
            for question in questions:
                chosen = wrong.get(question.id, question.answer)
                session.add(
                    Answer(
                        resident_id=ids[who],
                        module_id=module,
                        question_id=question.id,
                        attempt=attempt,
                        chosen=chosen,
                        correct=chosen == question.answer,
                        answered_at=at("2026-03-01"),
                    )
                )
    return ids


def question_text(catalog: Catalog, module: str, question_id: str) -> Any:
    lesson = catalog.get(module, "vi")
    assert lesson is not None
    return next(q for q in lesson.quiz.questions if q.id == question_id)
