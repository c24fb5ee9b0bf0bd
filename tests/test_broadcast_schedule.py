"""Local times as officers type them, and quiet hours that move a send to the morning."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.broadcast.schedule import QuietHours, ScheduleError, parse_local, parse_quiet_hours, send_time

VN = ZoneInfo("Asia/Ho_Chi_Minh")
QUIET = QuietHours(time(21), time(7))
NOW = datetime(2026, 12, 10, 15, 0, tzinfo=VN)  # a Thursday afternoon in Vietnam


def local(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


@pytest.mark.parametrize(
    "text, expected",
    [("21:00-07:00", QUIET), (" 12:00 - 13:30 ", QuietHours(time(12), time(13, 30))), ("", None), ("off", None)],
)
def test_quiet_hours_setting(text: str, expected: QuietHours | None) -> None:
    assert parse_quiet_hours(text) == expected


@pytest.mark.parametrize("text", ["21-07", "25:00-07:00", "night"])
def test_bad_quiet_hours_are_named(text: str) -> None:
    with pytest.raises(ScheduleError, match="QUIET_HOURS"):
        parse_quiet_hours(text)


@pytest.mark.parametrize(
    "requested, expected",
    [
        (local(10, 23, 30), local(11, 7)),  # late evening: next morning
        (local(11, 3, 15), local(11, 7)),  # small hours: this morning
        (local(10, 21, 0), local(11, 7)),  # the first minute of quiet
        (local(10, 20, 59), local(10, 20, 59)),
        (local(11, 7, 0), local(11, 7, 0)),  # quiet is over
        (local(31, 22, 0), local(1, 7, month=1, year=2027)),  # over the new year
    ],
)
def test_quiet_hours_move_a_send_to_the_morning(requested: datetime, expected: datetime) -> None:
    moved = send_time(requested, VN, QUIET)
    assert moved == expected and moved.tzinfo == UTC


def test_quiet_hours_that_do_not_wrap_and_none() -> None:
    lunch = QuietHours(time(12), time(13, 30))
    assert send_time(local(10, 12, 45), VN, lunch) == local(10, 13, 30)
    assert send_time(local(10, 23, 0), VN, lunch) == local(10, 23, 0)
    assert send_time(local(10, 23, 0), VN, None) == local(10, 23, 0)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("25/12/2026 08:00", local(25, 8)),
        ("25/12 8h30", local(25, 8, 30)),
        ("05/01 08:00", local(5, 8, month=1, year=2027)),  # January typed in December: next year
        ("16:30", local(10, 16, 30)),  # later today
        ("09:00", local(11, 9)),  # already past today: tomorrow
        ("2026-12-20T08:00", local(20, 8)),  # ISO without a zone is local time
        ("2026-12-20T01:00:00+00:00", local(20, 8)),  # with a zone it is that zone
    ],
)
def test_typed_times(text: str, expected: datetime) -> None:
    assert parse_local(text, NOW.astimezone(UTC), VN) == expected


@pytest.mark.parametrize(
    "text, message", [("31/02 08:00", "impossible"), ("01/12/2026 08:00", "passed"), ("tomorrow", "cannot read")]
)
def test_unusable_times_are_explained(text: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse_local(text, NOW.astimezone(UTC), VN)
