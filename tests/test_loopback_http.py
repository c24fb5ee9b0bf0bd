"""The real bot over real HTTP: PTB's own HTTPX client polls a fake Bot API served on loopback.

This covers what the in-process tests cannot: base_url handling, long polling, form encoding, and the
per-user update processor under concurrent updates.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.channels.telegram.app import build_application, start_parts, stop_parts
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, SentMessage, serve_http
from bot.config import Settings
from bot.learning.consent_notice import notice_version
from bot.runtime import Runtime, open_runtime
from bot.storage.models import FsmState
from tests.support.journey import lesson_of, until
from tests.support.settings import ADMIN_ID, make_settings


@pytest.fixture
async def polling_bot(database_url: str) -> AsyncIterator[tuple[FakeBotApi, Application, Runtime, Settings]]:
    api = FakeBotApi()
    runner, base_url = await serve_http(api)
    settings = make_settings(database_url, telegram_api_base_url=base_url)
    runtime = await open_runtime(settings)
    app = build_application(settings, runtime)
    await app.initialize()
    await start_parts(app)  # as `python -m bot run` does: menus, the broadcast sender, the weekly report
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield api, app, runtime, settings
    finally:
        await app.updater.stop()
        await app.stop()
        await stop_parts(app)
        await app.shutdown()
        await runtime.close()
        await runner.cleanup()


async def test_commands_are_registered_in_vietnamese_and_english(
    polling_bot: tuple[FakeBotApi, Application, Runtime, Settings],
) -> None:
    api, *_ = polling_bot
    registered = api.calls_of("setMyCommands")
    by_language = {call.params.get("language_code"): call.params["commands"] for call in registered}
    assert set(by_language) == {None, "en"}
    assert "Danh sách bài học" in str(by_language[None]) and "The list of lessons" in str(by_language["en"])
    # The ADMIN_IDS admin gets the admin menu in their own chat from the start.
    assert api.menu_for(ADMIN_ID)[:5] == ["broadcast", "broadcasts", "stats", "export", "roles"]
    assert "broadcast" not in api.menu_for(1001)


async def test_each_residents_updates_are_handled_in_order_while_residents_run_concurrently(
    polling_bot: tuple[FakeBotApi, Application, Runtime, Settings],
) -> None:
    api, _app, runtime, _ = polling_bot
    lesson = lesson_of(runtime.catalog, "email")
    residents = [api.user_dict(5000 + n, f"R{n}") for n in range(8)]
    for user in residents:
        api.push_update(api.message_update(user, "/start"))
    await until(lambda: all(api.chat_messages(u["id"]) for u in residents), "welcome messages")

    # Every tap of every resident is queued at once, before any is handled. Out of order, a "next from
    # step 2" would arrive before "next from step 1" and be refused as stale.
    taps = ["lang:vi", f"ok:vi:{notice_version('vi')}", "com:nghia-ta", "open:email"] + [
        f"next:email:{i}" for i in range(len(lesson.steps) - 1)
    ]
    for tap in taps:
        for user in residents:
            anchor: SentMessage = api.chat_messages(user["id"])[0]
            api.push_update(api.callback_update(user, anchor, f"1|{tap}"))
    expected_answers = len(taps) * len(residents)
    await until(lambda: len(api.calls_of("answerCallbackQuery")) >= expected_answers, "every tap answered")

    stale = [c for c in api.calls_of("answerCallbackQuery") if c.params.get("text")]
    assert stale == []
    async with runtime.sessions() as session:
        rows = (await session.scalars(select(FsmState))).all()
    assert len(rows) == len(residents)
    assert all(row.state == "Lesson:step" and row.data == {"m": "email", "s": len(lesson.steps) - 1} for row in rows)
