"""Black box: the whole bot (`serve()`, as `python -m bot run` runs it: migrations, long polling over
loopback HTTP to a Bot API emulator, the paced sender, the reminder scan) started again and again at
later instants of an installed clock. At each start it sends the reminders the policy allows, within a
minute, and no others: none before two idle days, none at night, none within 23 hours of the last, at
most two in seven days, silence after three ignored."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import clock
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser, serve_http
from bot.config import Settings
from bot.serve import serve
from tests.support.journey import count, until
from tests.support.settings import make_settings

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
RESIDENT = 7070
SETTLE = 2.0  # seconds a start is watched for messages the policy does not allow


def free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def reminders(api: FakeBotApi) -> list[str]:
    return [m.text for m in api.chat_messages(RESIDENT) if any("Học tiếp" in label for label, _ in m.buttons())]


async def run_at(
    settings: Settings, api: FakeBotApi, wall_clock: clock.SteppingClock, instant: datetime, expect: int
) -> None:
    """Start the bot at `instant` (local time in Thái Nguyên), check it sends `expect` reminders in all
    within a minute, and no more for a few seconds after; then stop it."""
    wall_clock.set(instant)
    stop = asyncio.Event()
    bot = asyncio.create_task(serve(settings, stop))
    polls = len(api.calls_of("getUpdates"))
    try:
        await until(lambda: len(api.calls_of("getUpdates")) > polls or bot.done(), "the bot to poll", 60)
        assert not bot.done(), bot.result()
        await until(lambda: len(reminders(api)) >= expect, f"{expect} reminders by {instant:%d %H:%M}", 60)
        await asyncio.sleep(SETTLE)  # the scan ran at start; anything more would show by now
        assert len(reminders(api)) == expect, (instant, reminders(api))
    finally:
        stop.set()
        assert await asyncio.wait_for(bot, 15) == 0


async def test_restarted_at_later_instants_the_bot_sends_what_the_policy_allows_and_nothing_else(
    database_url: str, wall_clock: clock.SteppingClock
) -> None:
    api = FakeBotApi()
    runner, base_url = await serve_http(api)
    settings = make_settings(
        database_url, telegram_api_base_url=base_url, quiet_hours="21:00-07:00", web_port=free_port()
    )
    day0 = datetime(2026, 12, 7, 10, 0, tzinfo=HANOI)  # a Monday morning in Thái Nguyên
    try:
        # Day 0, 10:00: a resident starts the email module and leaves it on step 2.
        wall_clock.set(day0)
        stop = asyncio.Event()
        bot = asyncio.create_task(serve(settings, stop))

        async def push(update: dict) -> None:
            api.push_update(update)

        user = FakeUser(api, push, RESIDENT, "Hoa")
        last = lambda: user.messages()[-1].text if user.messages() else ""  # noqa: E731
        await until(lambda: bool(api.calls_of("getUpdates")), "the bot to poll", 60)
        await user.send("/start")
        await until(lambda: "tiếng nào" in last(), "welcome")
        for label, expect in (("Tiếng Việt", "đồng ý"), ("✅", "xã nào"), ("Nghĩa Tá", "Chọn một bài học")):
            await user.press(label)
            await until(lambda expect=expect: expect in last(), expect)
        await user.press("Thư điện tử")
        await until(lambda: "Bước 1/" in last(), "step 1")
        await user.press("Tiếp tục")
        await until(lambda: "Bước 2/" in last(), "step 2")
        stop.set()
        assert await asyncio.wait_for(bot, 15) == 0

        await run_at(settings, api, wall_clock, day0 + timedelta(days=1), expect=0)  # one idle day
        await run_at(settings, api, wall_clock, day0 + timedelta(days=2, hours=12), expect=0)  # 22:00: night
        await run_at(settings, api, wall_clock, day0 + timedelta(days=3, hours=-2, minutes=-30), expect=1)  # 07:30
        await run_at(settings, api, wall_clock, day0 + timedelta(days=3, hours=2), expect=1)  # 12:00: within 23 h
        await run_at(settings, api, wall_clock, day0 + timedelta(days=4, hours=-1), expect=2)  # 09:00 next day
        await run_at(settings, api, wall_clock, day0 + timedelta(days=7), expect=2)  # two in seven days
        await run_at(settings, api, wall_clock, day0 + timedelta(days=10, hours=-2), expect=3)  # a week after the 1st
        await run_at(settings, api, wall_clock, day0 + timedelta(days=20), expect=3)  # three ignored: silence
        await run_at(settings, api, wall_clock, day0 + timedelta(days=40), expect=3)
        assert len(set(reminders(api))) == 3  # three different wordings
    finally:
        await runner.cleanup()
    assert await count_rows(database_url) == 3


async def count_rows(database_url: str) -> int:
    from bot.runtime import open_runtime
    from bot.storage.models import Reminder

    runtime = await open_runtime(make_settings(database_url))
    try:
        return await count(runtime, Reminder)
    finally:
        await runtime.close()
