"""The officer's view of a running broadcast: a live progress message (edited as the sender goes) with
pause/resume/cancel buttons, and a final report with "resend to failed".

The sender calls `on_progress` every couple of seconds and once at the end. The broadcast row keeps
where the progress message is, so after a restart the sender goes on editing the same message.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.actions import Action, register
from bot.broadcast import service, views
from bot.broadcast.outbox import CANCELLED, DONE, FAILED, PAUSED, SCHEDULED, SENDING
from bot.broadcast.sender import Sender
from bot.channels.telegram import callbacks
from bot.runtime import Runtime
from bot.storage.models import Resident
from bot.texts import t

log = logging.getLogger(__name__)
SENDER = "broadcast_sender"

# What an officer's button does to a broadcast.
PAUSE, RESUME, CANCEL, RESEND, SHOW, UPDATE = "p", "r", "c", "f", "s", "u"
ControlVerb = Literal["p", "r", "c", "f", "s", "u"]


@dataclass(frozen=True, slots=True)
class BroadcastControl(Action, prefix="bc"):
    verb: ControlVerb
    broadcast: int


register(BroadcastControl)


@dataclass
class SenderHandle:
    sender: Sender
    task: asyncio.Task[None]
    bot: Bot  # the sender's own, not the application's


def tell_sender(application: Application, broadcast_id: int | None = None, status: str | None = None) -> None:
    """Wake the sender for new work, or tell it a broadcast was paused or cancelled so it halts at once."""
    handle: SenderHandle | None = application.bot_data.get(SENDER)
    if handle is None:
        return
    if broadcast_id is not None and status is not None:
        handle.sender.note_status(broadcast_id, status)
    else:
        handle.sender.wake()


def runtime_of_app(application: Application) -> Runtime:
    return application.bot_data["runtime"]


async def creator_language(runtime: Runtime, resident_id: int | None) -> str:
    if resident_id is None:
        return runtime.settings.default_language
    async with runtime.sessions() as session:
        language = await session.scalar(select(Resident.language).where(Resident.id == resident_id))
    return language or runtime.settings.default_language


def progress_markup(report: service.Report, language: str) -> InlineKeyboardMarkup | None:
    row: list[InlineKeyboardButton] = []
    if report.status in (SCHEDULED, SENDING):
        row.append(_control(t(language, "btn_pause"), PAUSE, report.id))
    if report.status == PAUSED:
        row.append(_control(t(language, "btn_send_on"), RESUME, report.id))
    if report.status in (SCHEDULED, SENDING, PAUSED):
        row.append(_control(t(language, "btn_cancel"), CANCEL, report.id))
    if report.status == DONE:
        row.append(_control(t(language, "btn_refresh"), SHOW, report.id))
    return InlineKeyboardMarkup([row]) if row else None


def report_markup(report: service.Report, language: str) -> InlineKeyboardMarkup:
    rows = []
    failed = report.counts[FAILED]
    if failed and report.status != CANCELLED:
        rows.append([_control(t(language, "btn_resend", count=views.group(failed)), RESEND, report.id)])
    rows.append([_control(t(language, "btn_refresh"), UPDATE, report.id)])
    return InlineKeyboardMarkup(rows)


def _control(label: str, verb: ControlVerb, broadcast_id: int) -> InlineKeyboardButton:
    return callbacks.button(label, BroadcastControl(verb, broadcast_id))


async def refresh_progress(application: Application, broadcast_id: int, language: str | None = None) -> None:
    """Edit the live progress message to the broadcast's state now."""
    runtime = runtime_of_app(application)
    report = await service.report(runtime.sessions, broadcast_id, actor=None)
    if report.report_chat_id is None or report.report_message_id is None:
        return  # made from the CLI: nobody to show progress to
    language = language or await creator_language(runtime, report.created_by)
    handle: SenderHandle | None = application.bot_data.get(SENDER)
    resumes_at = handle.sender.resumes_at() if handle is not None else None  # quiet hours, by the sender's clock
    text = views.progress_text(report, language, runtime.settings.tz, resumes_at)
    try:
        await application.bot.edit_message_text(
            text,
            chat_id=report.report_chat_id,
            message_id=report.report_message_id,
            reply_markup=progress_markup(report, language),
        )
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            log.info("broadcast %s: progress message not editable (%s)", broadcast_id, error.message)
    except Forbidden:
        log.info("broadcast %s: the officer blocked the bot; no progress shown", broadcast_id)


async def send_report(
    application: Application, broadcast_id: int, chat_id: int | None = None, language: str | None = None
) -> None:
    runtime = runtime_of_app(application)
    report = await service.report(runtime.sessions, broadcast_id, actor=None)
    chat_id = chat_id or report.report_chat_id
    if chat_id is None:
        return
    language = language or await creator_language(runtime, report.created_by)
    text = views.report_text(report, language, runtime.catalog, runtime.settings.communes)
    try:
        await application.bot.send_message(chat_id, text, reply_markup=report_markup(report, language))
    except TelegramError as error:
        log.info("broadcast %s: report not delivered (%s)", broadcast_id, type(error).__name__)


async def on_progress(application: Application, broadcast_id: int, final: bool) -> None:
    """The sender's progress hook: edit the live message; at the end, send the report as a new message
    (an edit makes no sound on the officer's phone, a new message does)."""
    await refresh_progress(application, broadcast_id)
    if final:
        await send_report(application, broadcast_id)
