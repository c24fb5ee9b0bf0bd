"""Settings a resident can change: their language and their commune."""

from __future__ import annotations

from bot.learning import screens
from bot.learning.actions import AskCommune, AskLanguage, ChooseCommune, SetLanguage
from bot.learning.flows.common import as_edit
from bot.learning.flows.menu import menu_screen
from bot.learning.flows.onboarding import commune_first
from bot.learning.router import Router
from bot.learning.states import Onboarding, Settings
from bot.learning.turn import StaleAction, Turn
from bot.messages import Outcome, Reply
from bot.texts import t

router = Router("settings")


def _language_picker(turn: Turn) -> Reply:
    return screens.language_picker(t(turn.language, "ask_language"), SetLanguage)


@router.command("language")
def on_language_command(turn: Turn, command: str) -> Outcome:
    if (held := commune_first(turn)) is not None:
        return held
    return ask_language(turn, AskLanguage())


@router.action(AskLanguage)
def ask_language(turn: Turn, action: AskLanguage) -> Outcome:
    turn.move("ask_language")
    return Outcome([_language_picker(turn)])


@router.action(SetLanguage)
def set_language(turn: Turn, action: SetLanguage) -> Outcome:
    turn.move("set_language")
    turn.me.language = action.language
    return Outcome([as_edit(Reply(t(turn.language, "language_set"))), menu_screen(turn)])


@router.action(AskCommune)
def ask_commune(turn: Turn, action: AskCommune) -> Outcome:
    turn.move("ask_commune")
    return Outcome([screens.commune_picker(turn.language, turn.journey.communes)])


@router.action(ChooseCommune)
def choose_commune(turn: Turn, action: ChooseCommune) -> Outcome:
    """The commune, at the end of onboarding or changed later."""
    commune = turn.journey.commune(action.commune)
    if commune is None or turn.state not in (Onboarding.COMMUNE, Settings.COMMUNE):
        raise StaleAction("commune")
    first_time = turn.state == Onboarding.COMMUNE
    turn.move("choose_commune" if first_time else "set_commune")
    turn.me.commune_id = commune.id
    greeting = Reply(t(turn.language, "registered" if first_time else "commune_set"))
    return Outcome([as_edit(greeting), menu_screen(turn)])


@router.screen(Settings.LANGUAGE)
def language_screen(turn: Turn) -> list[Reply]:
    return [_language_picker(turn)]


@router.screen(Settings.COMMUNE)
def commune_screen(turn: Turn) -> list[Reply]:
    return [screens.commune_picker(turn.language, turn.journey.communes)]
