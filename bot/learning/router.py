"""How a flow declares what it handles, as aiogram's routers do: actions by type, commands by name,
and the screen to redraw for each of its states. The engine dispatches through the routers it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from bot.actions import Action
from bot.learning.turn import Turn
from bot.messages import Outcome, Reply

A = TypeVar("A", bound=Action)
ActionHandler = Callable[[Turn, Any], Outcome]
CommandHandler = Callable[[Turn, str], Outcome]
ScreenHandler = Callable[[Turn], list[Reply] | None]
TextHandler = Callable[[Turn], Outcome | None]


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self.actions: dict[type[Action], ActionHandler] = {}
        self.actions_before_consent: dict[type[Action], ActionHandler] = {}
        self.commands: dict[str, CommandHandler] = {}
        self.screens: dict[str, ScreenHandler] = {}
        self.texts: dict[str, TextHandler] = {}
        self.unhandled_texts: list[TextHandler] = []

    def action(
        self, *types: type[A], before_consent: bool = False
    ) -> Callable[[Callable[[Turn, A], Outcome]], Callable[[Turn, A], Outcome]]:
        """Handle these actions from a registered resident (or, `before_consent`, from someone who has
        not agreed yet: nothing about them is stored, so the action carries their choices)."""

        def decorate(handler: Callable[[Turn, A], Outcome]) -> Callable[[Turn, A], Outcome]:
            table = self.actions_before_consent if before_consent else self.actions
            for kind in types:
                table[kind] = handler
            return handler

        return decorate

    def command(self, *names: str) -> Callable[[CommandHandler], CommandHandler]:
        def decorate(handler: CommandHandler) -> CommandHandler:
            for name in names:
                self.commands[name] = handler
            return handler

        return decorate

    def screen(self, *states: str) -> Callable[[ScreenHandler], ScreenHandler]:
        """What to show for a state when the learner must see where they are again (after a hint, a
        stale button, /start). Answer None when the stored place no longer makes sense."""

        def decorate(handler: ScreenHandler) -> ScreenHandler:
            for state in states:
                self.screens[state] = handler
            return handler

        return decorate

    def text(self, *states: str) -> Callable[[TextHandler], TextHandler]:
        """Handle what a registered resident types or sends (text, photo, voice...) in these states."""

        def decorate(handler: TextHandler) -> TextHandler:
            for state in states:
                self.texts[state] = handler
            return handler

        return decorate

    def unhandled_text(self, handler: TextHandler) -> TextHandler:
        """Offered a message no state handles, before the "please use the buttons" hint; answers None
        to leave it to the hint."""
        self.unhandled_texts.append(handler)
        return handler


def merge(routers: list[Router]) -> Router:
    """One table for the engine; two flows claiming the same action, command or state is a bug."""
    merged = Router("journey")
    for router in routers:
        for source, target in (
            (router.actions, merged.actions),
            (router.actions_before_consent, merged.actions_before_consent),
            (router.commands, merged.commands),
            (router.screens, merged.screens),
            (router.texts, merged.texts),
        ):
            clash = set(source) & set(target)
            if clash:
                raise ValueError(f"flow {router.name} handles what another flow handles: {clash}")
            target.update(source)  # type: ignore[attr-defined]
        merged.unhandled_texts += router.unhandled_texts
    return merged
