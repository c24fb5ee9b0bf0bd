"""When a broadcast goes out: times typed in local time, and quiet hours that move a send to the morning.

Nobody wants a phone to buzz at 23:00 with a lesson: a send time inside QUIET_HOURS (default
21:00-07:00, local time) moves to the end of the quiet hours, and a broadcast still going when they
begin waits for the morning (the sender checks `quiet_until`). An empty QUIET_HOURS (or "off") turns
this off, which deployments with urgent announcements (storms, floods) may want.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

PAST_TOLERANCE = timedelta(minutes=1)  # "now" typed as a time a few seconds ago is still now


class ScheduleError(ValueError):
    """A time that cannot be read, or one already in the past."""


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # wraps past midnight, the usual case

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_quiet_hours(text: str | None) -> QuietHours | None:
    if text is None or text.strip().lower() in ("", "off", "none", "0"):
        return None
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if match is None:
        raise ScheduleError(f"QUIET_HOURS must look like 21:00-07:00, not {text!r}")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    try:
        return QuietHours(time(h1, m1), time(h2, m2))
    except ValueError as error:
        raise ScheduleError(f"QUIET_HOURS has an impossible time: {text!r}") from error


def send_time(requested: datetime, tz: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """The moment to send (UTC): `requested`, or the end of the quiet hours it falls into."""
    local = requested.astimezone(tz)
    if quiet is None or not quiet.contains(local.time()):
        return requested.astimezone(UTC)
    morning = datetime.combine(local.date(), quiet.end, tzinfo=tz)
    if morning <= local:
        morning = datetime.combine(local.date() + timedelta(days=1), quiet.end, tzinfo=tz)
    return morning.astimezone(UTC)


def quiet_until(now: datetime, tz: ZoneInfo, quiet: QuietHours | None) -> datetime | None:
    """While quiet hours last: the moment (UTC) they end. Otherwise None."""
    morning = send_time(now, tz, quiet)
    return morning if morning > now else None


_LOCAL_FORMATS = (
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s+(\d{1,2})[:hH](\d{2})"), "dmyHM"),
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})\s+(\d{1,2})[:hH](\d{2})"), "dmHM"),
    (re.compile(r"(\d{1,2})[:hH](\d{2})"), "HM"),
)


def parse_local(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """Read a time as people type it: ISO 8601 (with or without zone), '25/12/2026 08:00', '25/12 08:00',
    or '08:00' (today, or tomorrow if that has passed). A time without a zone is local time.
    Returns an aware datetime; raises ScheduleError for unreadable or past times."""
    text = text.strip()
    local_now = now.astimezone(tz)
    moment = _parse_iso(text, tz) or _parse_typed(text, local_now, tz)
    if moment is None:
        raise ScheduleError(f"cannot read the time {text!r}")
    if moment < now - PAST_TOLERANCE:
        raise ScheduleError(f"{moment.astimezone(tz):%d/%m/%Y %H:%M} has already passed")
    return max(moment, now)


def _parse_iso(text: str, tz: ZoneInfo) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _parse_typed(text: str, local_now: datetime, tz: ZoneInfo) -> datetime | None:
    for pattern, shape in _LOCAL_FORMATS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        numbers = [int(part) for part in match.groups()]
        try:
            if shape == "dmyHM":
                day, month, year, hour, minute = numbers
                return datetime(year, month, day, hour, minute, tzinfo=tz)
            if shape == "dmHM":
                day, month, hour, minute = numbers
                candidate = datetime(local_now.year, month, day, hour, minute, tzinfo=tz)
                # "05/01 08:00" typed in December means next January.
                if candidate < local_now - PAST_TOLERANCE:
                    candidate = candidate.replace(year=local_now.year + 1)
                return candidate
            hour, minute = numbers
            candidate = datetime.combine(local_now.date(), time(hour, minute), tzinfo=tz)
            return candidate if candidate >= local_now - PAST_TOLERANCE else candidate + timedelta(days=1)
        except ValueError as error:
            raise ScheduleError(f"impossible date or time: {text!r}") from error
    return None


def local_text(moment: datetime, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%H:%M %d/%m/%Y}"
