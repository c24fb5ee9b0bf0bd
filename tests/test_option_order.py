"""Quiz options in an order of each resident's own: position teaches nothing, answers and statistics
keep the option's identity, and the order survives a restart and a redraw."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from telegram import Update

from bot import actions
from bot.channels.telegram.app import build_application
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeRequest, FakeUser, SentMessage
from bot.config import Settings
from bot.learning.actions import AnswerQuestion
from bot.learning.option_order import option_order
from bot.runtime import Runtime, open_runtime
from bot.storage.models import Answer, ModuleProgress
from tests.support.journey import lesson_of, onboard, option, start_quiz


def shown_order(message: SentMessage) -> list[int]:
    """The option identities behind the answer buttons, top to bottom."""
    found = [actions.decode(data) for _, data in message.buttons()]
    return [action.option for action in found if isinstance(action, AnswerQuestion)]


def test_the_order_is_a_stable_permutation_per_resident_question_and_attempt() -> None:
    first = option_order(1, "email", "q-attachment", 1, 4)
    assert sorted(first) == [0, 1, 2, 3]
    assert option_order(1, "email", "q-attachment", 1, 4) == first  # the same every time it is drawn
    others = {tuple(option_order(resident, "email", "q-attachment", 1, 4)) for resident in range(2, 40)}
    assert len(others) > 10  # residents see many different orders
    attempts = {tuple(option_order(1, "email", "q-attachment", attempt, 4)) for attempt in range(1, 20)}
    assert len(attempts) > 5  # a retake is shuffled anew


async def test_two_residents_see_different_orders_and_are_scored_by_identity(
    make_user: Callable[..., FakeUser], runtime: Runtime
) -> None:
    lesson = lesson_of(runtime.catalog, "email")
    orders: dict[int, list[list[int]]] = {}
    for user_id, name in ((5101, "Nhung"), (5102, "Sinh")):
        user = make_user(user_id, name)
        await onboard(user)
        await start_quiz(user, lesson, "Thư điện tử")
        orders[user_id] = []
        for index, question in enumerate(lesson.quiz.questions):
            orders[user_id].append(shown_order(user.last()))
            await user.press_where(option(question.answer))
            assert "Đúng rồi" in user.last().text
            await user.press("Xem kết quả" if index + 1 == len(lesson.quiz.questions) else "Câu tiếp theo")
        assert "100%" in user.last().text
    assert orders[5101] != orders[5102]
    for order in orders[5101] + orders[5102]:
        assert sorted(order) == list(range(len(order)))
    async with runtime.sessions() as session:
        answers = list(await session.scalars(select(Answer)))
        scores = list(await session.scalars(select(ModuleProgress.best_score)))
    assert len(answers) == 2 * len(lesson.quiz.questions)
    right = {q.id: q.answer for q in lesson.quiz.questions}
    assert all(answer.correct and answer.chosen == right[answer.question_id] for answer in answers)
    assert scores == [100, 100]


async def test_the_feedback_names_the_letters_the_resident_saw(
    make_user: Callable[..., FakeUser], runtime: Runtime
) -> None:
    lesson = lesson_of(runtime.catalog, "email")
    user = make_user(5201, "Mây")
    await onboard(user)
    await start_quiz(user, lesson, "Thư điện tử")
    question = lesson.quiz.questions[0]
    order = shown_order(user.last())
    wrong = next(identity for identity in order if identity != question.answer)
    await user.press_where(option(wrong))
    letters = "ABCD"
    feedback = user.last().text
    assert f"{letters[order.index(wrong)]}. {question.options[wrong]}" in feedback
    assert f"{letters[order.index(question.answer)]}. {question.options[question.answer]}" in feedback


async def test_a_restart_keeps_each_residents_order(
    settings: Settings, runtime: Runtime, api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    lesson = lesson_of(runtime.catalog, "data-safety")
    user = make_user(5301, "Hiền")
    await onboard(user)
    await start_quiz(user, lesson, "An toàn thông tin")
    await user.press_where(option(lesson.quiz.questions[0].answer))
    await user.press("Câu tiếp theo")
    shown_before = user.last()
    before = shown_order(shown_before)

    restarted = await open_runtime(settings)  # a new process: new runtime, new Application, same database
    app = build_application(settings, restarted, request=FakeRequest(api))
    await app.initialize()
    try:
        again = FakeUser(api, lambda u: app.process_update(Update.de_json(u, app.bot)), user.id)
        await again.send("/menu")
        await again.press("An toàn thông tin")  # back into the quiz where she left it
        assert "Câu 2/" in again.last().text
        assert shown_order(again.last()) == before
        # A button from before the restart still means the option it showed.
        right = lesson.quiz.questions[1].answer
        await again.press_data(shown_before, next(data for _, data in shown_before.buttons() if option(right)(data)))
        edited = next(m for m in again.messages() if m.message_id == shown_before.message_id)
        assert "Đúng rồi" in edited.text  # the verdict replaces the question it answers
    finally:
        await app.shutdown()
        await restarted.close()
