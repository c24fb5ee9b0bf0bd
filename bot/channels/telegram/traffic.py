"""How many messages a second the bot is sending residents right now, for the broadcast sender to give way.

Counted at the HTTP layer, under PTB's rate limiter, so what is counted is what Telegram receives.
Only calls that put a message on a phone count (answering a button press does not).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.channels.telegram.wrapping import WrappedRequest

MESSAGE_METHODS = frozenset(
    {"sendMessage", "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "sendPhoto", "sendDocument"}
)
WINDOW = 1.0  # seconds
INTERACTIVE_TRAFFIC = "interactive_traffic"  # bot_data key of the application's CountingRequest


class CountingRequest(WrappedRequest):
    """Another BaseRequest, unchanged, that also counts the messages going through it."""

    def __init__(self, inner: BaseRequest, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(inner)
        self._clock = clock
        self._sent: deque[float] = deque()

    def rate(self) -> float:
        """Messages in the last second."""
        self._forget(self._clock())
        return len(self._sent) / WINDOW

    def _forget(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - WINDOW:
            self._sent.popleft()

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
        if url.rsplit("/", 1)[-1] in MESSAGE_METHODS:
            now = self._clock()
            self._sent.append(now)
            self._forget(now)
        return await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
