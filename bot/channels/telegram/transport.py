"""The broadcast sender's way out to Telegram: one message, every answer turned into a `SendResult`.

The sender gets its own `telegram.Bot` (own connection pool, no AIORateLimiter): it paces itself at
BROADCAST_RATE, and the application's limiter stays free for interactive replies, so a broadcast to
thousands never makes a resident wait for the answer to a button.
"""

from __future__ import annotations

import contextlib
import warnings
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import BaseRequest

from bot.broadcast.sender import Kind, SendResult
from bot.channels.telegram.aiohttp_request import make_request
from bot.channels.telegram.keyboards import caption, inline_keyboard
from bot.config import Settings
from bot.messages import Reply

UNREACHABLE_BAD_REQUESTS = ("chat not found", "user not found", "peer_id_invalid", "chat_id is empty")
REASON_MAX = 120


def file_base_url(base_url: str) -> str:
    """https://api.telegram.org/bot -> https://api.telegram.org/file/bot (same for a self-hosted server)."""
    root, _, tail = base_url.rstrip("/").rpartition("/")
    return f"{root}/file/{tail}" if root else base_url


def sender_bot(settings: Settings, *, connections: int, request: BaseRequest | None = None) -> Bot:
    """A Bot for broadcasts only: same token and server as the application, its own HTTP pool."""
    assert settings.telegram_bot_token is not None
    return Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        base_file_url=file_base_url(settings.telegram_api_base_url),
        request=request
        or make_request(
            settings.telegram_http, connections, read_timeout=15.0, connect_timeout=10.0, pool_timeout=10.0
        ),
    )


class TelegramTransport:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, message: Reply) -> SendResult:
        markup = inline_keyboard(message)
        try:
            if message.media and message.media_kind == "voice":
                sent = await self.bot.send_voice(
                    chat_id, message.media, caption=caption(message.text), reply_markup=markup
                )
            elif message.media:
                sent = await self.bot.send_photo(
                    chat_id, message.media, caption=caption(message.text), reply_markup=markup
                )
            else:
                sent = await self.bot.send_message(chat_id, message.text, reply_markup=markup)
        except RetryAfter as error:
            return SendResult(Kind.RETRY_AFTER, seconds=_seconds(error))
        except Forbidden as error:
            return SendResult(Kind.UNREACHABLE, reason=_unreachable_reason(error))
        except ChatMigrated as error:
            return SendResult(Kind.MIGRATED, new_chat_id=error.new_chat_id)
        except BadRequest as error:  # a subclass of NetworkError: must come before it
            text = error.message.lower()
            if any(marker in text for marker in UNREACHABLE_BAD_REQUESTS):
                return SendResult(Kind.UNREACHABLE, reason="chat not found")
            return SendResult(Kind.FAILED, reason=_short(error))
        except NetworkError as error:  # TimedOut included: the message may or may not have arrived
            return SendResult(Kind.TRANSIENT, reason=f"network: {type(error).__name__}")
        except TelegramError as error:
            return SendResult(Kind.FAILED, reason=_short(error))
        return SendResult(Kind.SENT, message_id=sent.message_id)

    async def probe(self) -> bool:
        try:
            await self.bot.get_me()
        except TelegramError:
            return False
        return True


def _seconds(error: RetryAfter) -> float:
    # PTB 22 is moving `retry_after` from int to timedelta and warns on the int form; take either.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    seconds = 1.0
    with contextlib.suppress(TypeError, ValueError):
        seconds = float(value)
    return max(seconds, 0.0)


def _unreachable_reason(error: Forbidden) -> str:
    text = error.message.lower()
    if "blocked" in text:
        return "blocked"
    if "deactivated" in text:
        return "deactivated"
    return _short(error)


def _short(error: TelegramError) -> str:
    # Telegram's descriptions name the problem, never the message text or the token.
    return error.message[:REASON_MAX]
