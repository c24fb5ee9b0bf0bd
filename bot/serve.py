"""`python -m bot run`: one process serving every configured channel, the built-in web server and the
background work (broadcasts, reports, the reminder scan), stopping cleanly on SIGTERM or Ctrl-C.

Channels are started from an explicit list: Telegram when TELEGRAM_BOT_TOKEN is set, Zalo when
ZALO_APP_ID is set, both in one process when both are. The web server starts when a part added routes
to it (Zalo's webhook does, and the certificate check page when PUBLIC_BASE_URL is set). A stop
finishes within a few seconds whatever the network or the database do: each piece gets a bounded time
to stop, then the process goes on without it (what was in flight is resent from the outbox at the next
start).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import Protocol

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.config import Settings
from bot.reminders.service import ReminderService
from bot.runtime import Runtime, open_runtime
from bot.web.server import WebServer

log = logging.getLogger(__name__)
# Seconds for all pieces together, then at most DATABASE_CLOSE for the database: with the interpreter's
# own exit that stays under the 5 s a service manager's stop should take, whatever the network does.
STOP_BUDGET = 3.0
DATABASE_CLOSE = 1.0


class Service(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def telegram_configured(settings: Settings) -> bool:
    token = settings.telegram_bot_token
    return token is not None and bool(token.get_secret_value().strip())


def zalo_configured(settings: Settings) -> bool:
    return bool((settings.zalo_app_id or "").strip())


def nothing_configured(settings: Settings) -> bool:
    return not telegram_configured(settings) and not zalo_configured(settings)


def run(settings: Settings) -> int:
    return asyncio.run(serve(settings))


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> int:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on this platform, or not main thread
            loop.add_signal_handler(sig, stop.set)
    try:
        runtime = await open_runtime(settings)
    except (DBAPIError, OSError) as error:
        url = make_url(settings.database_url).render_as_string(hide_password=True)
        return _fail(f"cannot open the database {url}: {type(error).__name__}. Check DATABASE_URL.")
    if runtime.faults:
        log.warning("%d lesson fault(s): run `python -m bot lessons validate`", len(runtime.faults))
    web = WebServer(runtime, settings.web_host, settings.web_port)
    _web_routes(settings, runtime, web)
    services = _services(settings, runtime, web)
    started: list[Service] = []
    try:
        for service in services:
            try:
                if not await _start_unless_stopped(service, stop):
                    started.append(service)  # half started: stop what it did start
                    log.info("stopped while starting %s", service.name)
                    return 0
            except Exception as error:
                line = _explain(service, error, settings)
                if line is None:
                    raise
                return _fail(line)
            started.append(service)
        if web.needed:
            try:
                await web.start()
            except OSError as error:
                return _fail(f"cannot listen on {settings.web_host}:{settings.web_port} ({error.strerror})")
        await stop.wait()
        log.info("stopping")
        return 0
    finally:
        await _stop_all([web, *reversed(started)])
        await _bounded(runtime.close(), "database", DATABASE_CLOSE)


def _services(settings: Settings, runtime: Runtime, web: WebServer) -> list[Service]:
    services: list[Service] = []
    if telegram_configured(settings):
        from bot.channels.telegram.app import TelegramChannel

        services.append(TelegramChannel(settings, runtime))
    if zalo_configured(settings):
        from bot.channels.zalo.channel import ZaloChannel

        # Without Telegram in this process, Zalo runs the outbox sender (broadcasts, reminders) itself.
        services.append(ZaloChannel(settings, runtime, web, own_sender=not telegram_configured(settings)))
    if services and settings.reminders:
        # After the channels: their senders deliver what the scan queues in the outbox.
        services.append(ReminderService(runtime))
    return services


def _web_routes(settings: Settings, runtime: Runtime, web: WebServer) -> None:
    """Routes that are not a channel's: the certificate check page, once there is a public address
    for its QR codes to lead to (PUBLIC_BASE_URL)."""
    if settings.public_base_url:
        from bot.certificates.service import Certificates
        from bot.web.verify_page import VerifyPage

        VerifyPage(Certificates(runtime.sessions, runtime.catalog, settings)).install(web)


def _explain(service: Service, error: BaseException, settings: Settings) -> str | None:
    if service.name == "telegram":
        from bot.channels.telegram.app import explain_start_failure

        return explain_start_failure(error, settings)
    if service.name == "zalo":
        from bot.channels.zalo.channel import ZaloConfigError

        return str(error) if isinstance(error, ZaloConfigError) else None
    return None


async def _start_unless_stopped(service: Service, stop: asyncio.Event) -> bool:
    """Start `service`; False if a stop was asked for first. A start can wait a long time on a network
    that does not answer (the Bot API's getMe): SIGTERM must not wait for it."""
    starting = asyncio.ensure_future(service.start())
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if starting.done():
        starting.result()  # raises the start's own failure, explained by the caller
        return True
    starting.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.wait_for(starting, 0.5)
    return False


async def _stop_all(pieces: list[object]) -> None:
    """Stop every piece, sharing one time budget; a piece that hangs is left behind, never waited for."""
    deadline = asyncio.get_running_loop().time() + STOP_BUDGET
    for piece in pieces:
        left = max(0.2, deadline - asyncio.get_running_loop().time())
        await _bounded(piece.stop(), getattr(piece, "name", type(piece).__name__), left)  # type: ignore[attr-defined]


async def _bounded(step: object, what: str, seconds: float) -> None:
    try:
        await asyncio.wait_for(step, seconds)  # type: ignore[arg-type]
    except TimeoutError:
        log.warning("%s did not stop within %.1f s; going on without it", what, seconds)
    except Exception as error:  # a stop that fails must not keep the others from stopping
        log.warning("%s failed to stop cleanly: %s", what, type(error).__name__)


def _fail(line: str) -> int:
    print(f"error: {line}", file=sys.stderr)
    return 2
