"""The built-in web server: an aiohttp application on WEB_HOST:WEB_PORT that parts add routes to.

`GET /healthz` is always there: 200 with {"ok": true, ...} when the database answers, 503 otherwise,
for a load balancer or a monitoring probe.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import text

from bot.runtime import Runtime

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HEALTH_TIMEOUT = 2.0


class WebServer:
    def __init__(self, runtime: Runtime, host: str, port: int) -> None:
        self.runtime = runtime
        self.host, self.port = host, port
        self.app = web.Application(client_max_size=1024 * 1024)  # no endpoint takes more than a webhook event
        self.app.router.add_get("/healthz", self._health)
        self._runner: web.AppRunner | None = None
        self.needed = False  # set by a part whose routes must be served

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        self.app.router.add_route(method, path, handler)
        self.needed = True

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)  # an access log would hold ids in URLs
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:  # an ephemeral port (tests): learn which one
            self.port = self._runner.addresses[0][1]
        log.info("web server listening on http://%s:%d", self.host, self.port)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _health(self, request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT), self.runtime.db.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:  # the database is down or slow: say so, never a stack trace
            return web.json_response({"ok": False, "database": type(error).__name__}, status=503)
        return web.json_response({"ok": True, "database": "ok"})
