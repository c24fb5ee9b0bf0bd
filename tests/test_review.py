"""Spaced review: the Leitner deck's moves with a controlled clock, and a review session through the
real handlers and the fake Bot API (same verdict and explanation as the quiz, the score untouched)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import actions, clock
from bot.channels.telegram.testing.fake_bot_api import FakeUser
from bot.learning.actions import AnswerReview
from bot.runtime import Runtime
from bot.storage import review_deck
from bot.storage.models import ModuleProgress, Resident, ReviewAnswer, ReviewCard
from tests.support.journey import answer_quiz, lesson_of, onboard, read_all_steps

DAY = timedelta(days=1)


async def test_a_card_moves_up_when_right_back_when_wrong_and_retires_after_the_21_day_box(runtime: Runtime) -> None:
    start = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)

    def play(session: Session) -> list[tuple[int, datetime | None, bool]]:
        resident = Resident(external_id=5, chat_id=5, consent_at=start)
        session.add(resident)
        session.flush()
        seen: list[tuple[int, datetime | None, bool]] = []
        review_deck.after_quiz_answer(session, resident.id, "email", "q1", correct=False, always=False, now=start)
        review_deck.after_quiz_answer(session, resident.id, "email", "q2", correct=True, always=False, now=start)
        card = review_deck.card(session, resident.id, "email", "q1")
        assert card is not None and review_deck.card(session, resident.id, "email", "q2") is None
        assert review_deck.due_cards(session, resident.id, start + 2 * DAY - timedelta(seconds=1)) == []
        now = start + 2 * DAY
        assert [c.question_id for c in review_deck.due_cards(session, resident.id, now)] == ["q1"]
        for right in (True, True, False, True, True, True):
            assert review_deck.answer(session, card, right, now)
            seen.append((card.box, card.due_at and card.due_at - now, card.retired_at is not None))
            if card.due_at is not None:
                now = card.due_at
        assert not review_deck.answer(session, card, True, now)  # a retired card takes no more answers
        return seen

    async with runtime.sessions.begin() as session:
        seen = await session.run_sync(play)
    assert seen == [
        (2, 7 * DAY, False),  # right in box 1: box 2, 7 days
        (3, 21 * DAY, False),  # right in box 2: box 3, 21 days
        (1, 2 * DAY, False),  # wrong: back to box 1, 2 days
        (2, 7 * DAY, False),
        (3, 21 * DAY, False),
        (3, None, True),  # right in the last box: retired
    ]
    async with runtime.sessions() as session:
        answered = select(ReviewAnswer.box, ReviewAnswer.correct).order_by(ReviewAnswer.round)
        boxes = (await session.execute(answered)).all()
    assert [tuple(row) for row in boxes] == [(1, True), (2, True), (3, False), (1, True), (2, True), (3, True)]


def review_option(right: bool) -> Callable[[str], bool]:
    def wanted(data: str) -> bool:
        action = actions.decode(data)
        return isinstance(action, AnswerReview) and (action.option == 0) == right

    return wanted


async def test_a_wrong_answer_comes_back_after_two_days_and_review_never_changes_the_score(
    runtime: Runtime, make_user: Callable[..., FakeUser], wall_clock: clock.SteppingClock
) -> None:
    email = lesson_of(runtime.catalog, "email")
    user = make_user()
    await onboard(user)
    await user.press(email.title)
    await read_all_steps(user, email)
    await user.press("Làm bài kiểm tra")
    await answer_quiz(user, email, wrong=frozenset({0}))  # 6/7 = 86 %: passed, one wrong
    async with runtime.sessions() as session:
        before = (await session.execute(select(ModuleProgress.last_score, ModuleProgress.best_score))).one()
        deck = set(await session.scalars(select(ReviewCard.question_id)))
    always = {q.id for q in email.quiz.questions if q.review == "always"}
    assert deck == always | {email.quiz.questions[0].id}
    wall_clock.advance(DAY)
    await user.send("/menu")
    assert not any("Ôn tập" in label for label, _ in user.last().buttons())
    wall_clock.advance(DAY)
    await user.send("/menu")
    assert ("🔁 Ôn tập (4)", "1|rv") in user.last().buttons()
    await user.press("🔁 Ôn tập (4)")
    first = user.last().text
    assert "Ôn tập · câu 1/4" in first and "Điểm các bài không thay đổi" in first
    asked = next(q for q in email.quiz.questions if q.text in first)
    await user.press_where(lambda data: _is_answer(data, asked.answer))
    feedback = user.last().text
    assert asked.explanation in feedback and "Đúng" in feedback  # the quiz's verdict and explanation
    await user.press("Câu tiếp")
    second = next(q for q in email.quiz.questions if q.text in user.last().text)
    await user.press_where(lambda data: _is_answer(data, (second.answer + 1) % len(second.options)))
    assert second.explanation in user.last().text
    await user.press("Menu")  # leave half-way: what was answered stays answered
    assert ("🔁 Ôn tập (2)", "1|rv") in user.last().buttons()
    async with runtime.sessions() as session:
        after = (await session.execute(select(ModuleProgress.last_score, ModuleProgress.best_score))).one()
        boxes = dict((await session.execute(select(ReviewCard.question_id, ReviewCard.box))).all())
    assert tuple(after) == tuple(before)
    assert boxes[asked.id] == 2 and boxes[second.id] == 1


def _is_answer(data: str, option: int) -> bool:
    action = actions.decode(data)
    return isinstance(action, AnswerReview) and action.option == option
