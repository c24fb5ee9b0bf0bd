"""A fake Zalo OpenAPI and OAuth server (aiohttp on loopback) that behaves like the real one where the
bot depends on it: consultation messages recorded per user, access tokens that expire or die, refresh
tokens that work once and rotate the pair, Zalo's error answers (HTTP 200 with `error` < 0) on demand,
and the 7-day window (-230) for users told to be outside it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.channels.zalo.api import INVALID_TOKEN, OUTSIDE_WINDOW

APP_ID = "1234567890123456789"
APP_SECRET = "app-secret-for-tests"
OA_SECRET_KEY = "oa-secret-key-for-tests"
FIRST_REFRESH_TOKEN = "refresh-0"


@dataclass
class Sent:
    user_id: str
    message: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.message.get("text") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        attachment = self.message.get("attachment") or {}
        return list((attachment.get("payload") or {}).get("buttons") or [])


@dataclass
class FakeZaloApi:
    sent: list[Sent] = field(default_factory=list)
    refreshes: list[str] = field(default_factory=list)  # the refresh tokens presented, in order
    names: dict[str, str] = field(default_factory=dict)  # user -> Zalo display name
    uploads: list[bytes] = field(default_factory=list)  # pictures uploaded (certificates)
    refused: list[tuple[str, int]] = field(default_factory=list)  # (user, error) answered instead of sending
    outside_window: set[str] = field(default_factory=set)  # users who last wrote more than 7 days ago
    errors: dict[str, list[int]] = field(default_factory=dict)  # user -> errors to answer next, in order
    calls: int = 0
    gate: asyncio.Event | None = None  # when set, every message waits for it (a slow Zalo)
    _access: set[str] = field(default_factory=set)
    _refresh: set[str] = field(default_factory=lambda: {FIRST_REFRESH_TOKEN})
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    url: str = ""

    # -- what a test changes ------------------------------------------------------------------------

    def kill_access_tokens(self) -> None:
        """Every access token issued so far stops working (answers -216), as when one expires early."""
        self._access.clear()

    def valid_refresh_tokens(self) -> set[str]:
        return set(self._refresh)

    def to(self, user_id: str) -> list[Sent]:
        return [sent for sent in self.sent if sent.user_id == user_id]

    # -- the server -----------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._cs)
        app.router.add_post("/v4/oa/access_token", self._token)
        app.router.add_get("/v2.0/oa/getoa", self._getoa)
        app.router.add_post("/v2.0/oa/upload/image", self._upload)
        app.router.add_get("/v3.0/oa/user/detail", self._user_detail)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _cs(self, request: web.Request) -> web.Response:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if request.headers.get("access_token") not in self._access:
            return web.json_response({"error": INVALID_TOKEN, "message": "Access token is invalid"})
        body = await request.json()
        user = str(body["recipient"]["user_id"])
        message = body["message"]
        _check_limits(message)
        scripted = self.errors.get(user)
        if scripted:
            error = scripted.pop(0)
            self.refused.append((user, error))
            return web.json_response({"error": error, "message": f"scripted error {error}"})
        if user in self.outside_window:
            self.refused.append((user, OUTSIDE_WINDOW))
            message_text = "User has not interacted with the OA in the past 7 days"
            return web.json_response({"error": OUTSIDE_WINDOW, "message": message_text})
        self.sent.append(Sent(user, message))
        return web.json_response({"error": 0, "message": "Success", "data": {"message_id": f"m{len(self.sent)}"}})

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
            return web.json_response({"error": -14002, "error_name": "Invalid app", "error_description": "bad app"})
        presented = str(form.get("refresh_token") or "")
        self.refreshes.append(presented)
        if form.get("grant_type") != "refresh_token" or presented not in self._refresh:
            description = "Invalid refresh token"
            return web.json_response({"error": -14014, "error_name": description, "error_description": description})
        self._refresh.discard(presented)  # a refresh token works once
        serial = next(self._serial)
        access, refresh = f"access-{serial}", f"refresh-{serial}"
        self._access.add(access)
        self._refresh.add(refresh)
        return web.json_response({"access_token": access, "refresh_token": refresh, "expires_in": "90000"})

    async def _upload(self, request: web.Request) -> web.Response:
        if request.headers.get("access_token") not in self._access:
            return web.json_response({"error": INVALID_TOKEN, "message": "Access token is invalid"})
        form = await request.post()
        upload = form.get("file")
        content = upload.file.read() if isinstance(upload, web.FileField) else b""
        if not content.startswith(b"\x89PNG"):
            return web.json_response({"error": -201, "message": "not an image"})
        self.uploads.append(content)
        return web.json_response({"error": 0, "data": {"attachment_id": f"img-{len(self.uploads)}"}})

    async def _user_detail(self, request: web.Request) -> web.Response:
        if request.headers.get("access_token") not in self._access:
            return web.json_response({"error": INVALID_TOKEN, "message": "Access token is invalid"})
        user = str(json.loads(request.query.get("data") or "{}").get("user_id") or "")
        if user not in self.names:
            return web.json_response({"error": -201, "message": "user not found"})
        return web.json_response({"error": 0, "data": {"user_id": user, "display_name": self.names[user]}})

    async def _getoa(self, request: web.Request) -> web.Response:
        return web.json_response({"error": 0, "data": {"name": "Fake OA"}})


def _check_limits(message: dict[str, Any]) -> None:
    """Zalo refuses messages beyond its limits; the fake fails the test loudly instead."""
    assert len(message.get("text") or "") <= 2000, "text over 2,000 characters"
    buttons = ((message.get("attachment") or {}).get("payload") or {}).get("buttons") or []
    assert len(buttons) <= 5, "more than 5 buttons"
    for button in buttons:
        assert len(button["title"]) <= 100, "button title over 100 characters"
        assert len(button["payload"]) <= 1000, "button payload over 1,000 characters"
