"""Reminder and retention figures on the hand-built district: in /stats's text, `stats --json` (keys
`reminders` and `retention`) and the XLSX, with the privacy threshold applied."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from bot.__main__ import main
from bot.reports.export import to_xlsx
from bot.reports.figures import Report
from bot.reports.service import context_for, load_report
from bot.reports.text import summary
from bot.runtime import Runtime
from bot.storage.models import DirectMessage, Reminder, ReviewAnswer
from bot.storage.vocabulary import DeliveryStatus, ReminderReason
from tests.support import reports_dataset as data
from tests.support.reports_dataset import at

# name: reminders sent to them (None: queued, never sent)
SENT: dict[str, list[datetime | None]] = {
    "A1": [at("2026-03-15")],  # seen 03-17 03:00, exactly 48 h later: came back
    "A2": [at("2026-03-10")],  # seen later, but answered a review question on 03-11: came back
    "A3": [at("2026-03-01"), at("2026-03-10")],  # seen 03-16: not within 48 h of either
    "A4": [at("2026-03-10")],  # seen 03-12 03:00: came back
    "A5": [at("2026-03-01")],  # last seen 02-25: did not
    "B3": [at("2026-02-28")],  # answered quiz questions on 03-01, then unreachable: came back and blocked
    "B1": [None],  # still pending: not counted
}


async def add_reminders(runtime: Runtime, ids: dict[str, int]) -> None:
    async with runtime.sessions.begin() as session:
        for name, moments in SENT.items():
            for number, sent in enumerate(moments):
                key = f"reminder:{name}:{number}"
                created = sent or data.NOW
                session.add(
                    Reminder(
                        resident_id=ids[name],
                        slot_key=key,
                        reason=ReminderReason.MODULE,
                        module_id="email",
                        created_at=created,
                    )
                )
                session.add(
                    DirectMessage(
                        resident_id=ids[name],
                        kind="reminder",
                        dedupe_key=key,
                        payload={"text": "…"},
                        status=DeliveryStatus.SENT if sent else DeliveryStatus.PENDING,
                        attempts=1 if sent else 0,
                        created_at=created,
                        due_at=created,
                        sent_at=sent,
                    )
                )
        review = [("A2", 1, True, at("2026-03-11"))]
        review += [(name, 2, name != "A5", at("2026-03-16")) for name in ("A1", "A2", "A3", "A4", "A5")]
        review += [("A1", 3, True, at("2026-03-17")), ("A2", 3, False, at("2026-03-17"))]
        for number, (name, box, right, moment) in enumerate(review):
            session.add(
                ReviewAnswer(
                    resident_id=ids[name],
                    module_id="email",
                    question_id=f"q{number}",
                    round=0,
                    box=box,
                    correct=right,
                    answered_at=moment,
                )
            )


@pytest.fixture
async def district(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    ids = await data.build(runtime.sessions, runtime.catalog)
    await add_reminders(runtime, ids)
    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("LESSONS_DIR", str(runtime.settings.lessons_dir))
    return runtime


async def report_of(runtime: Runtime, scope: frozenset[str] | None = None) -> Report:
    return await load_report(runtime.db, context_for(runtime.settings, runtime.catalog), scope, now=data.NOW)


async def test_reminders_sent_came_back_and_blocked_within_48_hours(district: Runtime) -> None:
    report = await report_of(district)
    assert report.reminders is not None
    assert report.reminders.to_json() == {"sent": 7, "residents": 6, "came_back_48h": 4, "blocked_48h": 1}
    commune = await report_of(district, frozenset({"nghia-ta"}))
    assert commune.reminders is not None
    assert commune.reminders.to_json() == {"sent": 6, "residents": 5, "came_back_48h": 3, "blocked_48h": 0}


async def test_a_group_under_five_shows_how_many_were_reminded_but_not_what_they_did(district: Runtime) -> None:
    report = await report_of(district, frozenset({"example-a"}))  # B3 only was reminded and sent to
    assert report.reminders is not None
    assert report.reminders.to_json() == {"sent": 1, "residents": 1, "came_back_48h": None, "blocked_48h": None}
    assert "ẩn (nhóm nhỏ)" in summary(report, district.settings.tz)


async def test_retention_at_the_7_and_21_day_boxes_per_module(district: Runtime) -> None:
    report = await report_of(district)
    (email,) = report.retention
    assert email.to_json() == {
        "module_id": "email",
        "answers_7d": 5,
        "right_7d": 4,
        "share_right_7d": 0.8,
        "answers_21d": 2,
        "right_21d": None,  # 2 answers: under the threshold
        "share_right_21d": None,
    }
    text = summary(report, district.settings.tz)
    assert "🔔 Lời nhắc: 7 tin tới 6 người · quay lại học trong 48 giờ: 4 · chặn trợ lý: 1" in text
    assert "• Thư điện tử (email): 80% · —" in text


async def test_stats_json_and_the_xlsx_carry_them(district: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    assert await asyncio.to_thread(main, ["stats", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["reminders"]["sent"] == 7 and figures["reminders"]["came_back_48h"] == 4
    assert figures["retention"][0]["share_right_7d"] == 0.8
    workbook = load_workbook(io.BytesIO(to_xlsx(await report_of(district), district.settings.tz)))
    nudges = {row[0]: row[2] for row in workbook["Lời nhắc"].iter_rows(min_row=2, values_only=True)}
    assert nudges == {"sent": 7, "residents": 6, "came_back_48h": 4, "blocked_48h": 1}
    kept = list(workbook["Ghi nhớ (ôn tập)"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in kept] == ["email"] and kept[0][2:] == (5, 0.8, 2, None)


def test_the_window_is_48_hours() -> None:
    from bot.reports.reminders import WITHIN

    assert timedelta(hours=48) == WITHIN
