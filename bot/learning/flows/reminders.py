"""/reminders: a resident turns study reminders on or off (the reminders themselves are queued by
bot/reminders/scan.py; this flow only keeps the resident's say over them)."""

from __future__ import annotations

from bot.learning.actions import SetReminders, ShowMenu
from bot.learning.router import Router
from bot.learning.turn import Turn
from bot.messages import Button, Outcome, Reply
from bot.texts import t

router = Router("reminders")


def setting_screen(turn: Turn, changed: bool = False) -> Reply:
    language, on = turn.language, turn.me.reminders
    if not turn.journey.reminders:
        return Reply(t(language, "reminders_deployment_off"), ((Button(t(language, "btn_menu"), ShowMenu()),),))
    if changed:
        text = t(language, "reminders_turned_on" if on else "reminders_turned_off")
    else:
        text = t(language, "reminders_on_status" if on else "reminders_off_status")
    toggle = (
        Button(t(language, "btn_reminders_off"), SetReminders("off"))
        if on
        else Button(t(language, "btn_reminders_on"), SetReminders("on"))
    )
    return Reply(text, ((toggle,), (Button(t(language, "btn_menu"), ShowMenu()),)))


@router.command("reminders")
def on_reminders_command(turn: Turn, command: str) -> Outcome:
    """/reminders shows the setting; /reminders on and /reminders off change it (also "bật"/"tắt")."""
    argument = turn.event.argument
    if argument in ON_WORDS or argument in OFF_WORDS:
        return _set(turn, argument in ON_WORDS)
    return Outcome([setting_screen(turn)])


@router.action(SetReminders)
def set_reminders(turn: Turn, action: SetReminders) -> Outcome:
    """A button: under a reminder ("🔕 Turn reminders off") or under the setting's screen. No state
    check is needed: the button says what it sets, and setting it twice changes nothing twice."""
    return _set(turn, action.setting == "on")


def _set(turn: Turn, on: bool) -> Outcome:
    if turn.me.reminders != on:
        turn.me.reminders = on
    return Outcome([setting_screen(turn, changed=True)])


ON_WORDS = ("on", "bật", "bat", "1", "yes", "có")
OFF_WORDS = ("off", "tắt", "tat", "0", "no", "không")
