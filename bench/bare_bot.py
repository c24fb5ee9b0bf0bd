"""The baseline: a bare python-telegram-bot bot that stores nothing and answers every tap the way
ours does (answer the button, edit the message with a new keyboard). Same PTB, same HTTP client."""

from __future__ import annotations

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

KEYBOARD = InlineKeyboardMarkup(
    [[InlineKeyboardButton("Tiếp tục ➡️", callback_data="next"), InlineKeyboardButton("🏠 Menu", callback_data="m")]]
)


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "Xin chào! Bước 1", reply_markup=KEYBOARD)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    counter = int(context.user_data.get("n", 0)) + 1 if context.user_data is not None else 1
    if context.user_data is not None:
        context.user_data["n"] = counter
    await query.edit_message_text(f"Bước {counter}", reply_markup=KEYBOARD)


def main() -> None:
    application = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(MessageHandler(filters.ALL, on_message))
    application.add_handler(CallbackQueryHandler(on_button))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
