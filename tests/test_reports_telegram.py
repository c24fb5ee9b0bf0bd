"""/stats, its buttons, /export, /weeklyreport and the Monday report through the real PTB handlers."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from telegram.ext import Application, CallbackContext

from bot import clock
from bot.channels.telegram import admin, callbacks
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser, SentMessage
from bot.reports.queries import read_snapshot
from bot.runtime import Runtime
from bot.storage.models import JobRun, OfficerCommune, Resident
from bot.storage.vocabulary import Role
from tests.support import reports_dataset as data
from tests.support.journey import onboard
from tests.support.settings import ADMIN_ID

PNG = b"\x89PNG\r\n\x1a\n"
OFFICER_ID = 7100


@pytest.fixture
async def district(runtime: Runtime) -> Runtime:
    await data.build(runtime.sessions, runtime.catalog)
    async with runtime.sessions.begin() as session:
        officer = Resident(channel="telegram", external_id=OFFICER_ID, chat_id=OFFICER_ID, role=Role.OFFICER)
        session.add(officer)
        await session.flush()
        session.add(OfficerCommune(resident_id=officer.id, commune_id="nghia-ta"))
    return runtime


def photos(user: FakeUser) -> list[SentMessage]:
    return [m for m in user.messages() if m.kind == "photo"]


def documents(user: FakeUser) -> dict[str, SentMessage]:
    return {m.file_name or "": m for m in user.messages() if m.kind == "document"}


def alerts(api: FakeBotApi) -> list[str]:
    return [str(c.params.get("text")) for c in api.calls_of("answerCallbackQuery") if c.params.get("show_alert")]


async def test_admin_sees_the_district_with_a_chart_and_drills_down(
    district: Runtime, make_user: Callable[..., FakeUser]
) -> None:
    boss = make_user(ADMIN_ID, "Hoa")
    await boss.send("/stats")
    [chart] = photos(boss)
    assert chart.file_bytes is not None and chart.file_bytes.startswith(PNG)
    summary = boss.last()
    assert "Toàn huyện" in summary.text and "Người học (đã đồng ý): 16" in summary.text
    assert "Dùng Internet an toàn: 8 → 5 (62,5%) · 85,8" in summary.text
    assert "Các xã ít người" in summary.text
    data_of = dict(summary.buttons())
    assert all(
        isinstance(callbacks.decode(value), (admin.StatsModule, admin.StatsCommune)) for value in data_of.values()
    )
    assert data_of["🏘 Xã Nghĩa Tá"] == "1|sc:nghia-ta"
    assert not any("ít người" in label or "Chưa chọn" in label for label in data_of)  # no drilling into those

    await boss.press("📘 Dùng Internet an toàn")
    assert len(photos(boss)) == 2  # the funnel chart
    detail = boss.last().text
    assert "Bước 1: 8 · 100%" in detail and "Bước 8: 6 · 75%" in detail and "Hoàn thành: 5 · 62,5%" in detail
    assert "Câu 4 (28,6% đúng)" in detail

    await boss.press("🏘 Xã Nghĩa Tá")
    assert "Xã Nghĩa Tá" in boss.last().text and "Người học (đã đồng ý): 6" in boss.last().text


async def test_admin_exports_xlsx_and_csv(
    district: Runtime, make_user: Callable[..., FakeUser], api: FakeBotApi
) -> None:
    boss = make_user(ADMIN_ID, "Hoa")
    await boss.send("/export")
    files = documents(boss)
    [xlsx_name] = [name for name in files if name.endswith(".xlsx")]
    [csv_name] = [name for name in files if name.endswith(".csv")]

    workbook = load_workbook(io.BytesIO(files[xlsx_name].file_bytes or b""))
    views = ["Tổng quan", "Bài học", "Theo xã", "Phễu", "Câu hỏi", "Theo tuần"]
    assert workbook.sheetnames == [*views, "Phổ cập kỹ năng số", "Năng lực số", "Hỏi người hướng dẫn"]
    modules = workbook["Bài học"]
    headers = [cell.value for cell in modules[1]]
    assert headers[:4] == ["Mã bài", "Bài học", "Số bước", "Số câu hỏi"]
    internet = {headers[i]: cell.value for i, cell in enumerate(modules[2])}
    assert internet["Bắt đầu"] == 8 and internet["Hoàn thành"] == 5  # numbers, not text
    assert internet["Tỉ lệ hoàn thành"] == 0.625
    assert modules.cell(2, headers.index("Tỉ lệ hoàn thành") + 1).number_format == "0.0%"
    communes = workbook["Theo xã"]
    assert sum(row[2] for row in communes.iter_rows(min_row=2, values_only=True)) == 16
    weeks = list(workbook["Theo tuần"].iter_rows(min_row=2, values_only=True))
    by_label = {label: (start, count) for label, start, count in weeks}
    assert isinstance(by_label["2026-W12"][0], datetime) and by_label["2026-W12"][1] == 3  # a date, a number

    raw = files[csv_name].file_bytes or b""
    assert raw.startswith("\ufeff".encode())  # so Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Bảng", "Mã", "Tên", "Chi tiết", "Chỉ số", "Giá trị"]
    assert ["Tổng quan", "residents", "Người học (đã đồng ý)", "", "Giá trị", "16"] in rows
    assert ["Bài học", "internet", "Dùng Internet an toàn", "", "Hoàn thành", "5"] in rows
    # Aggregates only: no resident's name or Telegram id anywhere.
    text = raw.decode("utf-8-sig")
    assert "A1" not in text.split("Câu hỏi")[0] and str(data.EXTERNAL_ID["A1"]) not in text
    async with district.sessions() as session:
        from bot.storage.models import AuditLog

        audits = (await session.scalars(select(AuditLog).where(AuditLog.action == "export"))).all()
    assert {a.detail["format"] for a in audits} == {"csv", "xlsx"} and {a.actor for a in audits} == {
        f"telegram:{ADMIN_ID}"
    }


async def test_a_resident_is_politely_refused(district: Runtime, make_user: Callable[..., FakeUser]) -> None:
    resident = make_user(data.EXTERNAL_ID["A1"], "An")
    for command in ("/stats", "/export", "/weeklyreport off"):
        await resident.send(command)
        assert "chỉ dành cho" in resident.last().text
    assert not photos(resident) and not documents(resident)
    stranger = make_user(424242, "Lạ")
    await stranger.send("/stats")
    assert "chỉ dành cho cán bộ" in stranger.last().text


async def test_an_officer_sees_only_their_commune(
    district: Runtime, make_user: Callable[..., FakeUser], api: FakeBotApi
) -> None:
    officer = make_user(OFFICER_ID, "Minh")
    await officer.send("/stats")
    summary = officer.last()
    assert "Xã Nghĩa Tá" in summary.text and "Người học (đã đồng ý): 6" in summary.text
    assert "ví dụ A" not in summary.text
    assert not any(isinstance(callbacks.decode(value), admin.StatsCommune) for _, value in summary.buttons())

    # A forged button for another commune changes nothing and says why.
    await officer.press_data(summary, callbacks.encode(admin.StatsCommune("example-a")))
    assert alerts(api)[-1].startswith("Xin lỗi, bạn chỉ xem được")
    assert officer.last() is summary
    await officer.press_data(summary, callbacks.encode(admin.StatsCommune("atlantis")))
    assert "Nút này đã cũ" in alerts(api)[-1]

    await officer.send("/export csv")
    [file] = documents(officer).values()
    text = (file.file_bytes or b"").decode("utf-8-sig")
    assert "nghia-ta" in text and "example-a" not in text and "example-b" not in text


async def test_a_resident_pressing_a_stats_button_is_refused(
    district: Runtime, make_user: Callable[..., FakeUser], api: FakeBotApi
) -> None:
    boss = make_user(ADMIN_ID, "Hoa")
    await boss.send("/stats")
    resident = make_user(data.EXTERNAL_ID["A1"], "An")
    await resident.press_data(boss.last(), callbacks.encode(admin.StatsCommune("nghia-ta")))
    assert "chỉ dành cho cán bộ" in alerts(api)[-1]
    assert not resident.messages()


async def test_weekly_report_toggle_and_delivery(
    district: Runtime, make_user: Callable[..., FakeUser], app: Application, api: FakeBotApi
) -> None:
    other_admin = 9100
    async with district.sessions.begin() as session:
        session.add(Resident(channel="telegram", external_id=other_admin, chat_id=other_admin, role=Role.ADMIN))
    boss = make_user(ADMIN_ID, "Hoa")
    await boss.send("/weeklyreport")
    assert "đang bật" in boss.last().text
    await boss.send("/weeklyreport off")
    assert "Đã tắt" in boss.last().text
    async with district.sessions() as session:
        row = await session.scalar(select(Resident).where(Resident.external_id == ADMIN_ID))
    assert row is not None and row.weekly_report is False and row.consent_at is None and row.role == Role.RESIDENT

    monday_morning = data.at("2026-03-16", 0, 30)  # 07:30 in Hà Nội
    sent = await admin.send_weekly(CallbackContext(app), now=monday_morning)
    assert sent == 1
    assert not photos(boss)
    [report] = [m for m in api.chat_messages(other_admin) if m.kind == "photo"]
    assert "Báo cáo tuần 11/2026 (09/03–15/03)" in report.text
    assert "Người học mới: 3" in report.text and "Lượt hoàn thành bài trong tuần: 2" in report.text

    await boss.send("/weeklyreport on")
    assert await admin.send_weekly(CallbackContext(app), now=monday_morning) == 2


async def test_weekly_job_is_scheduled_monday_0730_local(app: Application, runtime: Runtime) -> None:
    admin.schedule_weekly(app)
    assert app.job_queue is not None
    [job] = app.job_queue.get_jobs_by_name("weekly-report")
    trigger = job.job.trigger
    after = datetime(2026, 3, 18, 12, 0, tzinfo=runtime.settings.tz)  # a Wednesday
    fire = trigger.get_next_fire_time(None, after)
    assert fire.weekday() == 0 and (fire.hour, fire.minute) == (7, 30)
    assert fire.utcoffset().total_seconds() == 7 * 3600
    [catch_up] = app.job_queue.get_jobs_by_name("weekly-report-catch-up")
    assert catch_up.job.trigger.interval.total_seconds() == 3600
    for scheduled in (job, catch_up):
        scheduled.schedule_removal()


async def test_weekly_report_goes_once_a_week_and_catches_up_after_downtime(
    district: Runtime, app: Application, api: FakeBotApi
) -> None:
    context = CallbackContext(app)

    def weeks_reported() -> list[str]:
        return [m.text.split("\n")[0] for m in api.chat_messages(ADMIN_ID) if "Báo cáo tuần" in (m.text or "")]

    assert await admin.send_weekly_if_due(context, now=data.at("2026-03-16", 0, 0)) is None  # Monday 07:00
    # The bot was down on Monday at 07:30; on Tuesday at 10:00 the hourly check catches up.
    assert await admin.send_weekly_if_due(context, now=data.at("2026-03-17", 3, 0)) == 1
    assert await admin.send_weekly_if_due(context, now=data.at("2026-03-17", 4, 0)) is None  # once a week
    assert await admin.send_weekly_if_due(context, now=data.at("2026-03-23", 0, 30)) == 1  # next Monday 07:30
    assert len(weeks_reported()) == 2
    assert "11/2026" in weeks_reported()[0] and "12/2026" in weeks_reported()[1]
    async with district.sessions() as session:
        periods = list(await session.scalars(select(JobRun.period).order_by(JobRun.period)))
    assert periods == ["2026-03-09", "2026-03-16"]


async def test_a_new_installation_sends_no_report_of_zeros(
    runtime: Runtime,
    app: Application,
    api: FakeBotApi,
    make_user: Callable[..., FakeUser],
    wall_clock: clock.SteppingClock,
) -> None:
    """Started for the first time on a Friday with nobody learning yet: no report for last week, now or
    at the next hourly check; the first real one comes the Monday after residents join."""
    context = CallbackContext(app)
    friday = data.at("2026-03-20", 3, 0)  # Friday 10:00 in Vietnam
    wall_clock.set(friday)
    assert await admin.send_weekly_if_due(context, now=friday) is None
    assert await admin.send_weekly_if_due(context, now=data.at("2026-03-20", 4, 0)) is None
    assert not api.calls_of("sendPhoto") and not api.calls_of("sendMessage")

    await onboard(make_user(1301, "Lan"))  # a resident joins on that Friday
    # The next Monday at 07:30 in Vietnam, built in local time: 2026-03-23 is that Monday.
    monday_0730 = datetime(2026, 3, 23, 7, 30, tzinfo=runtime.settings.tz)
    assert monday_0730.weekday() == 0
    assert await admin.send_weekly_if_due(context, now=monday_0730) == 1


def test_stats_buttons_use_the_one_codec() -> None:
    assert callbacks.encode(admin.StatsModule("internet")) == "1|sm:internet"
    assert callbacks.decode("1|sm:internet") == admin.StatsModule("internet")
    assert admin._drill_button("x", admin.StatsCommune("x" * 70)) is None  # too long: no button, no crash
    for forged in (None, "", "s1|m|internet", "1|sm:", "1|sq:internet", "1|sm:a:b", "2|sm:internet", "1|sm:a|b"):
        assert not isinstance(callbacks.decode(forged), (admin.StatsModule, admin.StatsCommune))


async def test_a_report_being_read_does_not_hold_up_residents(
    district: Runtime, make_user: Callable[..., FakeUser]
) -> None:
    # SQLite: the bot has one connection for every resident; a report must read on its own.
    resident = make_user(data.EXTERNAL_ID["A1"], "An")
    async with admin.reports_engine(district) as engine, read_snapshot(engine) as connection:
        assert await connection.scalar(select(func.count()).select_from(Resident)) == len(data.PEOPLE) + 1
        await asyncio.wait_for(resident.send("/progress"), timeout=10)
    assert "Thư điện tử" in resident.last().text
