"""An unclaimed question goes up (officers, then admins) after HELP_ESCALATE_HOURS of daytime, with a
controlled clock; and a restart in the middle of a conversation loses nothing and relays nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from telegram import Update

from bot import clock
from bot.channels.telegram import helpdesk as telegram_helpdesk
from bot.channels.telegram.app import build_application
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeRequest, FakeUser
from bot.config import Settings
from bot.helpdesk.deadlines import add_daytime_hours, parse_daytime
from bot.runtime import Runtime, open_runtime
from bot.storage.models import DirectMessage
from tests.support.helpdesk import delivered, find, give, pending, question, reply_to, sending, texts
from tests.support.journey import onboard
from tests.support.settings import ADMIN_ID

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
DAYTIME = (time(7), time(21))


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=HANOI)


def near(found: datetime | None, wanted: datetime) -> bool:
    """The test clock runs at the real pace from where it is set: allow the seconds the test takes."""
    return found is not None and abs(found - wanted) < timedelta(minutes=1)


def test_hours_count_only_in_the_daytime() -> None:
    assert add_daytime_hours(local(10, 9), 4, HANOI, DAYTIME) == local(10, 13).astimezone(UTC)
    assert add_daytime_hours(local(10, 20), 4, HANOI, DAYTIME) == local(11, 10).astimezone(UTC)
    assert add_daytime_hours(local(10, 23), 4, HANOI, DAYTIME) == local(11, 11).astimezone(UTC)
    assert add_daytime_hours(local(10, 3), 30, HANOI, DAYTIME) == local(12, 9).astimezone(UTC)  # 14 + 14 + 2
    assert add_daytime_hours(local(10, 23), 4, HANOI, None) == local(11, 3).astimezone(UTC)
    assert parse_daytime("") is None and parse_daytime("07:00-21:00") == DAYTIME


@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)),
    hours=st.floats(min_value=0.1, max_value=60),
)
def test_a_deadline_is_never_at_night_and_never_early(start: datetime, hours: float) -> None:
    deadline = add_daytime_hours(start, hours, HANOI, DAYTIME)
    assert deadline >= start + timedelta(hours=hours) - timedelta(microseconds=1)
    assert time(7) <= deadline.astimezone(HANOI).time() <= time(21)


async def test_an_unclaimed_question_goes_to_the_officers_then_the_admins(
    runtime: Runtime,
    api: FakeBotApi,
    app: object,
    make_user: Callable[..., FakeUser],
    wall_clock: clock.SteppingClock,
) -> None:
    wall_clock.set(local(10, 9).astimezone(UTC))  # a Tuesday, 09:00 in Thái Nguyên
    an, hanh = make_user(1001, "An"), make_user(2001, "Hạnh")
    dung, elsewhere, admin = make_user(2004, "Dũng"), make_user(2005, "Em"), make_user(ADMIN_ID, "Admin")
    for user in (an, hanh, dung, elsewhere, admin):
        await onboard(user)
    await give(runtime, "helper", 2001, "nghia-ta")
    await give(runtime, "officer", 2004, "nghia-ta")
    await give(runtime, "officer", 2005, "example-a")
    await an.send("/ask")
    await an.send("Tôi không mở được VNeID")
    assert near((await question(runtime)).escalate_at, local(10, 13))

    async with sending(runtime, api) as sender:
        await delivered(runtime, sender)
        assert find(hanh, "🙋 Câu hỏi #1")
        wall_clock.set(local(10, 12, 59).astimezone(UTC))
        assert await telegram_helpdesk.escalate(app) == 0  # type: ignore[arg-type]
        wall_clock.set(local(10, 13, 1).astimezone(UTC))
        assert await telegram_helpdesk.escalate(app) == 1  # type: ignore[arg-type]
        assert await telegram_helpdesk.escalate(app) == 0  # type: ignore[arg-type]  # once
        await delivered(runtime, sender)
        notice = find(dung, "⏰ Chưa ai nhận sau 4 giờ.")
        assert "🙋 Câu hỏi #1" in notice.text and "Tôi không mở được VNeID" in notice.text
        assert not any("Câu hỏi #1" in text for text in texts(elsewhere))  # an officer of another commune
        assert not any("Câu hỏi #1" in text for text in texts(admin))
        found = await question(runtime)
        assert found.level == 1 and near(found.escalate_at, local(10, 17, 1))

        wall_clock.set(local(10, 17, 2).astimezone(UTC))  # nobody took it from the officers either
        assert await telegram_helpdesk.escalate(app) == 1  # type: ignore[arg-type]
        await delivered(runtime, sender)
        assert find(admin, "⏰ Chưa ai nhận sau 4 giờ.")
        found = await question(runtime)
        assert found.level == 2 and found.escalate_at is None  # nobody above the admins

        await dung.press("✋ Nhận")  # an officer of the commune may take it
        assert dung.last().text.startswith("✋ Bạn đã nhận câu hỏi #1")
        await delivered(runtime, sender)
        assert hanh.last().text == "ℹ️ Câu hỏi #1 đã có Dũng nhận."
        assert admin.last().text == "ℹ️ Câu hỏi #1 đã có Dũng nhận."


async def test_a_question_with_no_helper_in_the_commune_goes_straight_to_its_officers(
    runtime: Runtime, api: FakeBotApi, make_user: Callable[..., FakeUser], wall_clock: clock.SteppingClock
) -> None:
    wall_clock.set(local(10, 20).astimezone(UTC))  # 20:00: one daytime hour left today
    an, dung = make_user(1001, "An"), make_user(2004, "Dũng")
    for user in (an, dung):
        await onboard(user)
    await give(runtime, "officer", 2004)  # every commune
    await an.send("/ask")
    await an.send("Xin hỏi cách nộp hồ sơ online")
    async with sending(runtime, api) as sender:
        await delivered(runtime, sender)
    assert find(dung, "🙋 Câu hỏi #1")
    found = await question(runtime)
    # Four daytime hours from 20:00: one tonight, three from 07:00 tomorrow; nobody is woken at midnight.
    assert found.level == 1 and near(found.escalate_at, local(11, 10))


async def test_a_restart_in_the_middle_loses_nothing_and_relays_nothing_twice(
    settings: Settings, runtime: Runtime, api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    an, hanh = make_user(1001, "An"), make_user(2001, "Hạnh")
    for user in (an, hanh):
        await onboard(user)
    await give(runtime, "helper", 2001, "nghia-ta")
    await an.send("/ask")
    await an.send("Tài khoản ngân hàng bị khoá thì làm gì?")
    async with sending(runtime, api) as sender:
        await delivered(runtime, sender)
    notice = find(hanh, "🙋 Câu hỏi #1")
    answer = api.message_update(hanh.user, None, extra=reply_to(api, notice, text="Gọi tổng đài in sau thẻ"))
    await hanh.deliver(answer)
    await an.send("Vâng, tôi gọi rồi mà chưa được")
    assert await pending(runtime) == 2  # the answer and the follow-up wait in the outbox: the bot stops here
    await runtime.close()

    # A new process on the same database; Telegram hands it the last update again (never acknowledged).
    again = await open_runtime(settings)
    application = build_application(settings, again, request=FakeRequest(api))
    await application.initialize()
    try:
        await application.process_update(Update.de_json(answer, application.bot))
        async with sending(again, api) as sender:
            await delivered(again, sender)
            assert [text for text in texts(an) if text.startswith("💬")] == [
                "💬 Hạnh (tổ công nghệ số) trả lời:\nGọi tổng đài in sau thẻ"
            ]
            assert find(hanh, "💬 An (câu hỏi #1) nhắn thêm").text.endswith("tôi gọi rồi mà chưa được")
            # The conversation goes on after the restart: a reply to the follow-up still finds the question.
            second = reply_to(api, find(hanh, "💬 An"), text="Mang CCCD ra chi nhánh")
            update = api.message_update(hanh.user, None, extra=second)
            await application.process_update(Update.de_json(update, application.bot))
            await delivered(again, sender)
        assert an.last().text.endswith("Mang CCCD ra chi nhánh")
        async with again.sessions() as session:
            relays = await session.scalar(select(func.count()).select_from(DirectMessage))
        assert relays == 4  # question notice, answer, follow-up, second answer: each queued once
    finally:
        await application.shutdown()
        await again.close()
