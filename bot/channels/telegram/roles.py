"""/grant, /revoke and /roles for admins: the same role changes as `python -m bot grant`, from the chat.

/grant officer 123456789 nghia-ta example-a   an officer limited to two communes
/grant officer 123456789                      an officer for every commune
/grant admin 123456789
/revoke officer 123456789
/roles                                        who has which role
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from bot.channels.telegram import menus
from bot.channels.telegram.handlers import language_of, runtime_of
from bot.channels.telegram.privileged import require_admin
from bot.storage.grants import GRANTABLE, GrantError, grant, holders, revoke
from bot.texts import t


def _parse(args: list[str]) -> tuple[str, int, list[str]] | None:
    if len(args) < 2 or args[0].lower() not in GRANTABLE or not args[1].isdigit():
        return None
    return args[0].lower(), int(args[1]), args[2:]


async def on_grant(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _change(update, context, "grant")


async def on_revoke(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _change(update, context, "revoke")


async def _change(update: Update, context: ContextTypes.DEFAULT_TYPE, verb: str) -> None:
    actor = await require_admin(update, context)
    chat = update.effective_chat
    if actor is None or chat is None:
        return
    language = language_of(update)
    parsed = _parse(list(context.args or []))
    if parsed is None or (verb == "revoke" and parsed[2]):
        await context.bot.send_message(chat.id, t(language, f"{verb}_usage"))
        return
    role, telegram_id, communes = parsed
    runtime = runtime_of(context)
    settings = runtime.settings
    try:
        async with runtime.sessions.begin() as session:
            if verb == "grant":
                change = await grant(
                    session,
                    role=role,
                    telegram_id=telegram_id,
                    communes=communes,
                    known_communes={commune.id for commune in settings.communes},
                    actor=actor,
                )
            else:
                change = await revoke(
                    session, role=role, telegram_id=telegram_id, admin_ids=settings.admin_ids, actor=actor
                )
    except GrantError as error:
        await context.bot.send_message(chat.id, t(language, "cannot", reason=str(error)))
        return
    role_name = t(language, f"role_{role}")
    if verb == "grant":
        scope = ", ".join(change.communes) if change.communes else t(language, "scope_all")
        text = t(language, "granted", id=telegram_id, role=role_name, scope=scope)
        if change.created:
            text += t(language, "granted_new")
    else:
        text = t(language, "revoked", id=telegram_id, role=role_name)
    await context.bot.send_message(chat.id, text)
    await menus.sync_quietly(context.application)  # their "/" menu shows the new role at once


async def on_roles(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = await require_admin(update, context)
    chat = update.effective_chat
    if actor is None or chat is None:
        return
    language = language_of(update)
    runtime = runtime_of(context)
    async with runtime.sessions() as session:
        found = await holders(session, runtime.settings.admin_ids)
    lines = [t(language, "roles_title")]
    for holder in found:
        flags = (t(language, "roles_env") if holder.from_env else "") + (
            "" if holder.consented or holder.from_env else t(language, "roles_no_consent")
        )
        lines.append(
            t(
                language,
                "roles_line",
                id=holder.telegram_id,
                name=f"{holder.display_name} " if holder.display_name else "",
                role=t(language, f"role_{holder.role}"),
                scope=", ".join(holder.communes) if holder.communes else t(language, "scope_all"),
                flags=flags,
            )
        )
    await context.bot.send_message(chat.id, "\n".join(lines))


def register(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("grant", on_grant, filters=private))
    application.add_handler(CommandHandler("revoke", on_revoke, filters=private))
    application.add_handler(CommandHandler("roles", on_roles, filters=private))
