"""When an unclaimed question goes one level up: after HELP_ESCALATE_HOURS of daytime.

Hours are counted only inside the daytime window (HELP_DAYTIME, local time, default 07:00-21:00): a
question asked at 20:00 with four hours to wait escalates at 10:00 the next morning, not at midnight,
when no officer would read it anyway.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

Window = tuple[time, time]


def parse_daytime(text: str | None) -> Window | None:
    """ "07:00-21:00" -> (07:00, 21:00); empty or "off" means every hour counts."""
    if text is None or text.strip().lower() in ("", "off"):
        return None
    try:
        start_text, end_text = text.split("-")
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    except ValueError as error:
        raise ValueError(f"daytime must look like 07:00-21:00, not {text!r}") from error
    if start >= end:
        raise ValueError(f"daytime must start before it ends on the same day: {text!r}")
    return start, end


def add_daytime_hours(start: datetime, hours: float, tz: ZoneInfo, window: Window | None) -> datetime:
    """`start` plus `hours` counted only inside the daily `window` (local time); returns UTC."""
    remaining = timedelta(hours=hours)
    if window is None:
        return (start + remaining).astimezone(UTC)
    moment = start.astimezone(tz)
    day = moment.date()
    while True:
        opens = datetime.combine(day, window[0], tzinfo=tz)
        closes = datetime.combine(day, window[1], tzinfo=tz)
        moment = max(moment, opens)
        if moment < closes:
            available = closes - moment
            if remaining <= available:
                return (moment + remaining).astimezone(UTC)
            remaining -= available
        day += timedelta(days=1)
