"""python-telegram-bot's networking on aiohttp instead of httpx (TELEGRAM_HTTP=aiohttp, the default).

Why: under load, PTB's default HTTPXRequest spent about half of the bot's CPU inside httpx, httpcore
and anyio (a scan of the whole connection pool, locks and cancel scopes on every call); the journey
itself (state machine, database) was a fifth. aiohttp does the same HTTP/1.1 keep-alive work for much
less; bench/bench_bot.py prints both. `BaseRequest` is PTB's documented extension point for this, and
PTB's own ptbcontrib offers the same idea; this is a small version without proxies beyond the usual
HTTP(S)_PROXY environment variables.
"""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded connection pool; timeouts as in PTB's HTTPXRequest."""

    __slots__ = ("_connect_timeout", "_connections", "_media_timeout", "_pool_timeout", "_read_timeout", "_session")

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_timeout = media_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        # Made here, inside the running loop: an aiohttp session belongs to the loop it was made in.
        if self._session is None or self._session.closed:
            # certifi's CA bundle, as httpx uses: a small server image without the system's CA
            # certificates still reaches api.telegram.org.
            tls = ssl.create_default_context(cafile=certifi.where())
            connector = aiohttp.TCPConnector(limit=self._connections, ssl=tls)
            self._session = aiohttp.ClientSession(connector=connector, trust_env=True)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data is not None and request_data.contains_files
        timeout = aiohttp.ClientTimeout(
            # A file upload may take long on a mountain connection; other calls are bounded per phase.
            total=self._media_timeout if files else None,
            connect=self._pick(pool_timeout, self._pool_timeout),  # waiting for a free pooled connection
            sock_connect=self._pick(connect_timeout, self._connect_timeout),
            sock_read=self._pick(read_timeout, self._read_timeout),  # long polling passes its own
        )
        body, headers = self._body(request_data)
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut(f"Bot API did not answer in time ({type(error).__name__})") from error
        except aiohttp.ClientError as error:
            # The class name says what went wrong even when the message is empty.
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    @staticmethod
    def _pick(value: Any, default: float | None) -> float | None:
        return default if value is BaseRequest.DEFAULT_NONE else value

    def _body(self, request_data: RequestData | None) -> tuple[Any, dict[str, str]]:
        """JSON for plain calls (the Bot API takes it, and it is cheaper to build than a urlencoded form
        of JSON values); multipart when a file goes up."""
        if request_data is None:
            return None, {"User-Agent": self.USER_AGENT}
        if not request_data.contains_files:
            return request_data.json_payload, {"User-Agent": self.USER_AGENT, "Content-Type": "application/json"}
        form = aiohttp.FormData(request_data.json_parameters)
        for name, (file_name, content, *mime) in (request_data.multipart_data or {}).items():
            form.add_field(name, content, filename=file_name, content_type=mime[0] if mime else None)
        return form, {"User-Agent": self.USER_AGENT}


def make_request(
    kind: str, connections: int, *, read_timeout: float = 5.0, connect_timeout: float = 5.0, pool_timeout: float = 1.0
) -> BaseRequest:
    """The HTTP client the settings ask for (TELEGRAM_HTTP): aiohttp, or PTB's default httpx."""
    if kind == "httpx":
        return HTTPXRequest(
            connection_pool_size=connections,
            read_timeout=read_timeout,
            write_timeout=read_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
    return AiohttpRequest(
        connections, read_timeout=read_timeout, connect_timeout=connect_timeout, pool_timeout=pool_timeout
    )
