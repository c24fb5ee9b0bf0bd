"""Reminders end to end: the real handlers through the fake Bot API, the real due scan, the real paced
sender, and a stepping clock moved by the test (never the machine's hour or time zone)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from telegram import Update
from telegram.ext import Application

from bot import clock
from bot.channels.telegram.app import build_application
from bot.channels.telegram.testing.broadcasting import make_sender
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeRequest, FakeUser
from bot.config import Settings
from bot.learning import screens
from bot.reminders.service import scan_once
from bot.runtime import Runtime, open_runtime
from bot.storage.models import DirectMessage, Reminder, Resident
from bot.storage.vocabulary import DeliveryStatus
from tests.support.journey import answer_quiz, count, lesson_of, onboard, read_all_steps

TWO_DAYS = timedelta(days=2)


async def deliver_reminders(runtime: Runtime, api: FakeBotApi) -> int:
    """Scan now, then let the paced sender deliver whatever was queued; the number queued."""
    queued = (await scan_once(runtime)).queued
    sender = await make_sender(runtime.sessions, api, runtime.catalog)
    task = asyncio.create_task(sender.run())
    try:
        for _ in range(1500):
            if await count(runtime, DirectMessage, status=DeliveryStatus.PENDING) == 0:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("reminders still pending")
    finally:
        await sender.stop()
        await asyncio.wait_for(task, 10)
    return queued


def reminders_to(user: FakeUser) -> list[str]:
    return [m.text for m in user.messages() if "▶️ Học tiếp" in [label for label, _ in m.buttons()]]


@pytest.fixture
async def second_app(settings: Settings, api: FakeBotApi) -> AsyncIterator[Callable[[], Awaitable[Application]]]:
    """A bot started again on the same database (a restart), when the test asks for it."""
    opened: list[tuple[Runtime, Application]] = []

    async def start() -> Application:
        runtime = await open_runtime(settings)
        application = build_application(settings, runtime, request=FakeRequest(api))
        await application.initialize()
        opened.append((runtime, application))
        return application

    yield start
    for runtime, application in opened:
        await application.shutdown()
        await runtime.close()


async def test_a_reminder_after_two_idle_days_resumes_the_exact_step_after_a_restart(
    runtime: Runtime,
    api: FakeBotApi,
    make_user: Callable[..., FakeUser],
    wall_clock: clock.SteppingClock,
    second_app: Callable[[], Awaitable[Application]],
) -> None:
    lesson = lesson_of(runtime.catalog, "email")
    user = make_user()
    await onboard(user)
    await user.press(lesson.title)
    await user.press("Tiếp tục")
    await user.press("Tiếp tục")  # on step 3 of the module, then gone
    assert await deliver_reminders(runtime, api) == 0
    wall_clock.advance(TWO_DAYS - timedelta(minutes=10))
    assert await deliver_reminders(runtime, api) == 0  # not two idle days yet
    wall_clock.advance(timedelta(minutes=11))
    assert await deliver_reminders(runtime, api) == 1
    sent = reminders_to(user)
    assert len(sent) == 1 and lesson.title in sent[0] and "/reminders off" in sent[0]
    assert await deliver_reminders(runtime, api) == 0  # the same slot is never queued twice
    wall_clock.advance(timedelta(hours=22))
    assert await deliver_reminders(runtime, api) == 0  # nothing within 23 hours of the reminder
    assert len(reminders_to(user)) == 1

    restarted = await second_app()

    async def into_restarted(raw: dict[str, Any]) -> None:
        await restarted.process_update(Update.de_json(raw, restarted.bot))

    again = FakeUser(api, into_restarted, user.id)
    await again.press("▶️ Học tiếp")
    assert again.last().text == screens.step("vi", lesson, 2).text


async def test_no_module_reminder_after_completion_after_reminders_off_or_to_someone_who_blocked(
    runtime: Runtime, api: FakeBotApi, make_user: Callable[..., FakeUser], wall_clock: clock.SteppingClock
) -> None:
    internet, email = lesson_of(runtime.catalog, "internet"), lesson_of(runtime.catalog, "email")
    done, quiet, blocked = make_user(2001), make_user(2002), make_user(2003)
    for user in (done, quiet, blocked):
        await onboard(user)
    await done.press(internet.title)
    await read_all_steps(done, internet)
    await done.press("Làm bài kiểm tra")
    await answer_quiz(done, internet)  # passed: completed, nothing else started
    for user in (quiet, blocked):
        await user.press(email.title)
    await quiet.send("/reminders off")
    assert "đã tắt" in quiet.last().text.lower()
    async with runtime.sessions.begin() as session:
        await session.execute(
            update(Resident).where(Resident.external_id == blocked.id).values(unreachable_at=clock.now())
        )
    wall_clock.advance(timedelta(days=5))
    # The completed module earns no reminder; its `review: always` questions, due for review, earn one.
    assert await deliver_reminders(runtime, api) == 1
    assert reminders_to(done) == reminders_to(quiet) == reminders_to(blocked) == []
    assert done.last().buttons()[0][0] == "🔁 Ôn tập"
    assert quiet.last().text.startswith("🔕") and "Ôn tập" not in blocked.last().text
    await quiet.send("/reminders on")  # activity too: two idle days start again from here
    wall_clock.advance(TWO_DAYS + timedelta(minutes=1))
    assert await deliver_reminders(runtime, api) == 2  # hers, and the second review nudge of `done`
    assert len(reminders_to(quiet)) == 1 and reminders_to(blocked) == []


async def test_the_reminder_button_turns_reminders_off_and_mydata_help_show_it(
    runtime: Runtime, api: FakeBotApi, make_user: Callable[..., FakeUser], wall_clock: clock.SteppingClock
) -> None:
    user = make_user()
    await onboard(user)
    await user.send("/help")
    assert "/reminders" in user.last().text
    await user.send("/mydata")
    assert "Lời nhắc học: bật" in user.last().text
    await user.press(lesson_of(runtime.catalog, "email").title)
    wall_clock.advance(TWO_DAYS + timedelta(minutes=1))
    assert await deliver_reminders(runtime, api) == 1
    await user.press("🔕 Tắt lời nhắc")
    assert "Đã tắt lời nhắc" in user.last().text
    await user.send("/mydata")
    assert "Lời nhắc học: tắt" in user.last().text
    await user.send("/reminders")
    assert "/reminders on" in user.last().text
    wall_clock.advance(timedelta(days=10))
    assert await deliver_reminders(runtime, api) == 0


async def test_deleteme_erases_the_reminders(
    runtime: Runtime, api: FakeBotApi, make_user: Callable[..., FakeUser], wall_clock: clock.SteppingClock
) -> None:
    user = make_user()
    await onboard(user)
    await user.press(lesson_of(runtime.catalog, "email").title)
    wall_clock.advance(TWO_DAYS + timedelta(minutes=1))
    assert await deliver_reminders(runtime, api) == 1
    assert await count(runtime, Reminder) == 1
    await user.send("/deleteme")
    await user.press("Có, xoá hết")
    assert await count(runtime, Reminder) == 0
    assert await count(runtime, DirectMessage) == 0
    async with runtime.sessions() as session:
        assert (await session.scalars(select(Resident.id))).all() == []


async def test_reminders_off_for_the_deployment(
    settings: Settings, api: FakeBotApi, make_user: Callable[..., FakeUser], wall_clock: clock.SteppingClock
) -> None:
    off = await open_runtime(settings.model_copy(update={"reminders": False}))
    try:
        application = build_application(off.settings, off, request=FakeRequest(api))
        await application.initialize()

        async def into(raw: dict[str, Any]) -> None:
            await application.process_update(Update.de_json(raw, application.bot))

        user = FakeUser(api, into, 3001)
        await onboard(user)
        await user.press(lesson_of(off.catalog, "email").title)
        await user.send("/reminders")
        assert "không gửi lời nhắc" in user.last().text
        wall_clock.advance(timedelta(days=5))
        assert await deliver_reminders(off, api) == 0
        await application.shutdown()
    finally:
        await off.close()
