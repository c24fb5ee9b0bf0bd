"""Officers in the chat: /broadcast (the wizard), /broadcasts (recent ones and their reports), the
pause / resume / cancel / resend buttons, and the broadcast sender's start and stop with the bot.

Every command and every "b1|..." button checks the role on the server (`actor_for`); a resident who
sends /broadcast or presses a forged officer button gets a polite refusal and nothing changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters
from telegram.request import BaseRequest

from bot.broadcast import service, views
from bot.broadcast.lease import lease_for
from bot.broadcast.schedule import parse_quiet_hours
from bot.broadcast.sender import Route, Sender, default_workers
from bot.channels.telegram import broadcast_progress as progress
from bot.channels.telegram import broadcast_wizard as wizard
from bot.channels.telegram import callbacks, privileged
from bot.channels.telegram.handlers import language_of, runtime_of
from bot.channels.telegram.traffic import INTERACTIVE_TRAFFIC, CountingRequest
from bot.channels.telegram.transport import TelegramTransport, sender_bot
from bot.storage.roles import Actor
from bot.storage.vocabulary import Channel
from bot.texts import t

log = logging.getLogger(__name__)
LIST_LIMIT = 10


async def on_broadcasts(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/broadcasts: the latest broadcasts this officer may see, each a button to its report."""
    actor = await privileged.require_officer(update, context)
    chat = update.effective_chat
    if actor is None or chat is None:
        return
    language = language_of(update)
    reports = await service.recent(runtime_of(context).sessions, actor=actor, limit=LIST_LIMIT)
    if not reports:
        await context.bot.send_message(chat.id, t(language, "list_empty"))
        return
    rows = [[_report_button(report, language)] for report in reports]
    await context.bot.send_message(chat.id, t(language, "list_title"), reply_markup=InlineKeyboardMarkup(rows))


def _report_button(report: service.Report, language: str) -> InlineKeyboardButton:
    return callbacks.button(views.list_line(report, language), progress.BroadcastControl(progress.SHOW, report.id))


async def on_officer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every officer's button: the wizard's and the broadcast controls'."""
    query = update.callback_query
    assert query is not None
    actor = await privileged.require_officer(update, context)  # the role first: a resident hears only no
    if actor is None:
        return
    action = callbacks.decode(query.data)
    if isinstance(action, wizard.WizardPress):
        await wizard.on_press(update, context, actor, action)
    elif isinstance(action, progress.BroadcastControl):
        await _control(update, context, actor, action.verb, action.broadcast)
    else:
        await privileged.refuse(update, context, "broadcast_stale")


async def _control(
    update: Update, context: ContextTypes.DEFAULT_TYPE, actor: Actor, verb: str, broadcast_id: int
) -> None:
    query = update.callback_query
    assert query is not None
    language = language_of(update)
    sessions = runtime_of(context).sessions
    application = context.application
    try:
        if verb == progress.PAUSE:
            paused = await service.pause(sessions, broadcast_id, actor=actor)
            progress.tell_sender(application, broadcast_id, paused.status)
            notice = t(language, "paused", id=broadcast_id)
        elif verb == progress.RESUME:
            await service.resume(sessions, broadcast_id, actor=actor)
            progress.tell_sender(application)
            notice = t(language, "resumed", id=broadcast_id)
        elif verb == progress.CANCEL:
            cancelled = await service.cancel(sessions, broadcast_id, actor=actor)
            progress.tell_sender(application, broadcast_id, cancelled.status)
            notice = t(language, "cancelled", id=broadcast_id)
        elif verb == progress.RESEND:
            again = await service.resend_failed(sessions, broadcast_id, actor=actor)
            progress.tell_sender(application)
            notice = t(language, "resent", id=broadcast_id, count=views.group(again))
        else:
            await _show_report(update, context, actor, broadcast_id, in_place=verb == progress.UPDATE)
            return
    except service.NotAllowed:
        await privileged.refuse(update, context, "not_yours")
        return
    except service.BroadcastError as error:
        await query.answer(t(language, "cannot", reason=str(error)), show_alert=True)
        return
    await query.answer(notice)
    await progress.refresh_progress(application, broadcast_id, language)


async def _show_report(
    update: Update, context: ContextTypes.DEFAULT_TYPE, actor: Actor, broadcast_id: int, *, in_place: bool
) -> None:
    query = update.callback_query
    assert query is not None
    language = language_of(update)
    runtime = runtime_of(context)
    report = await service.report(runtime.sessions, broadcast_id, actor=actor)  # checks it is theirs
    await query.answer()
    text = views.report_text(report, language, runtime.catalog, runtime.settings.communes)
    markup = progress.report_markup(report, language)
    if in_place and isinstance(query.message, Message):
        with contextlib.suppress(BadRequest):  # "not modified" when nothing changed since the last look
            await query.message.edit_text(text, reply_markup=markup)
        return
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, text, reply_markup=markup)


# -- the sender's life cycle ---------------------------------------------------------------------------------


async def start_sender(application: Application, *, request: BaseRequest | None = None, **options: Any) -> Sender:
    """Start the paced sender on its own Bot. `request` and `options` are for tests and benchmarks."""
    runtime = progress.runtime_of_app(application)
    settings = runtime.settings
    workers = options.pop("workers", None) or settings.broadcast_concurrency or default_workers(settings.broadcast_rate)
    bot = sender_bot(settings, connections=workers + 2, request=request)
    await bot.initialize()
    traffic: CountingRequest | None = application.bot_data.get(INTERACTIVE_TRAFFIC)
    defaults = {
        "quiet": parse_quiet_hours(settings.quiet_hours),
        "tz": settings.tz,
        "lease": lease_for(runtime.db),
    }
    yield_to = traffic.rate if traffic is not None else None
    telegram = Route(TelegramTransport(bot), settings.broadcast_rate, yield_to)
    sender = Sender(
        runtime.sessions,
        {Channel.TELEGRAM: telegram, **runtime.routes},  # Zalo's route too when it runs in this process
        runtime.catalog,
        rate=settings.broadcast_rate,
        workers=workers,
        on_progress=functools.partial(progress.on_progress, application),
        **(defaults | options),
    )
    task = asyncio.create_task(sender.run(), name="broadcast-sender")
    task.add_done_callback(_report_crash)
    application.bot_data[progress.SENDER] = progress.SenderHandle(sender, task, bot)
    log.info("broadcast sender started: %.0f messages/s, %d at a time", settings.broadcast_rate, workers)
    return sender


async def stop_sender(application: Application, grace: float = 2.5) -> None:
    handle: progress.SenderHandle | None = application.bot_data.pop(progress.SENDER, None)
    if handle is None:
        return
    await handle.sender.stop()
    try:
        await asyncio.wait_for(handle.task, grace)
    except TimeoutError:
        log.warning("broadcast sender did not stop in %.0fs; what was in flight goes again next start", grace)
    await handle.bot.shutdown()


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the broadcast sender stopped", exc_info=task.exception())


async def on_startup(application: Application) -> None:
    await start_sender(application)


async def on_shutdown(application: Application) -> None:
    await stop_sender(application)


def register(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    # Group -1 sees typed messages first, and passes them on unless a draft is waiting for them.
    application.add_handler(MessageHandler(private & (filters.TEXT | filters.PHOTO), wizard.on_input), group=-1)
    application.add_handler(CommandHandler("broadcast", wizard.start, filters=private))
    application.add_handler(CommandHandler("broadcasts", on_broadcasts, filters=private))
    application.add_handler(
        CallbackQueryHandler(
            on_officer_button, pattern=callbacks.matching(wizard.WizardPress, progress.BroadcastControl)
        )
    )
