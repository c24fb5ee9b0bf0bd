"""Zalo in `python -m bot run`: the signed webhook in, the engine, consultation messages out.

The webhook (`POST /zalo/webhook` on the built-in web server) checks the signature on the raw body,
records the event under its key (a retry changes nothing, also after a restart), answers 200 at once
and handles the event afterwards, in a task: Zalo wants its answer within 2 seconds. One resident's
events are handled in the order they came, different residents' concurrently.

Messages outside a reply (broadcasts, reminders) go through the outbox: the channel adds its route
(`ZaloTransport`, ZALO_RATE, Zalo's 7-day window) to the runtime, for the Telegram channel's sender to
use, or, when Telegram is not in this process, runs the outbox sender itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot import actions, clock
from bot.broadcast.audience import FREE_WINDOW
from bot.broadcast.lease import lease_for
from bot.broadcast.schedule import parse_quiet_hours
from bot.broadcast.sender import Route, Sender
from bot.channels.zalo import inbox, signature
from bot.channels.zalo.api import NOT_FOLLOWING, ZaloApi
from bot.channels.zalo.compose import compose, picture
from bot.channels.zalo.ids import NotAZaloId, to_key
from bot.channels.zalo.tokens import TokenError, Tokens
from bot.channels.zalo.transport import ZaloTransport
from bot.channels.zalo.words import command_of, number_of
from bot.config import Settings
from bot.learning.actions import GiveConsent, ShowHelp
from bot.logsafety import redact_secrets_in_logs
from bot.messages import Button, Event, EventKind, Outcome, Reply, UserKey
from bot.runtime import Runtime
from bot.storage.failures import describe, is_refused_data
from bot.storage.models import Resident
from bot.storage.vocabulary import Channel
from bot.texts import t
from bot.web.server import WebServer

log = logging.getLogger(__name__)
CHANNEL = Channel.ZALO
WEBHOOK_PATH = "/zalo/webhook"
SIGNATURE_HEADER = "X-ZEvent-Signature"
BOT_ID = 0  # one Official Account per deployment; the channel name keeps residents apart
RECORD_BUDGET = 1.5  # seconds to record an event: Zalo wants its answer within 2
TEXT_PAYLOAD_MAX = 200  # the engine never needs more of a typed message than this
NAME_BUDGET = 3.0  # seconds to learn a new resident's Zalo name; without it they register nameless
SCREENS_KEPT = 10_000  # residents whose last buttons are remembered for typed numbers
MEDIA_EVENTS = {
    "user_send_image": "photo",
    "user_send_gif": "photo",
    "user_send_sticker": "sticker",
    "user_send_audio": "voice",
    "user_send_video": "video",
    "user_send_file": "document",
    "user_send_location": "location",
    "user_send_link": "link",
    "user_send_business_card": "contact",
}
HANDLED = {"user_send_text", "follow", "unfollow", *MEDIA_EVENTS}


class ZaloConfigError(RuntimeError):
    """A setting Zalo needs is missing; the message names it."""


class ZaloChannel:
    name = "zalo"

    def __init__(
        self, settings: Settings, runtime: Runtime, web_server: WebServer, *, own_sender: bool = False
    ) -> None:
        self.settings, self.runtime = settings, runtime
        self.app_id = (settings.zalo_app_id or "").strip()
        secrets = [s.get_secret_value() for s in _secrets(settings)]
        redact_secrets_in_logs(secrets)
        self.api = ZaloApi(settings.zalo_api_base_url)
        self.api.tokens = Tokens(
            runtime.sessions,
            self.api.http,
            oauth_base_url=settings.zalo_oauth_base_url,
            app_id=self.app_id,
            app_secret=_secret(settings.zalo_app_secret),
            bootstrap_refresh_token=_secret(settings.zalo_refresh_token) or None,
        )
        self._oa_key = _secret(settings.zalo_oa_secret_key)
        web_server.add_route("POST", WEBHOOK_PATH, self.on_webhook)
        runtime.routes[CHANNEL] = Route(ZaloTransport(self.api), settings.zalo_rate, window=FREE_WINDOW[CHANNEL])
        self._own_sender = own_sender
        self.sender: Sender | None = None
        self._sender_task: asyncio.Task[None] | None = None
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._active: set[str] = set()  # keys of the events being handled now
        self._screens: OrderedDict[str, list[Button]] = OrderedDict()  # each resident's last buttons
        self.handled = 0  # events handled by this process (tests and health)

    async def start(self) -> None:
        missing = [
            name
            for name, value in (
                ("ZALO_APP_SECRET", self.settings.zalo_app_secret),
                ("ZALO_OA_SECRET_KEY", self.settings.zalo_oa_secret_key),
            )
            if not _secret(value)
        ]
        if missing:
            raise ZaloConfigError(f"Zalo needs {' and '.join(missing)} as well as ZALO_APP_ID")
        for key, event in await inbox.unhandled(self.runtime.sessions):
            self._spawn(key, event)  # received before the last stop, never handled: handle it now
        if self._own_sender:
            settings = self.settings
            self.sender = Sender(
                self.runtime.sessions,
                dict(self.runtime.routes),
                self.runtime.catalog,
                rate=settings.zalo_rate,
                workers=settings.broadcast_concurrency,
                quiet=parse_quiet_hours(settings.quiet_hours),
                tz=settings.tz,
                lease=lease_for(self.runtime.db),
            )
            self._sender_task = asyncio.create_task(self.sender.run(), name="zalo-outbox-sender")

    async def stop(self) -> None:
        if self.sender is not None and self._sender_task is not None:
            await self.sender.stop()
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._sender_task, 2.0)  # what was in flight goes again next start
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=2.0)
        for task in list(self._tasks):
            task.cancel()  # stays unhandled in the inbox: handled again at the next start
        await self.api.close()

    async def idle(self) -> None:
        """Wait until every event received so far has been handled (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- the webhook ---------------------------------------------------------------------------------

    async def on_webhook(self, request: web.Request) -> web.Response:
        header = request.headers.get(SIGNATURE_HEADER)
        if not header:
            return web.json_response({"ok": False, "error": "signature missing"}, status=401)
        body = await request.read()
        try:
            event = json.loads(body)
        except ValueError:
            event = None
        if not isinstance(event, dict):
            return web.json_response({"ok": False, "error": "not a JSON object"}, status=400)
        timestamp = str(event.get("timestamp") or "")
        if not signature.verify(header, self.app_id, body, timestamp, self._oa_key):
            log.warning("zalo: an event with a bad signature was refused")
            return web.json_response({"ok": False, "error": "bad signature"}, status=401)
        if event.get("event_name") not in HANDLED:
            return web.json_response({"ok": True})  # seen, delivered, the OA's own messages: nothing to do
        key = inbox.key_of(event)
        if key is None:
            return web.json_response({"ok": True})
        try:
            async with asyncio.timeout(RECORD_BUDGET):
                fresh = await inbox.record(self.runtime.sessions, key, event)
                # A retry of an event recorded but never handled here: the first delivery's record
                # committed only after its answer had run out of time (503), so nobody took it up.
                waiting = None
                if not fresh and key not in self._active:
                    waiting = await inbox.still_unhandled(self.runtime.sessions, key)
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            # Perhaps not recorded: say so, and Zalo sends the event again later.
            log.warning("zalo: cannot record an event (%s); Zalo will retry", type(error).__name__)
            return web.json_response({"ok": False, "error": "busy"}, status=503)
        if fresh or waiting is not None:
            self._spawn(key, event)
        return web.json_response({"ok": True})

    def _spawn(self, key: str, event: dict[str, Any]) -> None:
        if key in self._active:
            return
        task = asyncio.create_task(self._process(key, event), name=f"zalo-event-{key[:24]}")
        self._tasks.add(task)
        self._active.add(key)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: self._active.discard(key))

    async def _process(self, key: str, event: dict[str, Any]) -> None:
        user = _user_of(event) or ""
        lock = self._locks.setdefault(user, asyncio.Lock())
        self._waiting[user] = self._waiting.get(user, 0) + 1
        try:
            async with lock:  # FIFO: one resident's events in the order they came
                try:
                    await self._handle(event, user)
                except Exception:
                    # A bug, not the resident's fault: logged without what they wrote.
                    log.exception("zalo: handling event %s failed", event.get("event_name"))
                with contextlib.suppress(SQLAlchemyError, OSError):
                    await inbox.mark_handled(self.runtime.sessions, key)
                self.handled += 1
        finally:
            self._waiting[user] -= 1
            if not self._waiting[user]:  # forget idle residents so the tables do not grow forever
                del self._waiting[user]
                del self._locks[user]

    async def _handle(self, event: dict[str, Any], user: str) -> None:
        name = event.get("event_name")
        try:
            number = to_key(user)
        except NotAZaloId:
            log.warning("zalo: event %s without a usable user id skipped", name)
            return
        if name == "unfollow":
            await self._mark(number, gone=True)
            return
        if name == "follow":
            await self._mark(number, gone=False)
            await self._run(user, Event(self._key(number), EventKind.COMMAND, "start"))
            return
        if name in MEDIA_EVENTS:
            await self._run(user, Event(self._key(number), EventKind.MEDIA, MEDIA_EVENTS[name]))
            return
        message = event.get("message")
        text = str(message.get("text") or "") if isinstance(message, dict) else ""
        await self._run(user, self._text_event(self._key(number), user, text))

    def _key(self, number: int) -> UserKey:
        return UserKey(CHANNEL, BOT_ID, number, number)

    def _text_event(self, key: UserKey, user: str, text: str) -> Event:
        """A button's payload, a typed command word, a typed button number, or plain text."""
        if actions.looks_like_action(text):
            return Event(key, EventKind.ACTION, text[: actions_max()])
        command = command_of(text)
        if command is not None:
            return Event(key, EventKind.COMMAND, command[0], argument=command[1][:TEXT_PAYLOAD_MAX])
        number, buttons = number_of(text), self._screens.get(user)
        if number is not None and buttons and number <= len(buttons):
            return Event(key, EventKind.ACTION, actions.encode(buttons[number - 1].action))
        return Event(key, EventKind.TEXT, text[:TEXT_PAYLOAD_MAX])

    async def _run(self, user: str, event: Event) -> None:
        if event.kind is EventKind.ACTION and isinstance(actions.decode(event.payload), GiveConsent):
            # Registering: Zalo's events carry no name, so ask for it once (the greeting, the certificate).
            event = dataclasses.replace(event, display_name=await self._name_of(user))
        try:
            outcome = await self.runtime.engine.handle(event)
        except (DBAPIError, OSError, TimeoutError) as error:
            language = self.settings.default_language
            if is_refused_data(error):
                # Not an outage: the same event would fail again. Nothing was written; logged as the bug it
                # is, without the values (a name, a text).
                log.error("zalo: the database refused an event's data (%s)", describe(error))
                await self.deliver(user, Outcome([Reply(t(language, "data_refused"))]))
                return
            # Nothing was written (the transaction rolled back): the resident can simply try again.
            log.warning("zalo: database unavailable while handling an event: %s", describe(error))
            await self.deliver(user, Outcome([Reply(t(language, "db_down"))]))
            return
        if _asks_for_help(event):
            outcome.replies.append(Reply(t(await self._language(event.key.user_id), "zalo_help")))
        await self.deliver(user, outcome)

    async def deliver(self, user: str, outcome: Outcome) -> None:
        """Send the outcome as new messages (Zalo cannot edit one); a button press's notice goes first."""
        messages: list[dict[str, Any]] = []
        if outcome.notice:
            messages.append({"text": outcome.notice})
        for reply in outcome.replies:
            if reply.attachment is not None and reply.attachment.kind == "picture":  # Zalo: pictures only
                uploaded = await self._upload(reply.attachment.render, reply.attachment.filename)
                if uploaded is not None:
                    messages.append(picture(uploaded))
            composed = compose(reply)
            messages += composed.messages
            if composed.buttons:
                self._remember(user, composed.buttons)
        for message in messages:
            if not await self._send(user, message):
                return  # the rest would not arrive either, or out of order

    async def _send(self, user: str, message: dict[str, Any]) -> bool:
        try:
            answer = await self.api.send_cs({"recipient": {"user_id": user}, "message": message})
        except TokenError as error:
            log.error("zalo: cannot send: %s", error)
            return False
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("zalo: sending a reply failed: %s", type(error).__name__)
            return False
        if answer.ok:
            return True
        log.warning("zalo: a reply was refused (error %d)", answer.error)
        if answer.error == NOT_FOLLOWING:
            with contextlib.suppress(ValueError):
                await self._mark(to_key(user), gone=True, reason="not following")
        return False

    async def _upload(self, render: Callable[[], bytes], filename: str) -> str | None:
        """Draw the picture (off the event loop) and upload it; None when that fails, and the caption
        goes alone: a certificate's text still says what it certifies."""
        try:
            drawn = await asyncio.to_thread(render)
            answer = await self.api.upload_image(drawn, filename)
        except (TokenError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("zalo: uploading a picture failed: %s", type(error).__name__)
            return None
        attachment_id = answer.data.get("attachment_id") if answer.ok else None
        if not attachment_id:
            log.warning("zalo: Zalo refused a picture (error %d); its caption goes alone", answer.error)
            return None
        return str(attachment_id)

    async def _name_of(self, user: str) -> str | None:
        try:
            async with asyncio.timeout(NAME_BUDGET):
                return await self.api.display_name(user)
        except (TokenError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("zalo: cannot ask for a resident's name: %s", type(error).__name__)
            return None

    def _remember(self, user: str, buttons: list[Button]) -> None:
        self._screens[user] = buttons
        self._screens.move_to_end(user)
        while len(self._screens) > SCREENS_KEPT:
            self._screens.popitem(last=False)

    async def _mark(self, number: int, *, gone: bool, reason: str = "unfollowed") -> None:
        """Unfollowed: broadcasts skip them until they follow again."""
        values: dict[str, Any] = (
            {"unreachable_at": clock.now(), "unreachable_reason": reason}
            if gone
            else {"unreachable_at": None, "unreachable_reason": None}
        )
        async with self.runtime.sessions.begin() as session:
            await session.execute(
                update(Resident).where(Resident.channel == CHANNEL, Resident.external_id == number).values(**values)
            )

    async def _language(self, number: int) -> str:
        async with self.runtime.sessions() as session:
            language = await session.scalar(
                select(Resident.language).where(Resident.channel == CHANNEL, Resident.external_id == number)
            )
        return language or self.settings.default_language


def actions_max() -> int:
    return 1000  # Zalo's limit for a button's payload; the engine decodes strictly anyway


def _asks_for_help(event: Event) -> bool:
    if event.kind is EventKind.COMMAND:
        return event.payload == "help"
    return event.kind is EventKind.ACTION and isinstance(actions.decode(event.payload), ShowHelp)


def _user_of(event: dict[str, Any]) -> str | None:
    """The OA-scoped id of the person: the sender of a user event, the follower of a (un)follow."""
    for field in ("follower", "sender"):
        part = event.get(field)
        if isinstance(part, dict) and part.get("id"):
            return str(part["id"])
    return None


def _secret(value: Any) -> str:
    return value.get_secret_value().strip() if value is not None else ""


def _secrets(settings: Settings) -> list[Any]:
    return [
        s for s in (settings.zalo_app_secret, settings.zalo_oa_secret_key, settings.zalo_refresh_token) if s is not None
    ]
