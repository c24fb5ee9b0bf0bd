"""Engine button rows to Telegram inline keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.channels.telegram import callbacks
from bot.messages import Reply


def inline_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[callbacks.button(button.label, button.action) for button in row] for row in reply.buttons]
    )
