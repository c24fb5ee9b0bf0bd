"""Broadcasts to a mixed audience: Telegram and Zalo residents through one outbox, Zalo's 7-day window
counted apart (nothing sent outside it), -213/-230 never retried, Zalo's rate limit waited out."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot import clock
from bot.__main__ import main
from bot.broadcast import audience as audiences
from bot.broadcast import outbox, service, views
from bot.broadcast.content import TEXT, Content
from bot.broadcast.sender import Route, Sender
from bot.channels.telegram.testing.broadcasting import (
    deliveries,
    fake_bot,
    run_to_end,
    seed_residents,
    sends_per_chat,
)
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser
from bot.channels.telegram.transport import TelegramTransport
from bot.channels.zalo.api import NOT_FOLLOWING, RATE_LIMITED, ZaloApi
from bot.channels.zalo.ids import to_key
from bot.channels.zalo.testing.fake_zalo_api import APP_ID, APP_SECRET, FIRST_REFRESH_TOKEN, FakeZaloApi
from bot.channels.zalo.tokens import Tokens
from bot.channels.zalo.transport import ZaloTransport
from bot.messages import Reply
from bot.runtime import Runtime
from bot.storage.grants import grant
from bot.storage.models import Resident
from bot.storage.vocabulary import Channel
from tests.support.journey import onboard

RECENT, SILENT, SAYS_230, UNFOLLOWED, SLOWED = (
    "1000000000000000001",
    "1000000000000000002",
    "1000000000000000003",
    "1000000000000000004",
    "18446744073709551615",  # the largest id that fits: stored as -1
)


@pytest.fixture
async def zalo_api() -> AsyncIterator[FakeZaloApi]:
    api = FakeZaloApi()
    await api.start()
    yield api
    await api.stop()


async def zalo_route(runtime: Runtime, fake: FakeZaloApi) -> tuple[Route, ZaloApi]:
    api = ZaloApi(fake.url)
    api.tokens = Tokens(
        runtime.sessions,
        api.http,
        oauth_base_url=fake.url,
        app_id=APP_ID,
        app_secret=APP_SECRET,
        bootstrap_refresh_token=FIRST_REFRESH_TOKEN,
    )
    transport = ZaloTransport(api, rate_limit_pause=0.2)  # a short wait; the real default is longer
    return Route(transport, 1000, window=audiences.FREE_WINDOW[Channel.ZALO]), api


async def seed_zalo(runtime: Runtime, user: str, *, days_silent: float) -> None:
    key = to_key(user)
    seen = clock.now() - timedelta(days=days_silent)
    await seed_residents(runtime.sessions, 1, first_id=key, channel=Channel.ZALO, last_seen=seen)


async def test_a_broadcast_to_a_mixed_audience_counts_zalo_residents_outside_7_days_apart(
    runtime: Runtime, api: FakeBotApi, zalo_api: FakeZaloApi
) -> None:
    telegram = await seed_residents(runtime.sessions, 2, first_id=700_001)
    await seed_zalo(runtime, RECENT, days_silent=1)
    await seed_zalo(runtime, SLOWED, days_silent=6.9)
    await seed_zalo(runtime, SILENT, days_silent=8)  # outside the window: sent nothing
    await seed_zalo(runtime, SAYS_230, days_silent=2)  # the bot thinks inside; Zalo says -230
    await seed_zalo(runtime, UNFOLLOWED, days_silent=1)
    zalo_api.outside_window.add(SAYS_230)
    zalo_api.errors[UNFOLLOWED] = [NOT_FOLLOWING]
    zalo_api.errors[SLOWED] = [RATE_LIMITED]  # Zalo's rate limit: waited out, then sent

    draft = service.Draft(Content(TEXT, None, "Họp thôn tối thứ Bảy lúc 19 giờ.", None), audiences.Audience("all"))
    plan = await service.plan(runtime.sessions, draft, actor=None, tz=runtime.settings.tz, quiet=None, now=clock.now())
    assert plan.recipients == 7 and plan.outside_window == 1
    created = await service.create(
        runtime.sessions, draft, actor=None, catalog=runtime.catalog, tz=runtime.settings.tz, quiet=None
    )

    route, zalo = await zalo_route(runtime, zalo_api)
    route_telegram = Route(TelegramTransport(await fake_bot(api)), 1000)
    sender = Sender(
        runtime.sessions,
        {Channel.TELEGRAM: route_telegram, Channel.ZALO: route},
        runtime.catalog,
        rate=1000,
        workers=4,
        backoff_base=0.01,
        poll_interval=0.05,
    )
    try:
        await run_to_end(sender, runtime.sessions, created.id)
    finally:
        await zalo.close()

    assert sorted(sends_per_chat(api)) == sorted(telegram)
    assert sorted(sent.user_id for sent in zalo_api.sent) == sorted([RECENT, SLOWED])
    assert [user for user, _ in zalo_api.refused].count(SAYS_230) == 1  # -230: never retried
    assert [user for user, _ in zalo_api.refused].count(UNFOLLOWED) == 1  # -213: never retried
    assert SILENT not in {user for user, _ in zalo_api.refused}  # outside the window: not even tried
    assert sender.stats.retry_after == 1 and sender.stats.outside_window == 2

    rows = await deliveries(runtime.sessions, created.id)
    assert rows[to_key(SILENT)].status == outbox.OUTSIDE_WINDOW
    assert rows[to_key(SAYS_230)].status == outbox.OUTSIDE_WINDOW
    assert rows[to_key(UNFOLLOWED)].status == outbox.UNREACHABLE
    assert rows[to_key(SLOWED)].status == outbox.SENT
    async with runtime.sessions() as session:
        silent = await session.scalar(select(Resident).where(Resident.external_id == to_key(SILENT)))
        gone = await session.scalar(select(Resident).where(Resident.external_id == to_key(UNFOLLOWED)))
        assert silent is not None and silent.unreachable_at is None  # their next message opens the window
        assert gone is not None and gone.unreachable_reason == "not following the OA"

    report = await service.report(runtime.sessions, created.id, actor=None)
    assert report.counts[outbox.SENT] == 4 and report.counts[outbox.OUTSIDE_WINDOW] == 2
    text = views.report_text(report, "vi", runtime.catalog, runtime.settings.communes)
    assert "Ngoài 7 ngày Zalo cho phép" in text and "2" in text.split("Ngoài 7 ngày Zalo cho phép")[1]


async def test_a_reminder_to_a_zalo_resident_outside_the_window_is_not_sent(
    runtime: Runtime, zalo_api: FakeZaloApi
) -> None:
    await seed_zalo(runtime, SILENT, days_silent=10)
    await seed_zalo(runtime, RECENT, days_silent=0)
    async with runtime.sessions.begin() as session:
        ids = dict((await session.execute(select(Resident.external_id, Resident.id))).all())
        for user in (SILENT, RECENT):
            reply = Reply("Học tiếp nhé")
            await outbox.enqueue(session, ids[to_key(user)], "reminder", f"r:{user}", reply, clock.now())
    route, zalo = await zalo_route(runtime, zalo_api)
    sender = Sender(runtime.sessions, {Channel.ZALO: route}, runtime.catalog, rate=1000, poll_interval=0.05)
    task = asyncio.create_task(sender.run())
    try:
        for _ in range(500):
            if sender.stats.sent + sender.stats.outside_window >= 2:
                break
            await asyncio.sleep(0.02)
    finally:
        await sender.stop()
        await asyncio.wait_for(task, 10)
        await zalo.close()
    assert [sent.user_id for sent in zalo_api.sent] == [RECENT]
    assert sender.stats.outside_window == 1


async def test_the_command_line_dry_run_names_the_zalo_residents_outside_the_window(
    runtime: Runtime, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await seed_residents(runtime.sessions, 2, first_id=700_001)
    await seed_zalo(runtime, RECENT, days_silent=3)
    await seed_zalo(runtime, SILENT, days_silent=30)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("QUIET_HOURS", "")
    code = await asyncio.to_thread(main, ["broadcast", "--text", "Họp xã", "--dry-run", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    assert "4 recipient(s)" in out and "1 of them outside Zalo's 7-day window" in out
    assert json.loads(out.strip().splitlines()[-1])["outside_window"] == 1


async def test_the_officers_preview_names_the_zalo_residents_outside_the_window(
    make_user: Callable[..., FakeUser], runtime: Runtime, app: Application
) -> None:
    await seed_zalo(runtime, SILENT, days_silent=9)
    await seed_zalo(runtime, RECENT, days_silent=1)
    await onboard(make_user(1701, "Thu"))
    async with runtime.sessions.begin() as session:
        await grant(session, role="officer", telegram_id=7001, communes=[], known_communes={"nghia-ta"}, actor=None)
    officer = make_user(7001, "Cán bộ")
    await officer.send("/broadcast")
    await officer.press("Thông báo bằng chữ")
    await officer.send("Họp thôn tối thứ Bảy")
    await officer.press("Tất cả bà con")
    await officer.press("Gửi ngay")
    summary = officer.last().text
    assert "Số người nhận: 3" in summary
    assert "Trong đó 1 người dùng Zalo" in summary and "ngoài 7 ngày Zalo cho phép" in summary
