"""The reminder policy (bot/reminders/policy.py), rule by rule, with instants chosen by the test: no
test here depends on the hour, the weekday or the machine's time zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.broadcast.schedule import parse_quiet_hours
from bot.reminders.policy import Facts, Rules, decide, next_reminder_at, slot_key
from bot.storage.vocabulary import ReminderReason

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
RULES = Rules(idle=timedelta(days=2), quiet=parse_quiet_hours("21:00-07:00"), tz=HANOI)
# The resident's last tap: 10:00 in Thái Nguyên on a Monday.
LEFT = datetime(2026, 3, 9, 10, 0, tzinfo=HANOI).astimezone(UTC)


def facts(**changes: object) -> Facts:
    base = Facts(
        resident_id=7,
        last_activity=LEFT,
        last_contact=None,
        reminders_since_activity=0,
        reminders_in_window=0,
        oldest_in_window=None,
        module_in_progress=True,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def simulate(start: Facts, until: timedelta, rules: Rules = RULES) -> list[datetime]:
    """Ask the policy every 15 minutes, as the scan does, and record each reminder as the scan would."""
    sent: list[datetime] = []
    now = start.last_activity
    current = start
    while now < start.last_activity + until:
        decision = decide(current, rules, now)
        if decision is not None:
            sent.append(now)
            window = [moment for moment in sent if moment > now - timedelta(days=7)]
            current = replace(
                current,
                last_contact=now,
                reminders_since_activity=current.reminders_since_activity + 1,
                reminders_in_window=len(window),
                oldest_in_window=min(window),
            )
        now += timedelta(minutes=15)
        window = [moment for moment in sent if moment > now - timedelta(days=7)]
        current = replace(current, reminders_in_window=len(window), oldest_in_window=min(window, default=None))
    return sent


def local(moment: datetime) -> str:
    return f"{moment.astimezone(HANOI):%d %H:%M}"


def test_the_first_reminder_comes_after_two_idle_days_and_not_before() -> None:
    assert decide(facts(), RULES, LEFT + timedelta(days=2) - timedelta(minutes=1)) is None
    decision = decide(facts(), RULES, LEFT + timedelta(days=2))
    assert decision is not None and decision.reason is ReminderReason.MODULE


def test_an_ignored_resident_hears_three_times_within_the_caps_then_silence() -> None:
    sent = simulate(facts(), timedelta(days=40))
    # Day 2 at 10:00; 23 hours later (09:00 next day); the 7-day cap then holds the third until day 9
    # 10:00 (a week after the first); after three ignored reminders, nothing for the rest of 40 days.
    assert [local(moment) for moment in sent] == ["11 10:00", "12 09:00", "18 10:00"]
    for i, moment in enumerate(sent):
        assert sum(1 for other in sent if moment - timedelta(days=7) < other <= moment) <= 2, i


def test_nothing_within_23_hours_of_any_message_the_bot_sent() -> None:
    broadcast = LEFT + timedelta(days=1, hours=4)  # an officer's broadcast on day 1 at 14:00 local
    found = facts(last_contact=broadcast)
    assert decide(found, RULES, broadcast + timedelta(hours=22, minutes=59)) is None
    assert decide(found, RULES, broadcast + timedelta(hours=23)) is not None


def test_a_reminder_due_at_night_waits_for_the_morning() -> None:
    night_owl = facts(last_activity=datetime(2026, 3, 9, 22, 30, tzinfo=HANOI).astimezone(UTC))
    due = night_owl.last_activity + timedelta(days=2)  # 22:30 local: quiet hours
    for minutes in range(0, 8 * 60, 15):
        assert decide(night_owl, RULES, due + timedelta(minutes=minutes)) is None or (
            (due + timedelta(minutes=minutes)).astimezone(HANOI).hour >= 7
        )
    morning = datetime(2026, 3, 12, 7, 0, tzinfo=HANOI)
    assert next_reminder_at(night_owl, RULES, due) == morning.astimezone(UTC)
    assert decide(night_owl, RULES, morning - timedelta(minutes=1)) is None
    assert decide(night_owl, RULES, morning) is not None
    assert [local(moment) for moment in simulate(night_owl, timedelta(days=4))] == ["12 07:00", "13 07:00"]


def test_at_most_two_in_any_seven_days() -> None:
    two = facts(
        reminders_since_activity=2,
        reminders_in_window=2,
        oldest_in_window=LEFT + timedelta(days=2),
        last_contact=LEFT + timedelta(days=3),
    )
    assert decide(two, RULES, LEFT + timedelta(days=8, hours=23)) is None
    assert decide(replace(two, reminders_in_window=1), RULES, LEFT + timedelta(days=8, hours=23)) is not None
    assert decide(two, RULES, LEFT + timedelta(days=9)) is not None


def test_activity_resets_the_three_ignored_count() -> None:
    silenced = facts(reminders_since_activity=3, last_contact=LEFT + timedelta(days=9))
    assert decide(silenced, RULES, LEFT + timedelta(days=30)) is None
    came_back = replace(silenced, last_activity=LEFT + timedelta(days=20), reminders_since_activity=0)
    assert decide(came_back, RULES, LEFT + timedelta(days=22)) is not None


@pytest.mark.parametrize(
    "change",
    [
        {"module_in_progress": False},  # completed (or never started): nothing to come back to
        {"opted_in": False},  # /reminders off
        {"reachable": False},  # blocked the bot
    ],
)
def test_no_reminder_without_a_reason_or_permission(change: dict[str, object]) -> None:
    assert decide(facts(**change), RULES, LEFT + timedelta(days=5)) is None


def test_reminders_off_for_the_deployment() -> None:
    assert decide(facts(), replace(RULES, enabled=False), LEFT + timedelta(days=5)) is None


def test_due_review_is_a_reason_only_when_no_module_is_in_progress() -> None:
    review = decide(facts(module_in_progress=False, review_due=3), RULES, LEFT + timedelta(days=2))
    assert review is not None and review.reason is ReminderReason.REVIEW
    both = decide(facts(review_due=3), RULES, LEFT + timedelta(days=2))
    assert both is not None and both.reason is ReminderReason.MODULE
    # One nudge budget: the caps hold whatever the reason.
    capped = facts(module_in_progress=False, review_due=3, reminders_since_activity=3)
    assert decide(capped, RULES, LEFT + timedelta(days=30)) is None


def test_the_slot_key_is_the_same_for_the_same_slot_and_the_wording_rotates() -> None:
    now = LEFT + timedelta(days=2)
    first, again = decide(facts(), RULES, now), decide(facts(), RULES, now + timedelta(minutes=15))
    assert first is not None and again is not None
    assert first.slot_key == again.slot_key == slot_key(7, LEFT, 1)
    second = decide(facts(reminders_since_activity=1, last_contact=now), RULES, now + timedelta(days=1))
    third = decide(
        facts(reminders_since_activity=2, last_contact=now + timedelta(days=1)), RULES, now + timedelta(days=7)
    )
    assert second is not None and third is not None
    assert len({first.slot_key, second.slot_key, third.slot_key}) == 3
    assert sorted({first.variant, second.variant, third.variant}) == [0, 1, 2]
