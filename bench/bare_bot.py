"""The baseline: a bare python-telegram-bot bot that stores nothing and has no logic, but answers every
tap the way ours does: it answers the button and edits the message into a lesson-sized text with a
lesson-like keyboard (the real step texts, read straight from the YAML). Same PTB, same HTTP client,
messages of the same size, so what the comparison measures is our journey: state, rules, storage.

BARE_HTTP=aiohttp runs it on the same HTTP client as our bot (bot/channels/telegram/aiohttp_request.py)
instead of PTB's default httpx: the second baseline, which isolates the journey's own cost."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import yaml
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

LESSONS = Path(__file__).resolve().parent.parent / "lessons" / "vi"
TEXTS = [
    f"📘 {lesson['title']} · Bước {number}/{len(lesson['steps'])}\n\n{step.get('title', '')}\n{step['text']}"
    for path in sorted(LESSONS.glob("*.yaml"))
    for lesson in [yaml.safe_load(path.read_text(encoding="utf-8"))]
    for number, step in enumerate(lesson["steps"], 1)
]
KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("⬅️ Quay lại", callback_data="1|prev"),
            InlineKeyboardButton("Tiếp tục ➡️", callback_data="1|next"),
        ],
        [InlineKeyboardButton("🏠 Menu", callback_data="1|menu")],
    ]
)
screens = itertools.cycle(TEXTS)


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, next(screens), reply_markup=KEYBOARD)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(next(screens), reply_markup=KEYBOARD)


def main() -> None:
    builder = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .concurrent_updates(True)
    )
    if os.environ.get("BARE_HTTP") == "aiohttp":
        from bot.channels.telegram.aiohttp_request import make_request

        builder = builder.request(make_request("aiohttp", 32)).get_updates_request(make_request("aiohttp", 1))
    application = builder.build()
    application.add_handler(MessageHandler(filters.ALL, on_message))
    application.add_handler(CallbackQueryHandler(on_button))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
