"""Input cleaned before it is stored, whoever writes it, and refused data told apart from an outage
(issue 15, point 5). Both databases: PostgreSQL refuses a NUL that SQLite would store."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from bot import clock
from bot.__main__ import main
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser
from bot.messages import Event, Outcome
from bot.runtime import Runtime
from bot.storage.failures import is_refused_data
from bot.storage.models import Broadcast, Resident
from tests.support.journey import onboard

# A name as it can arrive from Telegram: a NUL, a bell, a right-to-left override, then rice and a family emoji.
DIRTY_NAME = "Lan\x00\x07\u202e 🌾 👨‍👩‍👧"


async def resident_named(runtime: Runtime, external_id: int) -> str | None:
    async with runtime.sessions() as session:
        return await session.scalar(select(Resident.display_name).where(Resident.external_id == external_id))


async def test_a_nul_in_a_first_name_is_cleaned_and_the_resident_joins(
    make_user: Callable[..., FakeUser], runtime: Runtime
) -> None:
    user = make_user(5101, DIRTY_NAME)
    await onboard(user)
    assert "Chọn một bài học" in user.last().text or "bài học" in user.last().text
    assert not any("bận" in message.text for message in user.messages())
    assert await resident_named(runtime, 5101) == "Lan 🌾 👨‍👩‍👧"


async def test_text_columns_are_cleaned_whoever_writes_them(runtime: Runtime) -> None:
    """The column type cleans: an ORM write, a Core insert and a Core update all store clean text, cut on
    a grapheme boundary (the 64th character here falls inside a family emoji, which is left out whole)."""
    long_name = "A" * 60 + "\x00" + "👨‍👩‍👧‍👦"  # 60 + 7 code points after the NUL is dropped
    now = clock.now()
    async with runtime.sessions.begin() as session:
        session.add(Resident(external_id=1, chat_id=1, display_name=DIRTY_NAME, consent_at=now, created_at=now))
        await session.execute(
            insert(Resident).values(external_id=2, chat_id=2, display_name=long_name, consent_at=now, created_at=now)
        )
        session.add(Broadcast(kind="text", text="Họp\x00 thôn\x1b[31m\nlúc 14h", created_at=now, scheduled_at=now))
    assert await resident_named(runtime, 1) == "Lan 🌾 👨‍👩‍👧"
    assert await resident_named(runtime, 2) == "A" * 60
    async with runtime.sessions() as session:
        assert await session.scalar(select(Broadcast.text)) == "Họp thôn[31m\nlúc 14h"


async def test_a_broadcast_typed_with_a_nul_at_the_command_line_is_stored_clean(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    now = clock.now()
    async with runtime.sessions.begin() as session:
        session.add(Resident(external_id=7, chat_id=7, display_name="Mai", consent_at=now, created_at=now))
    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("QUIET_HOURS", "")
    code = await asyncio.to_thread(main, ["broadcast", "--text", "Lịch\x00 tiêm phòng"])
    assert code == 0, capsys.readouterr().err
    async with runtime.sessions() as session:
        assert await session.scalar(select(Broadcast.text)) == "Lịch tiêm phòng"


async def test_refused_data_and_outages_are_told_apart(runtime: Runtime, tmp_path: Path) -> None:
    """Real errors from the real databases, classified."""
    now = clock.now()
    row = {"external_id": 9, "chat_id": 9, "consent_at": now, "created_at": now}
    async with runtime.sessions.begin() as session:
        await session.execute(insert(Resident).values(**row))
    with pytest.raises(DBAPIError) as duplicate:
        async with runtime.sessions.begin() as session:
            await session.execute(insert(Resident).values(**row))
    assert is_refused_data(duplicate.value)
    if runtime.db.dialect.name == "postgresql":  # a value the column cannot hold, past the cleaning type
        with pytest.raises(DBAPIError) as nul:
            async with runtime.sessions.begin() as session:
                await session.execute(text("UPDATE residents SET display_name = :name"), {"name": "a\x00b"})
        assert is_refused_data(nul.value)

    closed = create_async_engine("postgresql+asyncpg://bot@127.0.0.1:1/bot")
    with pytest.raises(OSError) as refused:
        async with closed.connect():
            pass
    await closed.dispose()
    assert not is_refused_data(refused.value)
    (tmp_path / "a-folder").mkdir()
    unopenable = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'a-folder'}")
    with pytest.raises(DBAPIError) as cannot_open:
        async with unopenable.connect():
            pass
    await unopenable.dispose()
    assert isinstance(cannot_open.value.orig, sqlite3.OperationalError)
    assert not is_refused_data(cannot_open.value)


async def test_a_resident_is_told_refused_data_apart_from_the_busy_system(
    make_user: Callable[..., FakeUser],
    runtime: Runtime,
    api: FakeBotApi,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The handler answers a real IntegrityError (a duplicate row carrying a name) with "not saved",
    logs it as an ERROR naming its kind and never the name; an outage keeps "the system is busy"."""
    user = make_user(5102, "Hoa")
    await onboard(user)
    now = clock.now()

    async def duplicate(event: Event) -> Outcome:
        async with runtime.sessions.begin() as session:
            await session.execute(
                insert(Resident).values(external_id=5102, chat_id=5102, display_name="Bí Mật", created_at=now)
            )
        raise AssertionError("the duplicate was accepted")

    monkeypatch.setattr(runtime.engine, "handle", duplicate)
    await user.send("/progress")
    assert "chưa lưu được" in user.last().text and "bận" not in user.last().text
    refused = [r for r in caplog.records if r.levelno == logging.ERROR and r.name.startswith("bot")]
    assert len(refused) == 1 and "refused" in refused[0].getMessage()
    assert "Bí Mật" not in caplog.text
    caplog.clear()  # the one ERROR this test provoked on purpose; the app fixture fails on any other

    async def outage(event: Event) -> Outcome:
        raise ConnectionResetError("connection lost")

    monkeypatch.setattr(runtime.engine, "handle", outage)
    await user.send("/progress")
    assert "bận" in user.last().text
