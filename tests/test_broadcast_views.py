"""What the officer's live progress message says, in both languages."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.broadcast.service import Report
from bot.broadcast.views import progress_text

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def report(status: str, pending: int, sent: int, unreachable: int = 0) -> Report:
    moment = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    counts = Counter({"pending": pending, "sent": sent, "unreachable": unreachable})
    total = pending + sent + unreachable
    return Report(7, "text", None, "all", status, total, None, moment, moment, None, counts=counts)


def test_progress_shows_bar_counts_and_unreachable() -> None:
    text = progress_text(report("sending", pending=760, sent=1237, unreachable=3), "vi", VIETNAM)
    assert text == "📣 Tin #7 · đang gửi\n▓▓▓▓░░ 62% · 1 240/2 000 · 3 không liên lạc được"


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("vi", "🌙 Giờ yên tĩnh: tạm ngừng, sẽ gửi tiếp lúc 07:00 28/11/2026."),
        ("en", "🌙 Quiet hours: on hold, sending goes on at 07:00 28/11/2026."),
    ],
)
def test_progress_during_quiet_hours_says_when_sending_goes_on(language: str, line: str) -> None:
    morning = datetime(2026, 11, 28, 7, 0, tzinfo=VIETNAM).astimezone(UTC)
    text = progress_text(report("sending", pending=50, sent=50), language, VIETNAM, morning)
    assert text.splitlines()[-1] == line


def test_no_quiet_line_once_the_broadcast_is_not_sending() -> None:
    morning = datetime(2026, 11, 28, 7, 0, tzinfo=VIETNAM).astimezone(UTC)
    assert "🌙" not in progress_text(report("paused", pending=50, sent=50), "vi", VIETNAM, morning)
