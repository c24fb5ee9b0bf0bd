"""What every privileged handler shares: the server-side role check and the polite refusal. Officer
buttons are typed actions (`bot.actions`) like the residents'; every press checks the role again."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.channels.telegram import menus
from bot.channels.telegram.handlers import language_of, runtime_of
from bot.storage.audit import refused
from bot.storage.roles import Actor, actor_for
from bot.texts import t

log = logging.getLogger(__name__)


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
        await _audit_refusal(update, context, refusal)
        await refuse(update, context, refusal)
        if (actor is None or not (actor.is_officer or actor.is_helper)) and update.effective_chat is not None:
            # Perhaps a menu left from a role revoked while the bot was down: take it away.
            await menus.drop_role_menu(context.application, update.effective_chat.id)
        return None
    return actor


async def _audit_refusal(update: Update, context: ContextTypes.DEFAULT_TYPE, refusal: str) -> None:
    """A refused attempt is an event an auditor wants to see (someone probing for officers' commands),
    so it goes to the audit log like a granted one: who, what was asked for, which role it needed."""
    user = update.effective_user
    if user is None:
        return
    text = update.effective_message.text if update.effective_message and not update.callback_query else None
    asked = (text or "").split()[0].split("@")[0][:32] if text and text.startswith("/") else "button"
    try:
        async with runtime_of(context).sessions.begin() as session:
            refused(session, f"telegram:{user.id}", asked=asked, needed=refusal.removeprefix("not_"))
    except (DBAPIError, OSError) as error:  # the refusal itself must still be said
        log.warning("could not audit a refused request: %s", type(error).__name__)


async def require_officer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Actor | None:
    return await _require(update, context, lambda actor: actor.is_officer, "not_officer")


async def require_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Actor | None:
    return await _require(update, context, lambda actor: actor.is_admin, "not_admin")
