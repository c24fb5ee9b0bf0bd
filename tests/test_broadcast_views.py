"""What the officer's live progress message says, in both languages."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.broadcast.service import CommuneDelivery, Report, merge_small
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


def delivered(commune: str, recipients: int) -> CommuneDelivery:
    return CommuneDelivery(commune, recipients, recipients, 0, 0)


def test_small_communes_never_stand_alone_in_a_report() -> None:
    assert merge_small([delivered("a", 9), delivered("b", 5)]) == [delivered("a", 9), delivered("b", 5)]
    merged = merge_small([delivered("a", 9), delivered("b", 3), delivered("c", 2)])
    assert [(row.commune_id, row.recipients, row.merged) for row in merged] == [("a", 9, 1), ("_small", 5, 2)]
    assert merge_small([delivered("a", 2), delivered("b", 2)]) == []  # four people in all: no breakdown


def test_a_report_to_one_commune_has_no_breakdown() -> None:
    from bot.broadcast.views import report_text
    from bot.config import Commune
    from bot.content import Catalog

    one = report("done", pending=0, sent=40)
    one.by_commune = [delivered("nghia-ta", 40)]
    text = report_text(
        one, "vi", Catalog({}), [Commune(id="nghia-ta", name_vi="Xã Nghĩa Tá", name_en="Nghia Ta commune")]
    )
    assert "Theo xã" not in text
