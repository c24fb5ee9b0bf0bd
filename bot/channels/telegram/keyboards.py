"""Engine button rows to Telegram inline keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram import callbacks
from bot.learning.events import Reply


def inline_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(button.label, callback_data=callbacks.encode(button.action)) for button in row]
            for row in reply.buttons
        ]
    )
