"""The menu, /progress and /help: where a resident sees what there is to learn and how far they are."""

from __future__ import annotations

from bot.learning import screens
from bot.learning.actions import Resume, ShowHelp, ShowMenu, ShowProgress
from bot.learning.flows import certificates
from bot.learning.flows.onboarding import commune_first
from bot.learning.progress import standing
from bot.learning.router import Router
from bot.learning.states import Menu
from bot.learning.turn import Turn
from bot.messages import Outcome, Reply
from bot.storage.vocabulary import ModuleStatus

router = Router("menu")


def menu_screen(turn: Turn) -> Reply:
    """The modules with their standing; a ▶️ "continue" button for the one the learner was last in."""
    progress = turn.progress()
    rows = [
        (lesson, standing(lesson, progress.get(lesson.id))) for lesson in turn.journey.catalog.modules(turn.language)
    ]
    resume = next(
        (lesson for lesson, mine in rows if lesson.id == turn.place.module and mine.status == ModuleStatus.IN_PROGRESS),
        None,
    )
    return screens.menu(turn.language, rows, resume)


def progress_screen(turn: Turn) -> Reply:
    progress = turn.progress()
    lessons = turn.journey.catalog.modules(turn.language)
    standings = [(x, standing(x, progress.get(x.id))) for x in lessons]
    return screens.progress_report(turn.language, standings, passport=certificates.passport_held(turn))


@router.command("start", "menu")
def on_menu_command(turn: Turn, command: str) -> Outcome:
    if (held := commune_first(turn)) is not None:
        return held
    return show_menu(turn, ShowMenu())


@router.action(ShowMenu)
def show_menu(turn: Turn, action: ShowMenu) -> Outcome:
    turn.move("open_menu")
    return Outcome([menu_screen(turn)])


@router.command("progress")
def on_progress_command(turn: Turn, command: str) -> Outcome:
    if (held := commune_first(turn)) is not None:
        return held
    return Outcome([progress_screen(turn)])


@router.action(ShowProgress)
def show_progress(turn: Turn, action: ShowProgress) -> Outcome:
    return Outcome([progress_screen(turn)])


@router.command("help")
def on_help_command(turn: Turn, command: str) -> Outcome:
    return Outcome([screens.help_screen(turn.language)])


@router.action(ShowHelp)
def show_help(turn: Turn, action: ShowHelp) -> Outcome:
    return Outcome([screens.help_screen(turn.language)])


@router.action(Resume)
def resume(turn: Turn, action: Resume) -> Outcome:
    return Outcome(turn.current_screen())


@router.screen(Menu.MAIN)
def main_screen(turn: Turn) -> list[Reply]:
    return [menu_screen(turn)]
