"""The officer's /broadcast wizard, controls and reports, through the real handlers and the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import time

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.broadcast.outbox import DONE
from bot.channels.telegram import broadcast_progress as progress
from bot.channels.telegram import callbacks
from bot.channels.telegram import officer as officer_module
from bot.channels.telegram.broadcast_progress import BroadcastControl
from bot.channels.telegram.broadcast_wizard import WizardPress
from bot.channels.telegram.testing.broadcasting import (
    broadcast_row,
    quiet_api,
    seed_residents,
    sends_per_chat,
    until,
    wait_for_status,
)
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeRequest, FakeUser
from bot.config import Settings
from bot.runtime import Runtime
from bot.storage.grants import grant
from bot.storage.models import AuditLog, Broadcast
from tests.support.journey import onboard
from tests.support.settings import make_settings

OFFICER = 7001
KNOWN = {"nghia-ta", "example-a", "example-b", "other"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, quiet_hours="")  # "send now" must mean now whatever the hour


@pytest.fixture
async def sender(app: Application, api: FakeBotApi) -> AsyncIterator[None]:
    """The paced sender as `python -m bot run` starts it, on the fake API, polling briskly."""
    await officer_module.start_sender(
        app, request=FakeRequest(api), poll_interval=0.05, progress_interval=0.05, backoff_base=0.01
    )
    yield
    await officer_module.stop_sender(app)


async def make_officer(runtime: Runtime, telegram_id: int = OFFICER, communes: tuple[str, ...] = ()) -> None:
    async with runtime.sessions.begin() as session:
        await grant(
            session, role="officer", telegram_id=telegram_id, communes=list(communes), known_communes=KNOWN, actor=None
        )


async def latest_broadcast(runtime: Runtime) -> Broadcast:
    async with runtime.sessions() as session:
        row = await session.scalar(select(Broadcast).order_by(Broadcast.id.desc()).limit(1))
        assert row is not None
        return row


def answers(api: FakeBotApi) -> list[str]:
    return [str(call.params.get("text") or "") for call in api.calls_of("answerCallbackQuery")]


async def announce_to_all(officer: FakeUser, text: str, *, confirm: bool = True) -> str:
    """The wizard's shortest path: a text announcement to everyone, now. Returns the preview summary."""
    await officer.send("/broadcast")
    await officer.press("Thông báo bằng chữ")
    await officer.send(text)
    await officer.press("Tất cả bà con")
    await officer.press("Gửi ngay")
    summary = officer.last().text
    await officer.press("✅ Gửi" if confirm else "Huỷ")
    return summary


async def test_lesson_invitation_from_wizard_to_report_and_the_button_opens_the_module(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, app: Application, sender: None
) -> None:
    near = [make_user(1101, "Lan"), make_user(1102, "Tú")]
    far = make_user(1103, "Hải")
    for resident in near:
        await onboard(resident)
    await onboard(far, commune="ví dụ A")
    await make_officer(runtime)
    officer = make_user(OFFICER, "Cán bộ Hà")
    title = runtime.catalog.get("e-payment", "vi").title  # type: ignore[union-attr]

    await officer.send("/broadcast")
    assert "Bước 1/4" in officer.last().text
    await officer.press("Mời học")
    await officer.press(title)
    assert "Bước 2/4" in officer.last().text
    await officer.press("Một xã")
    assert [label for label, _ in officer.last().buttons()][:2] == [
        "Xã Nghĩa Tá",
        "Xã ví dụ A (sửa trong config/communes.yaml)",
    ]
    await officer.press("Xã Nghĩa Tá")
    await officer.press("Gửi ngay")
    summary = officer.last()
    assert "Số người nhận: 2" in summary.text and "ngay bây giờ" in summary.text
    sample = officer.messages()[-2]
    assert sample.text.startswith(f"📚 Bài học mới: {title}") and sample.buttons()[0][0] == "▶️ Học ngay"

    await officer.press("✅ Gửi")
    row = await latest_broadcast(runtime)
    assert (row.kind, row.module_id, row.audience, row.total) == ("lesson", "e-payment", "commune:nghia-ta", 2)
    assert (row.report_chat_id, row.report_message_id) == (OFFICER, summary.message_id)
    await wait_for_status(runtime.sessions, row.id)
    await until(lambda: officer.last().text.startswith("📊"))

    invited = [len([m for m in user.messages() if m.text.startswith("📚 Bài học mới")]) for user in (*near, far)]
    assert invited == [1, 1, 0]
    progress = api.messages[OFFICER][summary.message_id]
    assert "100% · 2/2 · 0 không liên lạc được" in progress.text and "đã xong" in progress.text
    assert "✅ Đã gửi: 2" in officer.last().text
    assert "📚 Trong 7 ngày: 0 người đã mở bài" in officer.last().text

    # The resident's tap goes through the normal journey, which opens the module.
    await near[0].press("Học ngay")
    assert "Bước 1/" in near[0].last().text
    await officer.press("Cập nhật")
    assert "📚 Trong 7 ngày: 1 người đã mở bài, 0 người đã học xong." in officer.last().text

    async with runtime.sessions() as session:
        audit = (await session.execute(select(AuditLog.actor, AuditLog.action, AuditLog.detail))).all()
    created = [detail for actor, action, detail in audit if action == "broadcast.create"]
    assert created and created[0]["audience"] == "commune:nghia-ta" and created[0]["recipients"] == 2
    assert (f"telegram:{OFFICER}", "broadcast.create") in [(actor, action) for actor, action, _ in audit]


async def test_text_announcement_typed_in_the_chat_reaches_everyone(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, app: Application, sender: None
) -> None:
    residents = [make_user(1201 + i, f"R{i}") for i in range(3)]
    for resident in residents:
        await onboard(resident)
    await make_officer(runtime)
    officer = make_user(OFFICER, "Cán bộ")
    await officer.send("/broadcast")
    await officer.press("Thông báo bằng chữ")
    assert "Gõ nội dung thông báo" in officer.last().text
    await officer.send("Chiều nay 14h họp thôn ở nhà văn hoá.")
    assert "Bước 2/4" in officer.last().text  # the wizard took it; the lessons did not answer it
    assert not any("chưa hiểu" in m.text for m in officer.messages())
    await officer.press("Lâu không vào học")
    await officer.press("60 ngày")
    await officer.press("Gửi ngay")  # everyone was active today: nobody to send to
    assert "Không có ai trong nhóm này" in officer.messages()[-2].text
    assert "Bước 2/4" in officer.last().text  # back to choosing the audience
    await officer.press("Tất cả bà con")
    await officer.press("Gửi ngay")
    assert "Số người nhận: 3" in officer.last().text
    await officer.press("✅ Gửi")
    await wait_for_status(runtime.sessions, (await latest_broadcast(runtime)).id)
    for resident in residents:
        message = resident.last()
        assert message.text == "Chiều nay 14h họp thôn ở nhà văn hoá."
        assert message.buttons() == [("📚 Xem các bài học", "1|menu")]
    await residents[0].press("Xem các bài học")
    assert "Chọn một bài học" in residents[0].last().text


async def test_photo_with_caption(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, app: Application, sender: None
) -> None:
    resident = make_user(1301, "Mai")
    await onboard(resident)
    await make_officer(runtime)
    officer = make_user(OFFICER, "Cán bộ")
    await officer.send("/broadcast")
    await officer.press("Ảnh kèm chú thích")
    await officer.send("không phải ảnh")
    assert "Mình cần một ảnh" in officer.last().text
    photo = [{"file_id": "AgAD-lich-tiem", "file_unique_id": "u1", "width": 640, "height": 480}]
    await officer.send_extra({"photo": photo, "caption": "Lịch tiêm chủng tháng 12"})
    await officer.press("Tất cả bà con")
    await officer.press("Gửi ngay")
    await officer.press("✅ Gửi")
    await wait_for_status(runtime.sessions, (await latest_broadcast(runtime)).id)
    message = resident.last()
    assert message.kind == "photo" and message.text == "Lịch tiêm chủng tháng 12"
    sent = [c for c in api.calls_of("sendPhoto") if int(c.params["chat_id"]) == 1301]
    assert sent[0].params["photo"] == "AgAD-lich-tiem"


async def test_a_time_in_quiet_hours_moves_to_the_morning(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, app: Application
) -> None:
    runtime.settings.quiet_hours = "21:00-07:00"
    resident = make_user(1401, "Bình")
    await onboard(resident)
    await make_officer(runtime)
    officer = make_user(OFFICER, "Cán bộ")
    await officer.send("/broadcast")
    await officer.press("Thông báo bằng chữ")
    await officer.send("Sáng mai cắt điện")
    await officer.press("Tất cả bà con")
    await officer.press("Hẹn giờ")
    await officer.send("ngày mai nhé")
    assert "chưa đọc được" in officer.last().text
    await officer.send("23:30")
    summary = officer.last().text
    assert "🌙" in summary and "07:00" in summary
    await officer.press("✅ Gửi")
    row = await latest_broadcast(runtime)
    assert row.status == "scheduled"
    assert row.scheduled_at.astimezone(runtime.settings.tz).time() == time(7, 0)
    assert "sẽ gửi lúc 07:00" in officer.last().text
    assert all(message.text != "Sáng mai cắt điện" for message in resident.messages())  # not yet


async def test_residents_get_a_polite_no_and_forged_buttons_change_nothing(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, app: Application
) -> None:
    resident = make_user(1501, "Sơn")
    await onboard(resident)
    await resident.send("/broadcast")
    assert "dành cho cán bộ tuyên truyền" in resident.last().text
    await resident.send("/broadcasts")
    assert "dành cho cán bộ tuyên truyền" in resident.last().text

    await make_officer(runtime)
    officer = make_user(OFFICER, "Cán bộ")
    await announce_to_all(officer, "Thông báo thử")
    row = await latest_broadcast(runtime)

    menu = resident.last()
    forgeries = [
        BroadcastControl("p", row.id),
        BroadcastControl("c", row.id),
        WizardPress("abcd", "k", "text"),
        BroadcastControl("s", row.id),
    ]
    for forged in map(callbacks.encode, forgeries):
        await resident.press_data(menu, forged)
        assert "dành cho cán bộ tuyên truyền" in answers(api)[-1]
    assert (await broadcast_row(runtime.sessions, row.id)).status == "sending"  # untouched (no sender here)

    await officer.press_data(officer.last(), callbacks.encode(WizardPress("ffff", "k", "text")))  # no such draft
    assert "đã cũ" in answers(api)[-1]
    other = make_user(7002, "Cán bộ khác")
    await make_officer(runtime, 7002)
    await other.press_data(menu, callbacks.encode(BroadcastControl("c", row.id)))
    assert "không phải của bạn" in answers(api)[-1]
    assert (await broadcast_row(runtime.sessions, row.id)).status == "sending"


async def test_officer_limited_to_a_commune_reaches_only_it(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, app: Application
) -> None:
    await seed_residents(runtime.sessions, 4, commune="nghia-ta")
    await seed_residents(runtime.sessions, 6, first_id=700_000, commune="example-a")
    await make_officer(runtime, communes=("nghia-ta",))
    officer = make_user(OFFICER, "Cán bộ xã")
    await officer.send("/broadcast")
    await officer.press("Thông báo bằng chữ")
    await officer.send("Chỉ cho xã Nghĩa Tá")
    assert ("👥 Tất cả (xã bạn phụ trách)") in [label for label, _ in officer.last().buttons()]
    await officer.press("Một xã")
    assert [label for label, _ in officer.last().buttons()] == ["Xã Nghĩa Tá", "✖ Huỷ"]
    _, data = officer.find_button("Xã Nghĩa Tá")
    await officer.press_data(officer.last(), data.replace("nghia-ta", "example-a"))  # forged
    assert "đã cũ" in answers(api)[-1]
    assert "Chọn xã" in officer.last().text  # still at the same step

    await officer.send("/broadcast")
    old_nonce_button = officer.last()
    await officer.send("/broadcast")
    await officer.press_data(old_nonce_button, old_nonce_button.buttons()[1][1])
    assert "đã cũ" in answers(api)[-1]
    await officer.press("Thông báo bằng chữ")
    await officer.send("Cho tất cả trong xã")
    await officer.press("Tất cả (xã bạn phụ trách)")
    await officer.press("Gửi ngay")
    assert "Số người nhận: 4" in officer.last().text and "(trong xã bạn phụ trách)" in officer.last().text
    await officer.press("✅ Gửi")
    assert (await latest_broadcast(runtime)).total == 4


async def test_pause_resume_and_resend_from_the_chat(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, app: Application
) -> None:
    chats = await seed_residents(runtime.sessions, 40)
    api.network_failures[chats[5]] = 10**6  # this one stays unreachable by network until we say so
    api.latency = 0.01
    runtime.settings.broadcast_rate = 100
    await officer_module.start_sender(
        app, request=FakeRequest(api), poll_interval=0.05, progress_interval=0.05, backoff_base=0.01, workers=2
    )
    try:
        await make_officer(runtime)
        officer = make_user(OFFICER, "Cán bộ")
        await announce_to_all(officer, "Nhắc lịch họp")
        row = await latest_broadcast(runtime)

        def delivered() -> dict[int, int]:
            return {chat: number for chat, number in sends_per_chat(api).items() if chat in chats}

        await until(lambda: sum(delivered().values()) >= 5)
        await officer.press("Tạm dừng")
        assert "Đã tạm dừng" in answers(api)[-1]
        assert (await broadcast_row(runtime.sessions, row.id)).status == "paused"
        progress = api.messages[OFFICER][row.report_message_id or 0]
        assert "tạm dừng" in progress.text and [label for label, _ in progress.buttons()] == ["▶️ Gửi tiếp", "✖ Huỷ gửi"]
        held = await quiet_api(api)  # the in-flight ones land, then nothing
        await asyncio.sleep(0.3)
        assert await quiet_api(api) == held and sum(delivered().values()) < 40

        await officer.press("Gửi tiếp")
        await wait_for_status(runtime.sessions, row.id, {DONE})
        await until(lambda: officer.last().text.startswith("📊"))
        report = officer.last()
        assert "⚠️ Lỗi: 1 (network: NetworkError: 1)" in report.text
        assert "✅ Đã gửi: 39" in report.text

        api.network_failures[chats[5]] = 0
        await officer.press("Gửi lại 1 tin lỗi")
        await wait_for_status(runtime.sessions, row.id, {DONE})
        assert delivered() == {chat: 1 for chat in chats}

        await officer.send("/broadcasts")
        assert officer.last().buttons()[0][0] == f"#{row.id} · đã xong · 40/40"
        await officer.press(f"#{row.id}")
        assert "✅ Đã gửi: 40" in officer.last().text
    finally:
        await officer_module.stop_sender(app)
    async with runtime.sessions() as session:
        actions = list(await session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions == ["grant", "broadcast.create", "broadcast.pause", "broadcast.resume", "broadcast.resend"]


async def test_blocking_the_bot_takes_a_resident_out_of_the_audience_until_they_unblock(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, app: Application
) -> None:
    stays, leaves = make_user(1601, "Thu"), make_user(1602, "Đông")
    for resident in (stays, leaves):
        await onboard(resident)
    await make_officer(runtime)
    officer = make_user(OFFICER, "Cán bộ")

    await leaves.deliver(api.my_chat_member_update(leaves.user, "member", "kicked"))
    assert "Số người nhận: 1" in await announce_to_all(officer, "Thử", confirm=False)
    await leaves.deliver(api.my_chat_member_update(leaves.user, "kicked", "member"))
    assert "Số người nhận: 2" in await announce_to_all(officer, "Thử", confirm=False)


async def test_an_english_speaking_officer_gets_the_wizard_in_english(
    make_user: Callable[..., FakeUser], runtime: Runtime, app: Application
) -> None:
    await make_officer(runtime)
    officer = make_user(OFFICER, "Officer", language_code="en")
    await officer.send("/broadcast")
    assert "Step 1/4" in officer.last().text
    await officer.press("Invite to a lesson")
    title = runtime.catalog.get("email", "en").title  # type: ignore[union-attr]
    assert title in [label for label, _ in officer.last().buttons()]
    await officer.press("Cancel")
    assert officer.last().text == "Cancelled; nothing was sent."


async def test_the_running_sender_gives_way_to_messages_residents_are_sent(
    app: Application, sender: None, make_user: Callable[..., FakeUser]
) -> None:
    """Wiring: the sender started with the bot paces against the bot's own interactive traffic."""
    handle = app.bot_data[progress.SENDER]
    rate = handle.sender.rate
    assert handle.sender.pacer_interval() == pytest.approx(1 / rate)
    resident = make_user(1201, "Mai")
    await onboard(resident)  # the bot sends and edits messages for this resident right now
    assert handle.sender.pacer_interval() > 1 / rate


async def test_a_broadcast_to_one_language_goes_out_and_reports(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, app: Application, sender: None
) -> None:
    """The "one language" audience's description fills a `{language}` slot; it once crashed `t()`."""
    await seed_residents(runtime.sessions, 2, first_id=880_000, language="en")
    await seed_residents(runtime.sessions, 3, first_id=881_000, language="vi")
    await make_officer(runtime)
    officer = make_user(OFFICER, "Cán bộ")
    await officer.send("/broadcast")
    await officer.press("Thông báo bằng chữ")
    await officer.send("Meeting at the cultural house at 2 pm.")
    await officer.press("Theo ngôn ngữ")
    assert "Chọn ngôn ngữ" in officer.last().text
    await officer.press("Anh")
    await officer.press("Gửi ngay")
    summary = officer.last().text
    assert "Số người nhận: 2" in summary and "người dùng tiếng Anh" in summary
    await officer.press("✅ Gửi")
    row = await latest_broadcast(runtime)
    assert row.audience == "language:en"
    await wait_for_status(runtime.sessions, row.id)
    await until(lambda: officer.last().text.startswith("📊"))
    assert "người dùng tiếng Anh" in officer.last().text and "✅ Đã gửi: 2" in officer.last().text
    residents_reached = {chat: n for chat, n in sends_per_chat(api).items() if chat != OFFICER}
    assert residents_reached == {880_000: 1, 880_001: 1}
    assert not any("trục trặc" in m.text for m in officer.messages())
