"""Telegram's side of the one action codec (`bot.actions`): every inline button the bot makes, the
learner's, the officer's and the admin's, is packed here, against Telegram's 64-byte limit.

Handlers pick their buttons by type (`matching`), so no two handlers ever read the same data, and
nothing decoded is trusted: each handler checks the action against the person's state and role.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton
from telegram.constants import InlineKeyboardButtonLimit

from bot import actions
from bot.actions import Action

MAX_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA


def encode(action: Action) -> str:
    return actions.encode(action, MAX_BYTES)


def decode(data: object) -> Action | None:
    return actions.decode(data, MAX_BYTES) if isinstance(data, str) else None


def button(label: str, action: Action) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(action))


def matching(*types: type[Action]) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern: this button's data decodes to one of these action types."""
    return lambda data: isinstance(decode(data), types)
