"""An update python-telegram-bot cannot parse is skipped, logged once without its content, and the
updates around it flow on (issue 15, point 6). The real bot long-polls a fake Bot API over loopback."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from telegram.ext import Application

from bot.channels.telegram.app import build_application
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, serve_http
from bot.runtime import open_runtime
from tests.support.journey import until
from tests.support.settings import make_settings


@pytest.fixture
async def polling(database_url: str) -> AsyncIterator[tuple[FakeBotApi, Application]]:
    api = FakeBotApi()
    runner, base_url = await serve_http(api)
    settings = make_settings(database_url, telegram_api_base_url=base_url)
    runtime = await open_runtime(settings)
    app = build_application(settings, runtime)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    try:
        yield api, app
    finally:
        if app.updater.running:
            await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await runtime.close()
        await runner.cleanup()


async def test_one_unreadable_update_among_good_ones_is_skipped(
    polling: tuple[FakeBotApi, Application], caplog: pytest.LogCaptureFixture
) -> None:
    api, app = polling
    caplog.set_level(logging.DEBUG)
    before, after = api.user_dict(6101, "Lan"), api.user_dict(6102, "Tú")
    api.push_update(api.message_update(before, "/start"))
    broken = api.message_update(api.user_dict(6103, "Bí Mật Riêng"), "tin nhắn riêng tư")
    broken["message"]["date"] = "not a date"  # PTB cannot turn this into a datetime
    api.push_update(broken)
    api.push_update(api.message_update(after, "/start"))
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    await until(lambda: bool(api.chat_messages(6101)) and bool(api.chat_messages(6102)), "both residents answered")
    await until(lambda: len(api.calls_of("getUpdates")) >= 3, "polling went on past the broken update")

    skipped = [r for r in caplog.records if "could not be read" in r.getMessage()]
    assert len(skipped) == 1 and str(broken["update_id"]) in skipped[0].getMessage()
    assert "Bí Mật Riêng" not in caplog.text and "riêng tư" not in caplog.text
    assert "Error while parsing updates" not in caplog.text
    assert api.chat_messages(6103) == []
