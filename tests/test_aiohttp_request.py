"""The aiohttp networking under python-telegram-bot, against the fake Bot API over real loopback HTTP:
plain calls, file uploads, Telegram's errors, a dropped connection, a slow server and no server."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram.aiohttp_request import AiohttpRequest
from bot.channels.telegram.testing.fake_bot_api import TOKEN, Failure, FakeBotApi, serve_http

CHAT = 4242


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    runner, base_url = await serve_http(api)
    bot = Bot(TOKEN, base_url=base_url, request=AiohttpRequest(4, read_timeout=0.5))
    await bot.initialize()
    yield bot
    await bot.shutdown()
    await runner.cleanup()


async def test_a_message_with_a_keyboard_arrives_whole(bot: Bot, api: FakeBotApi) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Tiếp tục ➡️", callback_data="1|next")]])
    sent = await bot.send_message(CHAT, "Xin chào bà con 👋", reply_markup=keyboard)
    stored = api.last_message(CHAT)
    assert sent.message_id == stored.message_id
    assert stored.text == "Xin chào bà con 👋"
    assert stored.buttons() == [("Tiếp tục ➡️", "1|next")]
    assert sent.reply_markup == keyboard  # PTB parsed the answer back into objects


async def test_a_file_is_uploaded_as_multipart(bot: Bot, api: FakeBotApi) -> None:
    content = "Xã,Hoàn thành\nNghĩa Tá,12\n".encode()
    await bot.send_document(CHAT, content, filename="thong-ke.csv", caption="📊 Thống kê")
    stored = api.last_message(CHAT)
    assert (stored.kind, stored.text, stored.file_name, stored.file_bytes) == (
        "document",
        "📊 Thống kê",
        "thong-ke.csv",
        content,
    )


async def test_telegram_errors_become_ptb_exceptions(bot: Bot, api: FakeBotApi) -> None:
    api.blocked.add(CHAT)
    with pytest.raises(Forbidden):
        await bot.send_message(CHAT, "x")
    api.scripted.append(("sendMessage", Failure(429, "Too Many Requests", {"retry_after": 3})))
    with pytest.raises(RetryAfter):
        await bot.send_message(CHAT + 1, "x")
    api.scripted.append(("sendMessage", Failure(400, "Bad Request: message is too long")))
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(CHAT + 1, "x")


async def test_a_dropped_connection_is_a_network_error_and_the_next_call_works(bot: Bot, api: FakeBotApi) -> None:
    api.network_failures[CHAT] = 1
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT, "x")
    await bot.send_message(CHAT, "lại")  # the pool recovered
    assert api.last_message(CHAT).text == "lại"


async def test_a_slow_server_times_out(bot: Bot, api: FakeBotApi) -> None:
    api.latency = 1.0  # longer than the 0.5 s read timeout
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "x")


async def test_no_server_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest(1))
    with pytest.raises(NetworkError):
        await bot.initialize()
    await bot.shutdown()


@pytest.fixture
def self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server-side TLS context with a certificate that no authority signed."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    return tls


async def test_tls_certificates_are_verified(self_signed: ssl.SSLContext, api: FakeBotApi) -> None:
    """A server whose certificate no authority signed is refused: the Bot API token never goes to it."""
    runner, base_url = await serve_http(api, ssl_context=self_signed)
    assert base_url.startswith("https://")
    bot = Bot(TOKEN, base_url=base_url, request=AiohttpRequest(1))
    try:
        with pytest.raises(NetworkError, match=r"(?i)certificate|ssl"):
            await bot.initialize()
        assert not api.calls  # the request never reached the server's handler
    finally:
        await bot.shutdown()
        await runner.cleanup()
