"""Steps a resident takes, shared by the journey tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import func, select

from bot import actions
from bot.channels.telegram.testing.fake_bot_api import FakeUser
from bot.content import Catalog, Lesson
from bot.learning.actions import AnswerQuestion
from bot.runtime import Runtime


def lesson_of(catalog: Catalog, module_id: str, language: str = "vi") -> Lesson:
    lesson = catalog.get(module_id, language)
    assert lesson is not None, module_id
    return lesson


async def onboard(user: FakeUser, language: str = "Tiếng Việt", commune: str = "Nghĩa Tá") -> None:
    await user.send("/start")
    await user.press(language)
    await user.press("✅")
    await user.press(commune)


async def read_all_steps(user: FakeUser, lesson: Lesson, continue_label: str = "Tiếp tục") -> None:
    for _ in range(len(lesson.steps) - 1):
        await user.press(continue_label)


async def start_quiz(user: FakeUser, lesson: Lesson, module_label: str) -> None:
    """From the menu: open the module, read every step, start its quiz."""
    await user.press(module_label)
    await read_all_steps(user, lesson)
    await user.press("Làm bài kiểm tra")


def option(identity: int) -> Callable[[str], bool]:
    """Matches the answer button of this option (its index in the lesson file), wherever the resident's
    shuffled order put it on the screen."""

    def wanted(data: str) -> bool:
        action = actions.decode(data)
        return isinstance(action, AnswerQuestion) and action.option == identity

    return wanted


async def answer_quiz(user: FakeUser, lesson: Lesson, wrong: frozenset[int] = frozenset(), vi: bool = True) -> None:
    for index, question in enumerate(lesson.quiz.questions):
        choice = question.answer if index not in wrong else (question.answer + 1) % len(question.options)
        await user.press_where(option(choice))
        last = index + 1 == len(lesson.quiz.questions)
        if vi:
            await user.press("Xem kết quả" if last else "Câu tiếp theo")
        else:
            await user.press("See result" if last else "Next question")


async def count(runtime: Runtime, model: type, **where: object) -> int:
    async with runtime.sessions() as session:
        statement = select(func.count()).select_from(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return int(await session.scalar(statement) or 0)


async def until(predicate: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Wait for something a bot in another task or process will do; fail naming what never happened."""
    for _ in range(int(seconds / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for: {what}")
