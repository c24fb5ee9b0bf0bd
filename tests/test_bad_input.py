"""Odd text, media, stale and forged buttons, double taps, group chats, a database that is down:
each gets a clear answer and changes nothing it should not."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from telegram import Update

from bot.channels.telegram.app import build_application
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeRequest, FakeUser
from bot.config import Settings
from bot.learning.place import Place
from bot.runtime import Runtime, make_engine
from bot.storage.db import create_engine, session_factory
from bot.storage.models import Answer, FsmState, ModuleProgress, Resident
from bot.storage.transactions import TransactionRunner
from tests.support.journey import count, lesson_of, onboard, option, start_quiz
from tests.support.settings import make_settings


async def state_of(runtime: Runtime) -> tuple[str | None, dict[str, object]]:
    """Where the resident is; not how many messages in a row were not understood (that count is what
    brings the offer of a helper, bot/learning/flows/helpdesk.py)."""
    async with runtime.sessions() as session:
        row = await session.scalar(select(FsmState))
        assert row is not None
        return row.state, {key: value for key, value in row.data.items() if key != Place.KEYS["misses"]}


@pytest.mark.parametrize(
    "extra",
    [
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 2}},
    ],
    ids=["sticker", "photo", "voice"],
)
async def test_media_mid_lesson_gets_a_hint_and_the_same_step(
    make_user: Callable[..., FakeUser], runtime: Runtime, extra: dict[str, object]
) -> None:
    user = make_user()
    await onboard(user)
    await user.press("Thư điện tử")
    await user.press("Tiếp tục")
    before = await state_of(runtime)
    await user.send_extra(extra)
    hint, screen = user.messages()[-2:]
    assert "ảnh, nhãn dán" in hint.text
    assert "Bước 2/" in screen.text and screen.buttons()
    assert await state_of(runtime) == before


async def test_free_text_during_a_quiz_shows_the_question_again(
    make_user: Callable[..., FakeUser], runtime: Runtime
) -> None:
    user = make_user()
    await onboard(user)
    lesson = lesson_of(runtime.catalog, "email")
    await start_quiz(user, lesson, "Thư điện tử")
    await user.send("tôi không biết 🤔")
    hint, screen = user.messages()[-2:]
    assert "chưa hiểu" in hint.text
    # the options, 🙋 ask a helper, and the menu
    assert "Câu 1/" in screen.text and len(screen.buttons()) == len(lesson.quiz.questions[0].options) + 2


async def test_unknown_command_and_help(make_user: Callable[..., FakeUser]) -> None:
    user = make_user()
    await onboard(user)
    await user.send("/launch_rockets")
    assert "/help" in user.messages()[-2].text
    await user.send("/help")
    assert "/deleteme" in user.last().text and user.last().buttons()


async def test_an_old_button_changes_nothing_and_says_so(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi
) -> None:
    user = make_user()
    await onboard(user)
    await user.press("Thư điện tử")
    step_one, old_continue = user.find_button("Tiếp tục")
    await user.press("Tiếp tục")
    await user.press("Tiếp tục")
    before = await state_of(runtime)
    assert before[1]["s"] == 2

    await user.press_data(step_one, old_continue)
    assert "cũ" in (api.calls_of("answerCallbackQuery")[-1].params.get("text") or "")
    assert await state_of(runtime) == before
    assert "Bước 3/" in user.last().text  # where the resident really is, sent anew


@pytest.mark.parametrize(
    "data",
    [
        "1|ans:email:0:1:9",
        "1|open:no-such-module",
        "1|next:email:99",
        "2|menu",
        "garbage",
        "1|",
        "1|ok:xx",
        "1|next:email:-1",
        "1|ans:email:0:99999999:0",
        "1|com:atlantis",
    ],
)
async def test_forged_buttons_are_refused_politely(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, data: str
) -> None:
    user = make_user()
    await onboard(user)
    await user.press("Thư điện tử")
    before = await state_of(runtime)
    await user.press_data(user.last(), data)
    assert api.calls_of("answerCallbackQuery")[-1].params.get("text")
    assert await state_of(runtime) == before
    assert await count(runtime, Answer) == 0


async def test_a_double_tap_on_an_answer_counts_once(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi
) -> None:
    user = make_user()
    await onboard(user)
    lesson = lesson_of(runtime.catalog, "email")
    await start_quiz(user, lesson, "Thư điện tử")
    question = lesson.quiz.questions[0]
    message, data = user.find_button_where(option(question.answer))
    await user.press_data(message, data)
    await user.press_data(message, data)  # the same tap again, e.g. a retried update
    assert "một lần" in (api.calls_of("answerCallbackQuery")[-1].params.get("text") or "")
    assert await count(runtime, Answer) == 1
    async with runtime.sessions() as session:
        progress = await session.scalar(select(ModuleProgress))
        assert progress is not None and progress.correct_count == 1 and progress.question_index == 1


async def test_group_chats_are_asked_to_write_privately(
    make_user: Callable[..., FakeUser], api: FakeBotApi, runtime: Runtime, deliver: Callable
) -> None:
    user = make_user()
    group = {"id": -100123, "type": "supergroup", "title": "Thôn Bản"}
    await deliver(api.message_update(user.user, "/start", chat=group))
    reply = api.last_message(-100123)
    assert "tin nhắn riêng" in reply.text and "t.me/" in reply.text
    assert await count(runtime, Resident) == 0


async def test_resume_exactly_where_the_resident_stopped_after_a_restart(
    settings: Settings, runtime: Runtime, api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    user = make_user()
    await onboard(user)
    lesson = lesson_of(runtime.catalog, "e-payment")
    await user.press("Thanh toán")
    await user.press("Tiếp tục")
    await user.press("Tiếp tục")
    await user.send("/menu")
    await user.press("Internet")  # wander into another module, then stop for the day

    # A new process: new runtime, new Application, same database.
    from bot.runtime import open_runtime

    restarted = await open_runtime(settings)
    app = build_application(settings, restarted, request=FakeRequest(api))
    await app.initialize()
    try:
        again = FakeUser(api, lambda u: app.process_update(Update.de_json(u, app.bot)), user.id)
        await again.send("/start")
        assert "học tiếp" in again.last().text
        await again.press("Thanh toán")
        assert f"Bước 3/{len(lesson.steps)}" in again.last().text
        assert lesson.steps[2].text[:30] in again.last().text
    finally:
        await app.shutdown()
        await restarted.close()


async def test_resume_in_the_middle_of_a_quiz(make_user: Callable[..., FakeUser], runtime: Runtime) -> None:
    user = make_user()
    await onboard(user)
    lesson = lesson_of(runtime.catalog, "email")
    await start_quiz(user, lesson, "Thư điện tử")
    await user.press("A. ")
    await user.press("Câu tiếp theo")
    await user.send("/menu")
    menu = user.last()
    assert any("Học tiếp" in label for label, _ in menu.buttons())
    await user.press("Học tiếp")
    assert f"Câu 2/{len(lesson.quiz.questions)}" in user.last().text


async def test_a_database_that_is_down_gets_a_kind_answer(api: FakeBotApi, tmp_path: object) -> None:
    # Nothing listens on port 1: every transaction fails to connect.
    settings = make_settings("postgresql+asyncpg://postgres@127.0.0.1:1/none")
    db = create_engine(settings.database_url, pool_pre_ping=False)
    runtime_ok = await _runtime_without_migrations(settings, db)
    app = build_application(settings, runtime_ok, request=FakeRequest(api))
    await app.initialize()
    try:
        user = FakeUser(api, lambda u: app.process_update(Update.de_json(u, app.bot)), 2001)
        await user.send("/start")
        assert "hệ thống đang bận" in user.last().text
        await user.send("hello")
        assert "hệ thống đang bận" in user.last().text
    finally:
        await app.shutdown()
        await db.dispose()


async def _runtime_without_migrations(settings: Settings, db: object) -> Runtime:
    from bot.content import load_catalog

    catalog, faults = load_catalog(settings.lessons_dir)
    sessions = session_factory(db)  # type: ignore[arg-type]
    engine = make_engine(settings, catalog, TransactionRunner(sessions))
    return Runtime(settings, db, sessions, catalog, faults, engine)  # type: ignore[arg-type]


async def test_mydata_shows_what_is_stored_and_deleteme_erases_it(
    make_user: Callable[..., FakeUser], runtime: Runtime
) -> None:
    user = make_user(3001, "Hoa")
    await onboard(user)
    lesson = lesson_of(runtime.catalog, "email")
    await start_quiz(user, lesson, "Thư điện tử")
    await user.press("B. ")
    await user.send("/mydata")
    text = user.last().text
    assert "Hoa" in text and "Xã Nghĩa Tá" in text and "Số câu trả lời đã lưu: 1" in text

    await user.send("/deleteme")
    assert "không hoàn tác" in user.last().text
    await user.press("Không, giữ lại")
    assert await count(runtime, Resident) == 1

    await user.send("/deleteme")
    await user.press("Có, xoá hết")
    assert "Đã xoá" in user.last().text
    for model in (Resident, ModuleProgress, Answer, FsmState):
        assert await count(runtime, model) == 0, model.__name__
    await user.press_data(user.last(), "1|menu")  # an old button after deletion: start again, politely
    assert "/start" in user.messages()[-2].text
