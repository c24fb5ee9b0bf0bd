"""Certificates in Telegram: `/verify CODE` for anyone (resident or not, nothing about them is stored),
and an admin's `/certificates` (the newest, or `revoke CODE REASON`).

The answers are the same as the command line's and the public page's (bot.certificates): one check,
three doors. An admin's revocation is checked on the server and written to the audit log.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from bot.certificates.service import Certificates
from bot.certificates.verification import title_of, verdict_text
from bot.channels.telegram.handlers import language_of, runtime_of
from bot.channels.telegram.privileged import require_admin, say
from bot.storage.audit import actor_label
from bot.storage.certificates import shown
from bot.texts import t

log = logging.getLogger(__name__)
LISTED = 15  # lines in the chat; the command line lists more


def _certificates(context: ContextTypes.DEFAULT_TYPE) -> Certificates:
    runtime = runtime_of(context)
    return Certificates(runtime.sessions, runtime.catalog, runtime.settings)


async def on_verify(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    language = language_of(update)
    typed = "".join(context.args or [])
    if not typed:
        await say(update, context, t(language, "verify_usage"))
        return
    certificates = _certificates(context)
    try:
        verdict = await certificates.verify(typed[:40], language)
    except (DBAPIError, OSError, TimeoutError) as error:
        log.warning("certificate check failed in update %s: %s", update.update_id, type(error).__name__)
        await say(update, context, t(language, "verify_busy"))
        return
    await say(update, context, verdict_text(language, verdict, certificates.settings.cert_issuer))


async def on_certificates(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = await require_admin(update, context)
    if actor is None:
        return
    language = language_of(update)
    args = context.args or []
    certificates = _certificates(context)
    if args and args[0].lower() == "revoke":
        if len(args) < 3:
            await say(update, context, t(language, "certs_revoke_needs_reason"))
            return
        reason = " ".join(args[2:])[:200]
        code = await certificates.revoke(args[1], reason, actor_label(actor))
        key = "certs_revoked" if code is not None else "certs_revoke_unknown"
        await say(update, context, t(language, key, code=code or args[1][:20]))
        return
    if args:
        await say(update, context, t(language, "certs_usage"))
        return
    rows = await certificates.listing(limit=LISTED)
    if not rows:
        await say(update, context, t(language, "certs_none") + "\n\n" + t(language, "certs_usage"))
        return
    settings = certificates.settings
    communes = {c.id: c.name(language) for c in settings.communes}
    lines = [t(language, "certs_header", count=len(rows))]
    for row in rows:
        lines.append(
            t(
                language,
                "certs_line",
                code=shown(row.code),
                title=title_of(certificates.catalog, row.module_id, language),
                score=row.score,
                day=row.issued_at.astimezone(settings.tz).strftime("%d/%m/%Y"),
                commune=communes.get(row.commune_id or "", "-"),
                revoked=t(language, "certs_line_revoked") if row.revoked_at is not None else "",
            )
        )
    lines += ["", t(language, "certs_usage")]
    await say(update, context, "\n".join(lines))


def register(application: Application) -> None:
    # /verify works anywhere (a group can check a certificate shown to it); /certificates only privately.
    application.add_handler(CommandHandler("verify", on_verify))
    application.add_handler(CommandHandler("certificates", on_certificates, filters=filters.ChatType.PRIVATE))
