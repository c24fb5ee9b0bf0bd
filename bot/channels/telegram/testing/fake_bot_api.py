"""A fake Telegram Bot API that answers like Telegram, for tests and benchmarks.

`FakeBotApi` holds the state (chats, messages, queued updates, injected failures) and answers method
calls. Two transports reach it:
- `FakeRequest`, a python-telegram-bot `BaseRequest`, for in-process tests;
- `serve_http()`, a real HTTP server on loopback (aiohttp), for tests and benchmarks that go through
  the network stack, and for running `python -m bot run` against it
  (`python -m bot.channels.telegram.testing.fake_bot_api`).

Failures answer the way Telegram does: 429 with `retry_after`, 403 "bot was blocked by the user",
400 "chat not found", 400 with `migrate_to_chat_id`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from bot import clock

BOT_ID = 777000
BOT_USERNAME = "digiskills_test_bot"
TOKEN = f"{BOT_ID}:TEST-token-never-logged"
SENDING_METHODS = {"sendMessage", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int
    at: float


@dataclass
class SentMessage:
    message_id: int
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None
    kind: str = "text"  # text | photo | voice | document
    file_name: str | None = None
    file_bytes: bytes | None = None
    media: str | None = None  # the file id a photo or voice was sent by (a relayed one keeps its id)

    def buttons(self) -> list[tuple[str, str]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    def to_api(self, bot: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "date": int(clock.now().timestamp()),
            "chat": {"id": self.chat_id, "type": "private" if self.chat_id > 0 else "group"},
            "from": bot,
        }
        if self.kind == "text":
            data["text"] = self.text
        else:
            data["caption"] = self.text
        if self.kind == "photo":
            data["photo"] = [{"file_id": self.media or "photo-1", "file_unique_id": "p1", "width": 1, "height": 1}]
        if self.kind == "voice":
            data["voice"] = {"file_id": self.media or "voice-1", "file_unique_id": "v1", "duration": 1}
        if self.kind == "document":
            data["document"] = {"file_id": "doc-1", "file_unique_id": "d1", "file_name": self.file_name or "file"}
        if self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data


@dataclass
class Failure:
    status: int
    description: str
    parameters: dict[str, Any] | None = None


@dataclass
class FakeBotApi:
    bot_id: int = BOT_ID
    username: str = BOT_USERNAME
    rate_limit: float | None = None  # sends a second, over all chats, before answering 429
    calls: list[Call] = field(default_factory=list)
    messages: dict[int, dict[int, SentMessage]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    missing: set[int] = field(default_factory=set)
    migrated: dict[int, int] = field(default_factory=dict)
    network_failures: dict[int, int] = field(default_factory=dict)  # chat -> how many sends fail
    scripted: deque[tuple[str, Failure]] = field(default_factory=deque)  # (method, failure) answered once
    latency: float = 0.0  # seconds each call takes, like a real network round trip
    down: bool = False  # the whole API unreachable: every call fails as a dropped connection
    # setMyCommands: (scope type, chat id or None, language code or "") -> command names
    command_menus: dict[tuple[str, int | None, str], list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        self._update_event = asyncio.Event()
        self._bucket_time = time.monotonic()
        self._bucket = 0.0
        self.throttled = 0

    # -- what tests look at ------------------------------------------------------------------------

    @property
    def me(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Digiskills", "username": self.username}

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def chat_messages(self, chat_id: int) -> list[SentMessage]:
        return list(self.messages.get(chat_id, {}).values())

    def last_message(self, chat_id: int) -> SentMessage:
        return self.chat_messages(chat_id)[-1]

    def sent_to(self, chat_id: int) -> int:
        return sum(
            1
            for call in self.calls
            if call.method in SENDING_METHODS and call.status == 200 and _int(call.params.get("chat_id")) == chat_id
        )

    # -- updates -----------------------------------------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def push_update(self, update: dict[str, Any]) -> None:
        self._updates.append(update)
        self._update_event.set()

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int(params.get("offset")) or 0
        timeout = float(params.get("timeout") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout:
            self._update_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._update_event.wait(), timeout=min(timeout, 1.0))
        limit = _int(params.get("limit")) or 100
        return self._updates[:limit]

    # -- the API -----------------------------------------------------------------------------------

    async def call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.latency:
            await asyncio.sleep(self.latency)
        status, payload = await self._answer(method, params)
        self.calls.append(Call(method, params, status, time.monotonic()))
        return status, payload

    def _throttle(self) -> Failure | None:
        if self.rate_limit is None:
            return None
        now = time.monotonic()
        # A leaky bucket of one second's worth of sends, like Telegram's broadcast limit.
        self._bucket = max(0.0, self._bucket - (now - self._bucket_time) * self.rate_limit)
        self._bucket_time = now
        if self._bucket + 1 > self.rate_limit:
            self.throttled += 1
            retry = max(1, int((self._bucket + 1 - self.rate_limit) / self.rate_limit + 0.999))
            return Failure(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        self._bucket += 1
        return None

    async def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.down:
            raise NetworkError("simulated outage: the Bot API does not answer")
        for index, (scripted_method, failure) in enumerate(self.scripted):
            if scripted_method == method:
                del self.scripted[index]
                return _failure(failure)
        chat_id = _int(params.get("chat_id"))
        if method in SENDING_METHODS and chat_id is not None:
            if chat_id in self.blocked:
                return _failure(Failure(403, "Forbidden: bot was blocked by the user"))
            if chat_id in self.missing:
                return _failure(Failure(400, "Bad Request: chat not found"))
            if chat_id in self.migrated:
                return _failure(
                    Failure(
                        400,
                        "Bad Request: group chat was upgraded to a supergroup chat",
                        {"migrate_to_chat_id": self.migrated[chat_id]},
                    )
                )
            if self.network_failures.get(chat_id):
                self.network_failures[chat_id] -= 1
                raise NetworkError("simulated connection reset")
            throttled = self._throttle()
            if throttled is not None:
                return _failure(throttled)
        handler = getattr(self, f"_m_{method}", None)
        result = handler(params) if handler else True
        if asyncio.iscoroutine(result):
            result = await result
        if isinstance(result, Failure):
            return _failure(result)
        return 200, {"ok": True, "result": result}

    def _m_getMe(self, params: dict[str, Any]) -> Any:
        return self.me

    @staticmethod
    def _menu_key(params: dict[str, Any]) -> tuple[str, int | None, str]:
        scope = _json(params.get("scope")) or {"type": "default"}
        return scope["type"], _int(scope.get("chat_id")), params.get("language_code") or ""

    def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        self.command_menus[self._menu_key(params)] = [command["command"] for command in _json(params["commands"])]
        return True

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> Any:
        self.command_menus.pop(self._menu_key(params), None)
        return True

    def menu_for(self, chat_id: int, language_code: str = "vi") -> list[str]:
        """The "/" menu a private chat sees, resolved as Telegram does: the chat's own scope before the
        default one, and within a scope the user's language before no language."""
        for key in (("chat", chat_id, language_code), ("chat", chat_id, ""), ("default", None, language_code)):
            if key in self.command_menus:
                return self.command_menus[key]
        return self.command_menus.get(("default", None, ""), [])

    def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        return self._get_updates(params)

    def _store(self, params: dict[str, Any], kind: str, text_key: str) -> dict[str, Any]:
        chat_id = _int(params["chat_id"])
        assert chat_id is not None
        message = SentMessage(
            message_id=next(self._ids),
            chat_id=chat_id,
            text=str(params.get(text_key) or ""),
            reply_markup=_json(params.get("reply_markup")),
            kind=kind,
            file_name=params.get("_file_name"),
            file_bytes=params.get("_file_bytes"),
            media=next((params[k] for k in ("photo", "voice") if isinstance(params.get(k), str)), None),
        )
        self.messages.setdefault(chat_id, {})[message.message_id] = message
        return message.to_api(self.me)

    def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        if not str(params.get("text") or "").strip():
            return Failure(400, "Bad Request: message text is empty")
        if len(str(params["text"])) > 4096:
            return Failure(400, "Bad Request: message is too long")
        return self._store(params, "text", "text")

    def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        return self._store(params, "photo", "caption")

    def _m_sendVoice(self, params: dict[str, Any]) -> Any:
        return self._store(params, "voice", "caption")

    def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        return self._store(params, "document", "caption")

    def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        chat_id, message_id = _int(params.get("chat_id")), _int(params.get("message_id"))
        message = self.messages.get(chat_id or 0, {}).get(message_id or 0)
        if message is None:
            return Failure(400, "Bad Request: message to edit not found")
        markup = _json(params.get("reply_markup"))
        if message.text == params.get("text") and message.reply_markup == markup:
            return Failure(400, "Bad Request: message is not modified")
        message.text, message.reply_markup = str(params.get("text")), markup
        return message.to_api(self.me)

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        chat_id, message_id = _int(params.get("chat_id")), _int(params.get("message_id"))
        message = self.messages.get(chat_id or 0, {}).get(message_id or 0)
        if message is None:
            return Failure(400, "Bad Request: message to edit not found")
        message.reply_markup = _json(params.get("reply_markup"))
        return message.to_api(self.me)

    def _m_deleteMessage(self, params: dict[str, Any]) -> Any:
        self.messages.get(_int(params.get("chat_id")) or 0, {}).pop(_int(params.get("message_id")) or 0, None)
        return True

    # -- building updates like Telegram sends them -------------------------------------------------

    def user_dict(self, user_id: int, first_name: str = "An", language_code: str = "vi") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}

    def message_update(
        self,
        user: dict[str, Any],
        text: str | None = None,
        *,
        chat: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(clock.now().timestamp()),
            "chat": chat or {"id": user["id"], "type": "private", "first_name": user["first_name"]},
            "from": user,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        message.update(extra or {})
        return {"update_id": self.next_update_id(), "message": message}

    def callback_update(self, user: dict[str, Any], message: SentMessage, data: str) -> dict[str, Any]:
        return {
            "update_id": self.next_update_id(),
            "callback_query": {
                "id": str(next(self._ids)),
                "from": user,
                "chat_instance": str(message.chat_id),
                "message": message.to_api(self.me),
                "data": data,
            },
        }

    def my_chat_member_update(self, user: dict[str, Any], old: str, new: str) -> dict[str, Any]:
        return {
            "update_id": self.next_update_id(),
            "my_chat_member": {
                "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
                "from": user,
                "date": int(clock.now().timestamp()),
                "old_chat_member": {"user": self.me, "status": old, **({"until_date": 0} if old == "kicked" else {})},
                "new_chat_member": {"user": self.me, "status": new, **({"until_date": 0} if new == "kicked" else {})},
            },
        }


def _failure(failure: Failure) -> tuple[int, dict[str, Any]]:
    payload: dict[str, Any] = {"ok": False, "error_code": failure.status, "description": failure.description}
    if failure.parameters:
        payload["parameters"] = failure.parameters
    return failure.status, payload


def _int(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# -- transport 1: in process ---------------------------------------------------------------------------


class FakeRequest(BaseRequest):
    """python-telegram-bot's request interface answered by a FakeBotApi, with no network at all."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        if request_data is not None and request_data.contains_files:
            for name, part in (request_data.multipart_data or {}).items():
                file_name, content = part[0], part[1]
                params["_file_name"], params["_file_bytes"] = file_name, content
                params.setdefault(name, f"attach://{name}")
        status, payload = await self.api.call(api_method, params)
        return status, json.dumps(payload).encode()


# -- transport 2: real HTTP on loopback -----------------------------------------------------------------


async def serve_http(
    api: FakeBotApi, host: str = "127.0.0.1", port: int = 0, ssl_context: Any = None
) -> tuple[Any, str]:
    """Serve the API over HTTP (HTTPS with `ssl_context`); returns (runner, base_url) ending in /bot."""
    from aiohttp import web

    async def handle(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = await request.json()
        elif request.can_read_body:
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    params["_file_name"], params["_file_bytes"] = value.filename, value.file.read()
                    params.setdefault(name, f"attach://{name}")
                else:
                    params[name] = value
        # Form fields carry JSON for objects and arrays (reply_markup, commands), plain text otherwise.
        params = {
            name: (_json(value) if isinstance(value, str) and value[:1] in "[{" else value)
            for name, value in params.items()
        }
        try:
            status, payload = await api.call(method, params)
        except NetworkError:
            # Drop the connection mid-request, as a flaky mobile network would.
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)
        return web.json_response(payload, status=status)

    async def control_update(request: web.Request) -> web.Response:
        api.push_update(await request.json())
        return web.json_response({"ok": True})

    async def control_state(request: web.Request) -> web.Response:
        chats = {
            str(chat): [{"message_id": m.message_id, "text": m.text, "buttons": m.buttons()} for m in messages.values()]
            for chat, messages in api.messages.items()
        }
        calls = [{"method": c.method, "status": c.status} for c in api.calls]
        return web.json_response({"chats": chats, "calls": calls, "throttled": api.throttled})

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/bot{token}/{method}", handle)
    app.router.add_get("/bot{token}/{method}", handle)
    app.router.add_post("/_control/update", control_update)
    app.router.add_get("/_control/state", control_state)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context)  # HTTPS when given a context
    await site.start()
    sockets = site._server.sockets  # type: ignore[union-attr]
    bound_port = sockets[0].getsockname()[1]
    return runner, f"{'https' if ssl_context else 'http'}://{host}:{bound_port}/bot"


# -- a resident at the other end ------------------------------------------------------------------------


Deliver = Callable[[dict[str, Any]], Awaitable[None]]


class FakeUser:
    """A person tapping and typing; `deliver` hands each update to the bot (in process or over HTTP)."""

    def __init__(
        self, api: FakeBotApi, deliver: Deliver, user_id: int, first_name: str = "An", language_code: str = "vi"
    ) -> None:
        self.api, self.deliver, self.id = api, deliver, user_id
        self.user = api.user_dict(user_id, first_name, language_code)

    async def send(self, text: str) -> None:
        await self.deliver(self.api.message_update(self.user, text))

    async def send_extra(self, extra: dict[str, Any]) -> None:
        await self.deliver(self.api.message_update(self.user, None, extra=extra))

    def messages(self) -> list[SentMessage]:
        return self.api.chat_messages(self.id)

    def last(self) -> SentMessage:
        return self.api.last_message(self.id)

    def find_button(self, label: str) -> tuple[SentMessage, str]:
        """The newest message with a button whose label contains `label`, and that button's data."""
        for message in reversed(self.messages()):
            for text, data in message.buttons():
                if label in text:
                    return message, data
        raise AssertionError(f"no button labelled {label!r}; last message: {self.last().text[:200]!r}")

    def find_button_where(self, wanted: Callable[[str], bool]) -> tuple[SentMessage, str]:
        """The newest message with a button whose callback data is `wanted`, and that data."""
        for message in reversed(self.messages()):
            for _, data in message.buttons():
                if wanted(data):
                    return message, data
        raise AssertionError(f"no such button; last message: {self.last().text[:200]!r}")

    async def press(self, label: str) -> None:
        message, data = self.find_button(label)
        await self.deliver(self.api.callback_update(self.user, message, data))

    async def press_where(self, wanted: Callable[[str], bool]) -> None:
        message, data = self.find_button_where(wanted)
        await self.deliver(self.api.callback_update(self.user, message, data))

    async def press_data(self, message: SentMessage, data: str) -> None:
        await self.deliver(self.api.callback_update(self.user, message, data))


def main() -> None:
    """Run the emulator on its own: `python -m bot.channels.telegram.testing.fake_bot_api --port 8081`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--rate-limit", type=float, default=None)
    args = parser.parse_args()

    async def serve() -> None:
        api = FakeBotApi(rate_limit=args.rate_limit)
        runner, url = await serve_http(api, port=args.port)
        print(f"fake Bot API at {url} (token {TOKEN}); POST updates to /_control/update", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
