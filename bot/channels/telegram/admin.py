"""Admins' and officers' statistics in Telegram: /stats, /export, /weeklyreport and the Monday report.

Who may see what is decided on the server for every command and every button: admins see the whole
district, an officer only their communes, a resident gets a polite no. Drill-down buttons carry their
own prefix ("s1|m|<module>", "s1|c|<commune>") so they can never be mistaken for the residents' "1|"
or the officers' "b1|", and their data is checked again on every press.

Reports are read in one snapshot on a connection of their own (never the residents' one), and charts
and workbooks are drawn in a worker thread, so the bot keeps answering residents meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import clock
from bot.actions import Action, ActionTooLong, register
from bot.channels.telegram import callbacks, privileged
from bot.channels.telegram.handlers import language_of, runtime_of
from bot.reports import text
from bot.reports.figures import Funnel, Report
from bot.reports.privacy import NO_COMMUNE_ID, SMALL_ID
from bot.reports.service import context_for, load_report, record_export
from bot.reports.weekly import SEND_AT as WEEKLY_TIME
from bot.reports.weekly import (
    WeeklyDigest,
    build_weekly,
    claim_week,
    due_week,
    had_residents_before,
    previous_week,
    week_reported,
)
from bot.runtime import Runtime
from bot.storage.db import create_engine, is_sqlite
from bot.storage.models import Resident
from bot.storage.roles import Actor
from bot.storage.upsert import upsert
from bot.storage.vocabulary import Channel, Role
from bot.texts import t

log = logging.getLogger(__name__)

CHANNEL = Channel.TELEGRAM
CATCH_UP_SECONDS = 3600
CATCH_UP_FIRST = 60  # after start: let the bot settle, then catch up a missed Monday
MONDAY = 1  # PTB 20+ numbers days cron-style: 0 is Sunday

REFUSALS = {"officer": "stats_not_officer", "admin": "stats_not_admin", "commune": "stats_outside_scope"}
REFUSALS["stale"] = "stats_stale"


def _refusal(update: Update, key: str) -> str:
    return t(language_of(update), REFUSALS[key])


@dataclass(frozen=True, slots=True)
class StatsModule(Action, prefix="sm"):
    """Drill into one module's funnel."""

    module: str


@dataclass(frozen=True, slots=True)
class StatsCommune(Action, prefix="sc"):
    """Drill into one commune."""

    commune: str


register(StatsModule, StatsCommune)


def _drill_button(label: str, action: Action) -> InlineKeyboardButton | None:
    """A drill-down button, or none if an id is too long to fit Telegram's 64 bytes (never a crash)."""
    try:
        return callbacks.button(label, action)
    except (ActionTooLong, ValueError):
        return None


# -- who is asking -----------------------------------------------------------------------------------------


async def _officer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Actor | None:
    actor = await privileged.actor_of(update, context)
    if actor is None or not actor.is_officer:
        log.info("refused a statistics request from a non-officer (update %s)", update.update_id)
        await privileged.say(update, context, _refusal(update, "officer"))
        return None
    return actor


# -- /stats and its buttons ------------------------------------------------------------------------------


@asynccontextmanager
async def reports_engine(runtime: Runtime) -> AsyncIterator[AsyncEngine]:
    """Where a report reads from, without making residents wait.

    On SQLite the bot's engine has a single connection that every resident's update queues for; a
    district report holding it for half a second would stall them all. A report gets its own short-lived
    connection instead: in WAL mode its read snapshot and the bot's writes go on side by side.
    PostgreSQL: the bot's pool.
    """
    if not is_sqlite(runtime.db):
        yield runtime.db
        return
    engine = create_engine(runtime.settings.database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _report(runtime: Runtime, scope: frozenset[str] | None, language: str = "vi") -> Report:
    async with reports_engine(runtime) as engine:
        # The chat's summary shows passport holders, not mastery per competence (that is in /export).
        context = context_for(runtime.settings, runtime.catalog, language, competences=False)
        return await load_report(engine, context, scope)


def _drill_keyboard(report: Report, communes: bool) -> InlineKeyboardMarkup | None:
    buttons = [
        button for m in report.modules if m.started and (button := _drill_button(f"📘 {m.title}", StatsModule(m.id)))
    ]
    if communes:
        # Merged small communes and "no commune yet" are not places one can drill into.
        buttons += [
            button
            for c in report.communes
            if c.id not in (SMALL_ID, NO_COMMUNE_ID)
            and c.residents
            and (button := _drill_button(f"🏘 {c.name}", StatsCommune(c.id)))
        ]
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(rows) if rows else None


async def _send_overview(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, report: Report, communes: bool, language: str
) -> None:
    runtime = runtime_of(context)
    if not report.suppressed and report.modules:
        chart = await asyncio.to_thread(_overview_png, report, runtime.settings.tz, language)
        await context.bot.send_photo(chat_id, chart, caption=f"📊 {report.scope_name}")
    await context.bot.send_message(
        chat_id,
        _fit(text.summary(report, runtime.settings.tz, language)),
        reply_markup=None if report.suppressed else _drill_keyboard(report, communes),
    )


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = await _officer(update, context)
    if actor is None or update.effective_chat is None:
        return
    language = language_of(update)
    report = await _report(runtime_of(context), actor.communes, language)
    # A single-commune officer has nothing to drill into by commune.
    many = actor.communes is None or len(actor.communes) > 1
    await _send_overview(context, update.effective_chat.id, report, communes=many, language=language)


async def on_drill(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    actor = await _officer(update, context)
    if actor is None:
        return
    runtime = runtime_of(context)
    parsed = callbacks.decode(query.data)
    known_communes = {c.id for c in runtime.settings.communes}
    if isinstance(parsed, StatsCommune):
        kind, value = "c", parsed.commune
    elif isinstance(parsed, StatsModule):
        kind, value = "m", parsed.module
    else:
        await privileged.say(update, context, _refusal(update, "stale"))
        return
    if kind == "c" and value not in known_communes:
        await privileged.say(update, context, _refusal(update, "stale"))
        return
    if kind == "c" and not actor.may_reach(value):
        log.info("refused a commune outside an officer's scope (update %s)", update.update_id)
        await privileged.say(update, context, _refusal(update, "commune"))
        return
    if kind == "m" and value not in runtime.catalog:
        await privileged.say(update, context, _refusal(update, "stale"))
        return
    with contextlib.suppress(BadRequest):
        await query.answer()
    language = language_of(update)
    if kind == "c":
        commune_report = await _report(runtime, frozenset({value}), language)
        await _send_overview(context, chat.id, commune_report, communes=False, language=language)
        return
    report = await _report(runtime, actor.communes, language)
    funnel = report.funnel(value)
    if funnel is not None and funnel.started and not report.suppressed:
        chart = await asyncio.to_thread(_funnel_png, funnel, report.scope_name, language)
        await context.bot.send_photo(chat.id, chart, caption=f"🔻 {funnel.title}")
    detail = text.module_detail(report, value, runtime.settings.tz, language)
    await context.bot.send_message(chat.id, _fit(detail))


# matplotlib is imported inside the worker thread: its first import (~0.5 s) then never blocks the loop.
def _overview_png(report: Report, tz: ZoneInfo, language: str) -> bytes:
    from bot.reports.charts import overview_png

    return overview_png(report, tz, language)


def _funnel_png(funnel: Funnel, scope_name: str, language: str) -> bytes:
    from bot.reports.charts import funnel_png

    return funnel_png(funnel, scope_name, language)


def _fit(message: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


# -- /export ---------------------------------------------------------------------------------------------


async def on_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = await _officer(update, context)
    chat = update.effective_chat
    if actor is None or chat is None:
        return
    wanted = {arg.lower() for arg in (context.args or [])} & {"csv", "xlsx"} or {"csv", "xlsx"}
    runtime = runtime_of(context)
    report = await _report(runtime, actor.communes)
    from bot.reports.export import to_csv, to_xlsx

    stamp = report.generated_at.astimezone(runtime.settings.tz).strftime("%Y-%m-%d")
    for fmt in ("xlsx", "csv"):
        if fmt not in wanted:
            continue
        build = to_xlsx if fmt == "xlsx" else to_csv
        data = await asyncio.to_thread(build, report, runtime.settings.tz)
        name = f"thong-ke-ky-nang-so-{stamp}.{fmt}"
        await context.bot.send_document(chat.id, InputFile(data, filename=name), caption=f"📎 {report.scope_name}")
        async with runtime.sessions.begin() as session:
            await record_export(session, f"telegram:{actor.external_id}", fmt, actor.communes)


# -- /weeklyreport on|off ----------------------------------------------------------------------------------


async def on_weekly_toggle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    runtime = runtime_of(context)
    actor = await privileged.actor_of(update, context)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if actor is None or not actor.is_admin:
        await privileged.say(update, context, _refusal(update, "admin"))
        return
    choice = (context.args or [""])[0].lower()
    if choice not in ("on", "off", "bật", "bat", "tắt", "tat"):
        on = await _weekly_setting(runtime, user.id)
        await context.bot.send_message(chat.id, t(language_of(update), "weekly_state_on" if on else "weekly_state_off"))
        return
    on = choice in ("on", "bật", "bat")
    async with runtime.sessions.begin() as session:
        changed = await session.execute(
            sql_update(Resident)
            .where(Resident.channel == CHANNEL, Resident.external_id == user.id)
            .values(weekly_report=on)
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            # An ADMIN_IDS admin who never opened the bot: a role-less row holds only this setting
            # (no consent, so not a resident; the role keeps coming from ADMIN_IDS, never from here).
            await session.execute(
                upsert(
                    session,
                    Resident,
                    {
                        "channel": CHANNEL,
                        "external_id": user.id,
                        "chat_id": chat.id,
                        "role": Role.RESIDENT,
                        "weekly_report": on,
                    },
                    index=["channel", "external_id"],
                    update=["weekly_report"],
                )
            )
    await context.bot.send_message(chat.id, t(language_of(update), "weekly_turned_on" if on else "weekly_turned_off"))


async def _weekly_setting(runtime: Runtime, external_id: int) -> bool:
    async with runtime.sessions() as session:
        value = await session.scalar(
            select(Resident.weekly_report).where(Resident.channel == CHANNEL, Resident.external_id == external_id)
        )
    return True if value is None else bool(value)


# -- the Monday report -------------------------------------------------------------------------------------


async def send_weekly(context: ContextTypes.DEFAULT_TYPE, now: datetime | None = None) -> int:
    """Build the report once and send it to every admin who wants it; returns how many got it."""
    return await _deliver_weekly(context, await _weekly_digest(runtime_of(context), now or clock.now()))


async def _weekly_digest(runtime: Runtime, now: datetime) -> WeeklyDigest:
    async with reports_engine(runtime) as engine:
        return await build_weekly(
            engine, context_for(runtime.settings, runtime.catalog), runtime.settings.admin_ids, now
        )


async def _deliver_weekly(context: ContextTypes.DEFAULT_TYPE, digest: WeeklyDigest) -> int:
    sent = 0
    for chat_id in digest.chat_ids:
        try:
            if digest.chart is not None and len(digest.text) <= MessageLimit.CAPTION_LENGTH:
                await context.bot.send_photo(chat_id, digest.chart, caption=digest.text)
            else:
                if digest.chart is not None:
                    await context.bot.send_photo(chat_id, digest.chart)
                await context.bot.send_message(chat_id, _fit(digest.text))
            sent += 1
        except (Forbidden, BadRequest) as error:
            # An admin who blocked the bot: skip them, never stop the others. No ids in the log.
            log.warning("weekly report not delivered to one admin: %s", type(error).__name__)
    log.info("weekly report for the week of %s sent to %d admin(s)", digest.monday.isoformat(), sent)
    return sent


async def send_weekly_if_due(context: ContextTypes.DEFAULT_TYPE, now: datetime | None = None) -> int | None:
    """Send this week's report unless it is not due yet or has gone already; None when nothing was due.

    The digest is built before the week is claimed, so a database that is down costs only a retry at
    the next check; after the claim it goes once, even if another bot process checks at the same time.
    """
    runtime = runtime_of(context)
    now = now or clock.now()
    monday = due_week(now, runtime.settings.tz)
    if monday is None:
        return None
    async with runtime.sessions.begin() as session:
        if await week_reported(session, monday):
            return None
        if not await had_residents_before(session, previous_week(now, runtime.settings.tz)[2]):
            await claim_week(session, monday)  # nothing to report for that week, now or at the next check
            log.info("no weekly report for the week of %s: nobody was learning yet", monday.isoformat())
            return None
    digest = await _weekly_digest(runtime, now)
    async with runtime.sessions.begin() as session:
        if not await claim_week(session, digest.monday):
            return None
    return await _deliver_weekly(context, digest)


async def weekly_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        await send_weekly_if_due(context)
    except Exception as error:  # the database or the Bot API is down: the hourly check tries again
        log.warning("weekly report not sent yet: %s", type(error).__name__)


def schedule_weekly(application: Application) -> None:
    job_queue = application.job_queue
    if job_queue is None:
        log.warning("no job queue (python-telegram-bot[job-queue] missing): the weekly report is off")
        return
    runtime: Runtime = application.bot_data["runtime"]
    at = WEEKLY_TIME.replace(tzinfo=runtime.settings.tz)
    job_queue.run_daily(weekly_job, time=at, days=(MONDAY,), name="weekly-report")
    # A bot that was down at 07:30 on Monday (or restarted) catches up: at start and every hour.
    job_queue.run_repeating(weekly_job, interval=CATCH_UP_SECONDS, first=CATCH_UP_FIRST, name="weekly-report-catch-up")


# -- wiring ------------------------------------------------------------------------------------------------


def register(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("stats", on_stats, filters=private))
    application.add_handler(CommandHandler("export", on_export, filters=private))
    application.add_handler(CommandHandler("weeklyreport", on_weekly_toggle, filters=private))
    application.add_handler(CallbackQueryHandler(on_drill, pattern=callbacks.matching(StatsModule, StatsCommune)))


async def on_startup(application: Application) -> None:
    # Scheduled here, not in register(): only `python -m bot run` (not a test application) serves jobs.
    schedule_weekly(application)
