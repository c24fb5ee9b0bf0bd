"""The privacy gaps an auditor found (issue 15, point 8): refused privileged attempts are audited, an
officer's erasure leaves no trace of them on broadcasts, and an erased name is not left readable in the
SQLite files (-wal included). Real handlers, fake Bot API, both databases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from telegram.ext import Application

from bot.channels.telegram import callbacks
from bot.channels.telegram.broadcast_progress import BroadcastControl
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser
from bot.runtime import Runtime
from bot.storage.grants import grant
from bot.storage.models import AuditLog, Broadcast, Resident
from tests.support.journey import onboard

OFFICER = 7301
RARE_NAME = "Xylophonia"  # a name that appears nowhere else in the database


async def audit_rows(runtime: Runtime) -> list[tuple[str, str, dict]]:
    async with runtime.sessions() as session:
        rows = await session.execute(select(AuditLog.actor, AuditLog.action, AuditLog.detail).order_by(AuditLog.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_refused_privileged_attempts_are_audited(
    make_user: Callable[..., FakeUser], runtime: Runtime, app: Application
) -> None:
    resident = make_user(7201, "Sơn")
    await onboard(resident)
    await resident.send("/broadcast")
    await resident.send("/roles")
    await resident.press_data(resident.last(), callbacks.encode(BroadcastControl("c", 1)))
    refused = [(actor, detail) for actor, action, detail in await audit_rows(runtime) if action == "refused"]
    assert refused == [
        ("telegram:7201", {"asked": "/broadcast", "needed": "officer"}),
        ("telegram:7201", {"asked": "/roles", "needed": "admin"}),
        ("telegram:7201", {"asked": "button", "needed": "officer"}),
    ]


async def test_an_officers_erasure_leaves_no_trace_on_their_broadcasts(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, app: Application
) -> None:
    await onboard(make_user(7202, "Lan"))
    officer = make_user(OFFICER, "Cán bộ Hà")
    await onboard(officer)
    async with runtime.sessions.begin() as session:
        await grant(session, role="officer", telegram_id=OFFICER, communes=[], known_communes=set(), actor=None)
    await officer.send("/broadcast")
    await officer.press("Thông báo bằng chữ")
    await officer.send("Họp thôn tối nay")
    await officer.press("Tất cả bà con")
    await officer.press("Gửi ngay")
    await officer.press("✅ Gửi")
    async with runtime.sessions() as session:
        sent = await session.scalar(select(Broadcast))
        assert sent is not None and sent.report_chat_id == OFFICER and sent.created_by is not None

    await officer.send("/deleteme")
    await officer.press("Có, xoá hết")
    async with runtime.sessions() as session:
        kept = await session.scalar(select(Broadcast))
        assert kept is not None and kept.text == "Họp thôn tối nay"  # the broadcast went to others: it stays
        assert (kept.report_chat_id, kept.report_message_id, kept.created_by) == (None, None, None)
        assert await session.scalar(select(Resident.id).where(Resident.external_id == OFFICER)) is None


def sqlite_bytes(runtime: Runtime) -> dict[str, bytes]:
    path = Path(make_url(runtime.settings.database_url).database or "")
    return {
        name: file.read_bytes() if file.exists() else b""
        for name, file in (("db", path), ("wal", path.with_name(path.name + "-wal")))
    }


async def test_an_erased_name_is_not_left_in_the_database_files(
    make_user: Callable[..., FakeUser], runtime: Runtime, app: Application
) -> None:
    user = make_user(7203, RARE_NAME)
    await onboard(user)
    await user.send("/progress")
    on_sqlite = runtime.db.dialect.name == "sqlite"
    if on_sqlite:  # the check below could not fail if the name had never reached the files
        assert any(RARE_NAME.encode() in content for content in sqlite_bytes(runtime).values())
    await user.send("/deleteme")
    await user.press("Có, xoá hết")
    async with runtime.sessions() as session:
        assert await session.scalar(select(Resident.id).where(Resident.display_name == RARE_NAME)) is None
    if on_sqlite:
        for name, content in sqlite_bytes(runtime).items():
            assert RARE_NAME.encode() not in content, f"the erased name is still in the {name} file"
