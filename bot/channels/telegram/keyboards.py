"""Plain replies in Telegram's shapes: button rows as inline keyboards, texts cut to Telegram's limits."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.channels.telegram import callbacks
from bot.messages import Reply


def inline_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[callbacks.button(button.label, button.action) for button in row] for row in reply.buttons]
    )


def caption(text: str) -> str:
    """A photo's caption, cut to what Telegram accepts."""
    return text[: MessageLimit.CAPTION_LENGTH]
