"""Build and run the python-telegram-bot Application around the engine."""

from __future__ import annotations

import logging
import sys
from types import ModuleType

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot.channels.telegram import admin, handlers, menus, officer, roles
from bot.channels.telegram.aiohttp_request import make_request
from bot.channels.telegram.processor import PerUserUpdateProcessor
from bot.channels.telegram.traffic import INTERACTIVE_TRAFFIC, CountingRequest
from bot.channels.telegram.transport import file_base_url
from bot.config import Settings
from bot.logsafety import redact_secrets_in_logs
from bot.runtime import Runtime, open_runtime

log = logging.getLogger(__name__)

# The parts of the Telegram bot, in the order their handlers are tried: officers' and admins' before the
# residents' catch-alls. Each part may have register(application), on_startup(application) and
# on_shutdown(application); startup runs in this order, shutdown in reverse.
PARTS: tuple[ModuleType, ...] = (menus, roles, officer, admin, handlers)


def build_application(
    settings: Settings,
    runtime: Runtime | None = None,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> Application:
    assert settings.telegram_bot_token is not None
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_base_url(settings.telegram_api_base_url))
        .concurrent_updates(PerUserUpdateProcessor(256))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is None:
        # 32 connections keep Telegram's ~30 messages a second flowing at a 200 ms round trip from
        # Vietnam (32 / 0.2 s = 160 calls a second); PTB's 256 only made httpx's pool scans slower.
        request = make_request(settings.telegram_http, settings.telegram_connections)
        # Long polling holds its one connection for up to the poll timeout, passed per call.
        updates_request = make_request(settings.telegram_http, 1)
    # Counted so that the broadcast sender can give way to what residents are waiting for.
    traffic = CountingRequest(request)
    builder = builder.request(traffic).get_updates_request(updates_request or request)
    if settings.telegram_rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    application = builder.build()
    application.bot_data["settings"] = settings
    application.bot_data[INTERACTIVE_TRAFFIC] = traffic
    if runtime is not None:
        application.bot_data["runtime"] = runtime
    for part in PARTS:
        if hasattr(part, "register"):
            part.register(application)
    return application


async def _post_init(application: Application) -> None:
    if "runtime" not in application.bot_data:
        # Opened here, inside the loop that will serve updates: database connections belong to one loop.
        runtime = await open_runtime(application.bot_data["settings"])
        application.bot_data["runtime"] = runtime
        application.bot_data["owns_runtime"] = True
        if runtime.faults:
            log.warning("%d lesson fault(s): run `python -m bot lessons validate`", len(runtime.faults))
    # Parts start their background work here: the broadcast sender, the weekly report, the "/" menus.
    for part in PARTS:
        if hasattr(part, "on_startup"):
            await part.on_startup(application)
    log.info("bot @%s ready", application.bot.username)


async def _post_shutdown(application: Application) -> None:
    for part in reversed(PARTS):
        if hasattr(part, "on_shutdown"):
            await part.on_shutdown(application)
    if application.bot_data.get("owns_runtime"):
        await application.bot_data["runtime"].close()


def run_polling(settings: Settings) -> int:
    assert settings.telegram_bot_token is not None
    redact_secrets_in_logs([settings.telegram_bot_token.get_secret_value()])
    application = build_application(settings)
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        print("error: Telegram rejected TELEGRAM_BOT_TOKEN; copy it again from @BotFather", file=sys.stderr)
        return 2
    except NetworkError as error:
        print(f"error: cannot reach the Bot API at {settings.telegram_api_base_url}: {error}", file=sys.stderr)
        return 2
    except (DBAPIError, OSError) as error:
        # Raised from post_init when the database cannot be reached at start: say so in one line.
        url = make_url(settings.database_url).render_as_string(hide_password=True)
        print(f"error: cannot open the database {url}: {type(error).__name__}. Check DATABASE_URL.", file=sys.stderr)
        return 2
    return 0
