"""A reply lost after the answer was stored (a 500, a dropped connection, a kill in flight) never strands
the resident: a repeated tap, or /menu then ▶️, shows the verdict and explanation they missed, and
/start and /menu always draw a screen (issue 15, point 4). Real handlers, fake Bot API, both databases."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bot.channels.telegram.testing.fake_bot_api import Failure, FakeBotApi, FakeUser
from bot.runtime import Runtime
from bot.storage.models import Answer
from tests.support.journey import lesson_of, onboard, option, start_quiz

LOST = Failure(500, "Internal Server Error")


def lose_next_reply(api: FakeBotApi) -> None:
    """The next reply the bot sends or edits fails, whichever method it uses."""
    for method in ("sendMessage", "editMessageText"):
        api.scripted.append((method, LOST))


async def stored_answers(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Answer)) or 0)


@pytest.fixture(autouse=True)
def expect_the_lost_send_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)


async def answer_with_the_reply_lost(user: FakeUser, api: FakeBotApi, runtime: Runtime) -> tuple[str, str]:
    """Open e-payment's quiz and answer its first question wrongly while the reply is lost.
    Returns the question's explanation and the question message's text as it stayed on screen."""
    lesson = lesson_of(runtime.catalog, "e-payment")
    await onboard(user)
    await start_quiz(user, lesson, lesson.title)
    question = lesson.quiz.questions[0]
    asked = user.last().text
    lose_next_reply(api)
    await user.press_where(option((question.answer + 1) % len(question.options)))
    assert await stored_answers(runtime) == 1  # the answer is stored ...
    assert question.explanation not in user.last().text  # ... and its explanation never arrived
    api.scripted.clear()
    return question.explanation, asked


async def test_a_second_tap_shows_the_verdict_and_explanation_missed(
    make_user: Callable[..., FakeUser], api: FakeBotApi, runtime: Runtime
) -> None:
    user = make_user(4101, "Lan")
    explanation, _ = await answer_with_the_reply_lost(user, api, runtime)
    await user.press_where(option(0))  # the question is still on screen: they tap again
    assert explanation in user.last().text
    assert "Câu tiếp theo" in user.last().buttons()[0][0]
    assert await stored_answers(runtime) == 1  # counted once
    await user.press("Câu tiếp theo")
    assert "Câu 2/" in user.last().text


async def test_menu_then_continue_shows_the_explanation_before_the_next_question(
    make_user: Callable[..., FakeUser], api: FakeBotApi, runtime: Runtime
) -> None:
    user = make_user(4102, "Tú")
    explanation, _ = await answer_with_the_reply_lost(user, api, runtime)
    await user.send("/menu")
    assert "Chọn một bài học" in user.last().text or "▶️" in user.last().text
    await user.press("▶️")
    assert explanation in user.last().text
    await user.press("Câu tiếp theo")
    assert "Câu 2/" in user.last().text
    assert await stored_answers(runtime) == 1


@pytest.mark.parametrize("command", ["/start", "/menu"])
async def test_start_and_menu_always_draw_a_screen(
    command: str, make_user: Callable[..., FakeUser], api: FakeBotApi, runtime: Runtime
) -> None:
    user = make_user(4103, "Hải")
    await answer_with_the_reply_lost(user, api, runtime)
    before = len(user.messages())
    await user.send(command)
    assert len(user.messages()) == before + 1  # a new message, not an edit of one that may be gone
    assert user.last().buttons()
