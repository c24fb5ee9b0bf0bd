"""The outbox sender's way out to Zalo: one queued message to one resident, every answer turned into a
`SendResult` (bot/broadcast/sender.py paces, retries and records).

- -230 / -232 (no interaction within 7 days): outside the window, recorded apart, never retried. The
  sender checks the window itself before sending (Route.window); this is Zalo saying so when the bot's
  idea of the last interaction was wrong.
- -213 (not following): unreachable, never retried; broadcasts skip them until they follow again.
- -32 and HTTP 429 (rate limit), -211 (the OA's quota): every Zalo send waits, then goes on.
- No usable token, or no answer at all: transient; the sender's outage probe then asks for a token and
  Zalo's API, and pauses all Zalo sending, spending no message's attempts, until both answer.
"""

from __future__ import annotations

import aiohttp

from bot.broadcast.sender import Kind, SendResult
from bot.channels.zalo.api import (
    NOT_FOLLOWING,
    OUT_OF_QUOTA,
    OUTSIDE_WINDOW,
    OUTSIDE_WINDOW_TOO,
    RATE_LIMITED,
    Answer,
    ZaloApi,
)
from bot.channels.zalo.compose import compose
from bot.channels.zalo.ids import to_zalo_id
from bot.channels.zalo.tokens import TokenError
from bot.messages import Reply

RATE_LIMIT_PAUSE = 10.0  # seconds, when Zalo does not say how long (its numeric limits are UNCONFIRMED)
QUOTA_PAUSE = 300.0


class ZaloTransport:
    def __init__(self, api: ZaloApi, *, rate_limit_pause: float = RATE_LIMIT_PAUSE) -> None:
        self.api = api
        self.rate_limit_pause = rate_limit_pause

    async def send(self, chat_id: int, message: Reply) -> SendResult:
        user = to_zalo_id(chat_id)
        for payload in compose(message).messages:
            try:
                answer = await self.api.send_cs({"recipient": {"user_id": user}, "message": payload})
            except TokenError:
                return SendResult(Kind.TRANSIENT, reason="zalo: no usable access token")
            except (aiohttp.ClientError, TimeoutError) as error:
                return SendResult(Kind.TRANSIENT, reason=f"network: {type(error).__name__}")
            if not answer.ok:
                return result_of(answer, self.rate_limit_pause)
        return SendResult(Kind.SENT)

    async def probe(self) -> bool:
        try:
            assert self.api.tokens is not None
            await self.api.tokens.access_token()
        except (TokenError, aiohttp.ClientError, TimeoutError):
            return False
        return await self.api.probe()


def result_of(answer: Answer, rate_limit_pause: float = RATE_LIMIT_PAUSE) -> SendResult:
    if answer.status == 429 or answer.error == RATE_LIMITED:
        return SendResult(Kind.RETRY_AFTER, seconds=answer.retry_after or rate_limit_pause)
    if answer.error == OUT_OF_QUOTA:
        return SendResult(Kind.RETRY_AFTER, seconds=QUOTA_PAUSE)
    if answer.error in (OUTSIDE_WINDOW, OUTSIDE_WINDOW_TOO):
        return SendResult(Kind.OUTSIDE_WINDOW, reason=f"zalo {answer.error}: no interaction within 7 days")
    if answer.error == NOT_FOLLOWING:
        return SendResult(Kind.UNREACHABLE, reason="not following the OA")
    if answer.status >= 500:
        return SendResult(Kind.TRANSIENT, reason=f"zalo: HTTP {answer.status}")
    return SendResult(Kind.FAILED, reason=f"zalo error {answer.error}")
