"""A resident's whole journey through the real python-telegram-bot handlers and a fake Bot API."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser
from bot.runtime import Runtime
from bot.storage.models import Answer, FsmState, ModuleProgress, Resident
from tests.support.journey import answer_quiz, count, lesson_of, onboard, read_all_steps, start_quiz


async def test_new_resident_completes_email_with_a_wrong_answer(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi
) -> None:
    user = make_user(1001, "Lan")
    await user.send("/start")
    assert "tiếng nào" in user.last().text

    await user.press("Tiếng Việt")
    assert "đồng ý" in user.last().text
    assert await count(runtime, Resident) == 0  # nothing stored before consent
    assert await count(runtime, FsmState) == 0

    await user.press("✅")
    assert "xã nào" in user.last().text
    await user.press("Nghĩa Tá")
    assert "Chọn một bài học" in user.last().text

    email = lesson_of(runtime.catalog, "email")
    await user.press("Thư điện tử")
    assert f"Bước 1/{len(email.steps)}" in user.last().text
    await read_all_steps(user, email)
    assert f"Bước {len(email.steps)}/{len(email.steps)}" in user.last().text
    await user.press("Làm bài kiểm tra")
    assert "Câu 1/" in user.last().text

    await answer_quiz(user, email, wrong=frozenset({1}))
    total = len(email.quiz.questions)
    assert f"{total - 1}/{total}" in user.last().text
    assert "hoàn thành" in user.last().text

    # Every feedback stays in the chat: the wrong one names the right option and explains it.
    feedback = [m.text for m in user.messages() if "💡" in m.text]
    assert len(feedback) == total
    wrong = [text for text in feedback if "Chưa đúng" in text]
    assert len(wrong) == 1
    second = email.quiz.questions[1]
    assert second.options[second.answer] in wrong[0] and second.explanation in wrong[0]

    await user.send("/progress")
    assert "✅ Thư điện tử (email): hoàn thành" in user.last().text
    async with runtime.sessions() as session:
        progress = await session.scalar(select(ModuleProgress).where(ModuleProgress.module_id == "email"))
        assert progress is not None
        assert progress.status == "completed"
        assert progress.completed_at is not None
        assert progress.best_score == round(100 * (total - 1) / total)
    assert await count(runtime, Answer, module_id="email", correct=False) == 1
    assert await count(runtime, Answer, module_id="email") == total


async def test_failing_then_retrying_keeps_both_attempts_and_the_best_score(
    make_user: Callable[..., FakeUser], runtime: Runtime
) -> None:
    user = make_user(1002)
    await onboard(user)
    lesson = lesson_of(runtime.catalog, "internet")
    await start_quiz(user, lesson, "Internet")
    await answer_quiz(user, lesson, wrong=frozenset(range(len(lesson.quiz.questions))))
    assert "Cần 80%" in user.last().text
    async with runtime.sessions() as session:
        progress = await session.get(ModuleProgress, (1, "internet"))
        assert progress is not None and progress.status == "in_progress" and progress.last_score == 0

    await user.press("Làm lại bài kiểm tra")
    assert "Câu 1/" in user.last().text
    await answer_quiz(user, lesson)
    assert "hoàn thành" in user.last().text
    async with runtime.sessions() as session:
        progress = await session.get(ModuleProgress, (1, "internet"))
        assert progress is not None
        assert (progress.status, progress.attempt, progress.best_score) == ("completed", 2, 100)
    assert await count(runtime, Answer, attempt=1) == len(lesson.quiz.questions)
    assert await count(runtime, Answer, attempt=2) == len(lesson.quiz.questions)


async def test_declining_consent_stores_nothing(make_user: Callable[..., FakeUser], runtime: Runtime) -> None:
    user = make_user(1003)
    await user.send("/start")
    await user.press("English")
    await user.press("I don't agree")
    assert "stored nothing" in user.last().text
    await user.send("hello?")
    assert "/start" in user.messages()[-2].text  # a hint, then the language choice again: no dead end
    assert user.last().buttons()
    assert await count(runtime, Resident) == 0
    assert await count(runtime, FsmState) == 0


async def test_english_resident_gets_english_lessons(make_user: Callable[..., FakeUser], runtime: Runtime) -> None:
    user = make_user(1004, language_code="en")
    await onboard(user, language="English", commune="Nghia Ta")
    assert "Pick a lesson" in user.last().text
    lesson = lesson_of(runtime.catalog, "email", "en")
    await user.press(lesson.title)
    assert f"Step 1/{len(lesson.steps)}" in user.last().text
    assert lesson.steps[0].text[:40] in user.last().text


async def test_language_can_be_changed_later(make_user: Callable[..., FakeUser], runtime: Runtime) -> None:
    user = make_user(1005)
    await onboard(user)
    await user.send("/language")
    await user.press("English")
    assert "Pick a lesson" in user.last().text
    async with runtime.sessions() as session:
        resident = await session.scalar(select(Resident))
        assert resident is not None and resident.language == "en"


async def test_someone_granted_a_role_before_using_the_bot_still_gives_consent(
    make_user: Callable[..., FakeUser], runtime: Runtime
) -> None:
    async with runtime.sessions.begin() as session:
        session.add(Resident(channel="telegram", external_id=1006, chat_id=1006, role="officer", language="vi"))
    user = make_user(1006)
    await user.send("/start")
    assert "tiếng nào" in user.last().text  # not the menu: no consent yet
    await user.press("Tiếng Việt")
    await user.press("✅")
    await user.press("Nghĩa Tá")
    assert "Chọn một bài học" in user.last().text
    async with runtime.sessions() as session:
        rows = (await session.scalars(select(Resident))).all()
    assert len(rows) == 1
    assert rows[0].role == "officer" and rows[0].consent_at is not None and rows[0].commune_id == "nghia-ta"
