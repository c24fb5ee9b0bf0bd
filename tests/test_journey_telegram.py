"""A resident's whole journey through the real python-telegram-bot handlers and a fake Bot API."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from bot.content import Catalog
from bot.runtime import Runtime
from bot.storage.models import Answer, FsmState, ModuleProgress, Resident
from tests.fake_bot_api import FakeBotApi, FakeUser


async def onboard(user: FakeUser, language: str = "Tiếng Việt", commune: str = "Nghĩa Tá") -> None:
    await user.send("/start")
    await user.press(language)
    await user.press("✅")
    await user.press(commune)


async def read_all_steps(user: FakeUser, catalog: Catalog, module_id: str, language: str = "vi") -> None:
    lesson = catalog.get(module_id, language)
    assert lesson is not None
    for _ in range(len(lesson.steps) - 1):
        await user.press("Tiếp tục" if language == "vi" else "Continue")


async def answer_quiz(user: FakeUser, catalog: Catalog, module_id: str, wrong: set[int] = frozenset()) -> None:
    lesson = catalog.get(module_id, "vi")
    assert lesson is not None
    for index, question in enumerate(lesson.quiz.questions):
        choice = question.answer if index not in wrong else (question.answer + 1) % len(question.options)
        await user.press(f"{'ABCD'[choice]}. ")
        last = index + 1 == len(lesson.quiz.questions)
        await user.press("Xem kết quả" if last else "Câu tiếp theo")


async def count(runtime: Runtime, model: type, **where: object) -> int:
    async with runtime.sessions() as session:
        statement = select(func.count()).select_from(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return int(await session.scalar(statement) or 0)


async def test_new_resident_completes_email_with_a_wrong_answer(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi
) -> None:
    user = make_user(1001, "Lan")
    await user.send("/start")
    assert "tiếng nào" in user.last().text
    assert await count(runtime, Resident) == 0

    await user.press("Tiếng Việt")
    assert "đồng ý" in user.last().text
    assert await count(runtime, Resident) == 0  # nothing stored before consent
    assert await count(runtime, FsmState) == 0

    await user.press("✅")
    assert "xã nào" in user.last().text
    await user.press("Nghĩa Tá")
    assert "Chọn một bài học" in user.last().text
    assert any("Thư điện tử" in label for label, _ in user.last().buttons())

    await user.press("Thư điện tử")
    first_step = user.last()
    assert "Bước 1/" in first_step.text
    await read_all_steps(user, runtime.catalog, "email")
    assert "Làm bài kiểm tra" in [label for label, _ in user.last().buttons()][-2] or user.find_button("Làm bài")
    await user.press("Làm bài kiểm tra")
    assert "Câu 1/" in user.last().text

    await answer_quiz(user, runtime.catalog, "email", wrong={1})
    result = user.last().text
    lesson = runtime.catalog.get("email", "vi")
    assert lesson is not None
    total = len(lesson.quiz.questions)
    assert f"{total - 1}/{total}" in result
    assert "hoàn thành" in result

    # Feedback was shown for the wrong answer with the right option and the explanation.
    assert any("Chưa đúng" in m.text and "💡" in m.text for m in user.messages()) or any(
        call.params.get("text", "").startswith("📝") and "Chưa đúng" in call.params.get("text", "")
        for call in api.calls_of("editMessageText")
    )

    await user.send("/progress")
    assert "✅ Thư điện tử (email): hoàn thành" in user.last().text
    async with runtime.sessions() as session:
        progress = await session.scalar(select(ModuleProgress).where(ModuleProgress.module_id == "email"))
        assert progress is not None
        assert progress.status == "completed"
        assert progress.best_score == round(100 * (total - 1) / total)
    assert await count(runtime, Answer, module_id="email", correct=False) == 1
    assert await count(runtime, Answer, module_id="email") == total
