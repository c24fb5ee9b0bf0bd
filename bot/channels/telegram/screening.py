"""Updates Telegram sends that python-telegram-bot cannot read are skipped, not fatal.

PTB turns a getUpdates answer into `Update` objects all at once. One it cannot parse (a new Bot API
field of an unexpected shape, a proxy that mangles a field) fails the whole batch: the offset never
moves past it, so PTB fetches the same batch again at once, forever, logging the raw update (names,
texts) each time, and nothing else gets through. Here each update of the answer is tried on its own
first; one that cannot be read is logged once, by id and error type only, and replaced by an empty
update with the same id, which no handler matches and which moves the offset past it.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.channels.telegram.wrapping import WrappedRequest

log = logging.getLogger(__name__)


def screen_updates(result: list[Any]) -> list[Any]:
    """`result` with every update PTB cannot parse replaced by a bare {"update_id": ...} (or left out,
    when it has no usable id either)."""
    screened: list[Any] = []
    for item in result:
        try:
            Update.de_json(item, None)
        except Exception as error:  # whatever PTB raises, this one update must not stop the rest
            update_id = item.get("update_id") if isinstance(item, dict) else None
            log.warning("skipped update %s: it could not be read (%s)", update_id, type(error).__name__)
            if type(update_id) is int:
                screened.append({"update_id": update_id})
            continue
        screened.append(item)
    return screened


class ScreeningRequest(WrappedRequest):
    """The long-polling request, unchanged, except that getUpdates answers are screened."""

    async def post(
        self,
        url: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> Any:
        result = await super().post(url, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout)
        if url.rsplit("/", 1)[-1] == "getUpdates" and isinstance(result, list):
            return screen_updates(result)
        return result
