"""What every privileged handler shares: the server-side role check, the polite refusal, and the
callback codec of officer buttons ("b1|..."), separate from the residents' "1|..." so that neither can
be mistaken for the other. Officer button data is never trusted: it is parsed strictly and every press
checks the role again."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.broadcast.texts import t
from bot.channels.telegram import menus
from bot.channels.telegram.handlers import language_of, runtime_of
from bot.storage.roles import Actor, actor_for

log = logging.getLogger(__name__)
PREFIX = "b1"
SEPARATOR = "|"
MAX_BYTES = 64
PATTERN = rf"^{PREFIX}\{SEPARATOR}"


def encode(*parts: str | int) -> str:
    data = SEPARATOR.join((PREFIX, *(str(part) for part in parts)))
    if len(data.encode("utf-8")) > MAX_BYTES or any(SEPARATOR in str(part) for part in parts):
        raise ValueError(f"officer callback data too long or malformed: {data!r}")
    return data


def decode(data: str | None) -> list[str] | None:
    """The parts after the prefix, or None for anything else (another version, a forgery)."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    prefix, *parts = data.split(SEPARATOR)
    if prefix != PREFIX or not parts or not parts[0]:
        return None
    return parts


async def actor_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Actor | None:
    user = update.effective_user
    if user is None:
        return None
    runtime = runtime_of(context)
    async with runtime.sessions() as session:
        return await actor_for(session, runtime.settings.admin_ids, user.id)


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, **values: object) -> None:
    """Say no kindly, in the officers' texts."""
    await say(update, context, t(language_of(update), key, **values))


async def say(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """A short answer where the person is looking: an alert on a button, a message to a command."""
    with contextlib.suppress(TelegramError):
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text)


async def _require(
    update: Update, context: ContextTypes.DEFAULT_TYPE, allowed: Callable[[Actor], bool], refusal: str
) -> Actor | None:
    actor = await actor_of(update, context)
    if actor is None or not allowed(actor):
        log.info("refused a privileged request (%s) in update %s", refusal, update.update_id)
        await refuse(update, context, refusal)
        if (actor is None or not actor.is_officer) and update.effective_chat is not None:
            # Perhaps a menu left from a role revoked while the bot was down: take it away.
            await menus.drop_role_menu(context.application, update.effective_chat.id)
        return None
    return actor


async def require_officer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Actor | None:
    return await _require(update, context, lambda actor: actor.is_officer, "not_officer")


async def require_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Actor | None:
    return await _require(update, context, lambda actor: actor.is_admin, "not_admin")
