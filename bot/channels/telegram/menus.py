"""Telegram's command menu (the "/" button), per role.

Residents see their commands (the default scope, in Vietnamese and English). Officers, helpers and
admins get a menu of their own in their chat (BotCommandScopeChat), in the language they chose, with
the commands they may use; otherwise /broadcast or /stats would be something to remember.

When menus change: at start; at once after /grant or /revoke in the chat; every few minutes for role
changes made with the CLI (`python -m bot grant`), which runs without the bot. A menu left from a
revoked role (revoked while the bot was down) is removed the first time its holder is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import or_, select
from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.runtime import Runtime
from bot.storage.models import Resident
from bot.storage.vocabulary import Channel, Role
from bot.texts import LANGUAGES, t

log = logging.getLogger(__name__)

APPLIED = "role_menus"  # bot_data key: chat id -> (role, language) of the menu set there
CLEARED = "role_menus_cleared"  # bot_data key: chats whose menu was dropped after a refusal
RESYNC_SECONDS = 300

# Each command's description is the text "cmd_<name>" in the reader's language.
RESIDENT_COMMANDS = (
    "start",
    "menu",
    "progress",
    "help",
    "ask",
    "language",
    "reminders",
    "mydata",
    "deleteme",
    "verify",
)
HELPER_COMMANDS = ("questions",)  # officers and admins answer too, so theirs include it
OFFICER_COMMANDS = ("broadcast", "broadcasts", "stats", "export")
ADMIN_COMMANDS = ("roles", "grant", "revoke", "weeklyreport", "certificates")


def commands_for(role: str, language: str) -> list[BotCommand]:
    """The menu for a role: their own commands first, then the residents' (officers learn too)."""
    names: list[str] = []
    if role in (Role.OFFICER, Role.ADMIN):
        names += OFFICER_COMMANDS
    if role == Role.ADMIN:
        names += ADMIN_COMMANDS
    if role in (Role.HELPER, Role.OFFICER, Role.ADMIN):
        names += HELPER_COMMANDS
    names += RESIDENT_COMMANDS
    return [BotCommand(name, t(language, f"cmd_{name}")) for name in names]


async def set_default_menus(bot: Bot) -> None:
    """Residents' commands for everyone: Vietnamese by default, English for English-language apps."""
    for language in LANGUAGES:
        await bot.set_my_commands(
            commands_for(Role.RESIDENT, language),
            scope=BotCommandScopeDefault(),
            language_code=None if language == "vi" else language,
        )


async def privileged_chats(runtime: Runtime) -> dict[int, tuple[str, str]]:
    """chat id -> (role, language) for every officer, helper and admin, ADMIN_IDS included."""
    settings = runtime.settings
    admin_ids = set(settings.admin_ids)
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(Resident.external_id, Resident.chat_id, Resident.role, Resident.language).where(
                Resident.channel == Channel.TELEGRAM,
                or_(
                    Resident.role.in_((Role.OFFICER, Role.HELPER, Role.ADMIN)),
                    Resident.external_id.in_(admin_ids),
                ),
            )
        )
    wanted = {
        chat_id or external_id: (
            Role.ADMIN if external_id in admin_ids else role,  # ADMIN_IDS outranks the stored role
            language or settings.default_language,
        )
        for external_id, chat_id, role, language in rows
    }
    for admin_id in settings.admin_ids:
        wanted.setdefault(admin_id, (Role.ADMIN, settings.default_language))
    return wanted


async def sync_role_menus(application: Application) -> int:
    """Bring every officer's and admin's menu up to date; returns how many chats changed."""
    runtime: Runtime = application.bot_data["runtime"]
    applied: dict[int, tuple[str, str]] = application.bot_data.setdefault(APPLIED, {})
    wanted = await privileged_chats(runtime)
    changed = 0
    for chat_id, (role, language) in wanted.items():
        if applied.get(chat_id) == (role, language):
            continue
        if await _set(application.bot, chat_id, commands_for(role, language)):
            applied[chat_id] = (role, language)
            application.bot_data.setdefault(CLEARED, set()).discard(chat_id)
            changed += 1
    for chat_id in [chat for chat in applied if chat not in wanted]:
        if await _delete(application.bot, chat_id):
            del applied[chat_id]
            changed += 1
    return changed


async def drop_role_menu(application: Application, chat_id: int) -> None:
    """Someone was refused a privileged command: a menu left from a revoked role goes."""
    cleared: set[int] = application.bot_data.setdefault(CLEARED, set())
    if chat_id in cleared:
        return  # once per run is enough: a resident who keeps trying /broadcast costs no more calls
    if await _delete(application.bot, chat_id):
        cleared.add(chat_id)
        application.bot_data.setdefault(APPLIED, {}).pop(chat_id, None)


async def _set(bot: Bot, chat_id: int, commands: Iterable[BotCommand]) -> bool:
    try:
        return await bot.set_my_commands(list(commands), scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        # Typically "chat not found": granted before they ever opened the bot. Retried at the next sync.
        log.info("role menu not set for one chat: %s", type(error).__name__)
        return False


async def _delete(bot: Bot, chat_id: int) -> bool:
    try:
        return await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        log.info("role menu not removed for one chat: %s", type(error).__name__)
        return False


async def sync_quietly(application: Application) -> None:
    """Sync, and if the database or the Bot API is down for a moment, say so and let the next sync
    catch up: a menu is never worth failing a grant or the start."""
    try:
        await sync_role_menus(application)
    except Exception as error:
        log.warning("role menus not synced: %s", type(error).__name__)


async def _resync_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await sync_quietly(context.application)


async def on_startup(application: Application) -> None:
    await set_default_menus(application.bot)
    await sync_quietly(application)
    if application.job_queue is not None:
        application.job_queue.run_repeating(_resync_job, interval=RESYNC_SECONDS, first=RESYNC_SECONDS)
