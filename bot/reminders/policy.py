"""Who may be reminded, and when: every rule of issue 11 in one pure function, `decide`.

The due scan (bot/reminders/scan.py) gathers each candidate's facts in one SQL query and asks `decide`
for each. That query's WHERE clause repeats the timing rules in SQL (so that at district scale it reads
only who is due); tests/test_reminder_scan.py checks on random residents that it never lets through
fewer residents than `decide` would accept. Residents' most common complaint about
such bots is being nagged, so the caps matter as much as the nudges:

- a module started and not completed, untouched for `idle` (REMINDER_IDLE_DAYS, default 2 days), or
  review cards that fell due while no module is in progress (one nudge budget for both, not two);
- at most 2 reminders in any 7 days, and none within 23 hours of any message the bot sent that
  resident (a reply, a broadcast, a reminder, a helper's answer);
- none during quiet hours: a reminder due at night waits for the morning;
- after 3 reminders in a row with no activity in between, no more until the resident comes back;
- none to an unreachable resident, none after /reminders off, none when REMINDERS=off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.broadcast.schedule import QuietHours, send_time
from bot.storage.vocabulary import ReminderReason

GAP = timedelta(hours=23)  # after any message the bot sent
WINDOW = timedelta(days=7)
PER_WINDOW = 2  # reminders in any WINDOW
IGNORED_LIMIT = 3  # reminders in a row without activity, then silence
VARIANTS = 3  # wordings per language, rotated (bot/texts/reminders.py)
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class Rules:
    """The deployment's settings for reminders."""

    idle: timedelta = timedelta(days=2)
    quiet: QuietHours | None = None
    tz: ZoneInfo = UTC_ZONE
    enabled: bool = True  # REMINDERS

    def idle_cutoff(self, now: datetime) -> datetime:
        """Only residents last active at or before this instant can be due (the scan's pre-filter)."""
        return now - self.idle


@dataclass(frozen=True, slots=True)
class Facts:
    """What the policy needs to know about one resident, as the scan reads it."""

    resident_id: int
    last_activity: datetime  # the resident's last update to the bot
    last_contact: datetime | None  # the last message sent outside a reply: broadcast, reminder, relay
    reminders_since_activity: int
    reminders_in_window: int  # queued in the WINDOW before now
    oldest_in_window: datetime | None
    module_in_progress: bool
    review_due: int = 0  # review cards due now
    opted_in: bool = True  # /reminders on
    reachable: bool = True


@dataclass(frozen=True, slots=True)
class Decision:
    reason: ReminderReason
    slot_key: str  # the same for the same slot, whoever computes it: queueing it twice changes nothing
    variant: int  # which wording


def reason_for(facts: Facts) -> ReminderReason | None:
    if facts.module_in_progress:
        return ReminderReason.MODULE
    if facts.review_due > 0:
        return ReminderReason.REVIEW
    return None


def earliest(facts: Facts, rules: Rules) -> datetime | None:
    """The first instant a reminder may go, quiet hours aside; None while none may go at all."""
    if not (rules.enabled and facts.opted_in and facts.reachable) or reason_for(facts) is None:
        return None
    if facts.reminders_since_activity >= IGNORED_LIMIT:
        return None  # three ignored: silence until the resident comes back
    # The bot's own reply came with the resident's last activity, so that is a contact too.
    contact = max(facts.last_activity, facts.last_contact or facts.last_activity)
    moment = max(facts.last_activity + rules.idle, contact + GAP)
    if facts.reminders_in_window >= PER_WINDOW and facts.oldest_in_window is not None:
        moment = max(moment, facts.oldest_in_window + WINDOW)
    return moment


def next_reminder_at(facts: Facts, rules: Rules, now: datetime) -> datetime | None:
    """When the next reminder would go if nothing changes (the morning after, for one due at night)."""
    moment = earliest(facts, rules)
    if moment is None:
        return None
    return send_time(max(moment, now), rules.tz, rules.quiet)


def decide(facts: Facts, rules: Rules, now: datetime) -> Decision | None:
    """A reminder for this resident now, or None."""
    moment = next_reminder_at(facts, rules, now)
    reason = reason_for(facts)
    if moment is None or reason is None or moment > now:
        return None
    number = facts.reminders_since_activity + 1
    return Decision(reason, slot_key(facts.resident_id, facts.last_activity, number), _variant(facts, number))


def slot_key(resident_id: int, last_activity: datetime, number: int) -> str:
    """ "The n-th reminder since this resident's activity at that instant": a second scan, another bot
    process or a restart computes the same key, and the unique key turns the second queueing into nothing."""
    return f"reminder:{resident_id}:{last_activity.astimezone(UTC):%Y%m%dT%H%M%S}:{number}"


def _variant(facts: Facts, number: int) -> int:
    # Successive reminders never repeat the same words; residents do not all get the same first one.
    return (facts.resident_id + number) % VARIANTS
