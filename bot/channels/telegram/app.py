"""Build and run the python-telegram-bot Application around the engine."""

from __future__ import annotations

import functools
import logging
from types import ModuleType

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, BaseUpdateProcessor
from telegram.request import BaseRequest

from bot.channels.telegram import admin, certificates, handlers, helpdesk, menus, officer, roles
from bot.channels.telegram.aiohttp_request import make_request
from bot.channels.telegram.processor import PerUserUpdateProcessor
from bot.channels.telegram.screening import ScreeningRequest
from bot.channels.telegram.traffic import INTERACTIVE_TRAFFIC, CountingRequest
from bot.channels.telegram.transport import file_base_url
from bot.channels.telegram.update_queue import FairUpdateQueue
from bot.config import Settings
from bot.logsafety import redact_secrets_in_logs
from bot.runtime import Runtime

log = logging.getLogger(__name__)

# The parts of the Telegram bot, in the order their handlers are tried: officers', admins' and the help
# desk's before the residents' catch-alls. Each part may have register(application), on_startup(application) and
# on_shutdown(application); startup runs in this order, shutdown in reverse.
PARTS: tuple[ModuleType, ...] = (menus, roles, officer, admin, certificates, helpdesk, handlers)


def build_application(
    settings: Settings,
    runtime: Runtime | None = None,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    processor: BaseUpdateProcessor | None = None,
) -> Application:
    """The bot; `processor` replaces the per-resident update processor (benchmarks compare the old one)."""
    assert settings.telegram_bot_token is not None
    fair = PerUserUpdateProcessor(256) if processor is None else None
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_base_url(settings.telegram_api_base_url))
        .concurrent_updates(processor or fair)  # type: ignore[arg-type]  # exactly one of them is set
    )
    if fair is not None:
        # Updates take turns by resident, and one over their cap is dropped before it becomes a task.
        builder = builder.update_queue(FairUpdateQueue(admit=fair.admit))
        fair.admits_at_intake = True
    if request is None:
        # 32 connections keep Telegram's ~30 messages a second flowing at a 200 ms round trip from
        # Vietnam (32 / 0.2 s = 160 calls a second); PTB's 256 only made httpx's pool scans slower.
        request = make_request(settings.telegram_http, settings.telegram_connections)
        # Long polling holds its one connection for up to the poll timeout, passed per call.
        updates_request = make_request(settings.telegram_http, 1)
    # Counted so that the broadcast sender can give way to what residents are waiting for.
    traffic = CountingRequest(request)
    # An update PTB cannot parse is skipped instead of stopping all polling (bot.channels.telegram.screening).
    builder = builder.request(traffic).get_updates_request(ScreeningRequest(updates_request or request))
    if settings.telegram_rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    application = builder.build()
    if fair is not None:
        fair.on_overflow = functools.partial(handlers.ask_to_wait, application)
    application.bot_data["settings"] = settings
    application.bot_data[INTERACTIVE_TRAFFIC] = traffic
    if runtime is not None:
        application.bot_data["runtime"] = runtime
    for part in PARTS:
        if hasattr(part, "register"):
            part.register(application)
    return application


async def start_parts(application: Application) -> None:
    """Parts start their background work: the "/" menus, the broadcast sender, the weekly report."""
    for part in PARTS:
        if hasattr(part, "on_startup"):
            await part.on_startup(application)


async def stop_parts(application: Application) -> None:
    for part in reversed(PARTS):
        if hasattr(part, "on_shutdown"):
            await part.on_shutdown(application)


class TelegramChannel:
    """Telegram in `python -m bot run`: long polling into the handlers, and the parts' background work."""

    name = "telegram"

    def __init__(self, settings: Settings, runtime: Runtime) -> None:
        assert settings.telegram_bot_token is not None
        redact_secrets_in_logs([settings.telegram_bot_token.get_secret_value()])
        self.application = build_application(settings, runtime)
        self._parts_started = False

    async def start(self) -> None:
        """Raises InvalidToken or NetworkError when Telegram refuses the token or cannot be reached."""
        application = self.application
        await application.initialize()  # getMe: the token is checked here
        await start_parts(application)
        self._parts_started = True
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        log.info("bot @%s ready", application.bot.username)

    async def stop(self) -> None:
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        if self._parts_started:
            await stop_parts(application)
        await application.shutdown()


def explain_start_failure(error: BaseException, settings: Settings) -> str | None:
    """One line for the operator when Telegram refuses to start, or None for another kind of error."""
    if isinstance(error, InvalidToken):
        return "Telegram rejected TELEGRAM_BOT_TOKEN; copy it again from @BotFather"
    if isinstance(error, NetworkError):
        return f"cannot reach the Bot API at {settings.telegram_api_base_url}: {error}"
    return None
