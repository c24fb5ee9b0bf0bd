"""A Zalo bot for tests: the real channel and web server on loopback, talking to the fake Zalo API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.channels.zalo.channel import WEBHOOK_PATH, ZaloChannel
from bot.channels.zalo.testing.fake_zalo_api import (
    APP_ID,
    APP_SECRET,
    FIRST_REFRESH_TOKEN,
    OA_SECRET_KEY,
    FakeZaloApi,
)
from bot.channels.zalo.testing.residents import ZaloResident
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from bot.web.server import WebServer
from tests.support.settings import make_settings


def zalo_settings(database_url: str, api: FakeZaloApi, *, telegram: bool = False, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "zalo_app_id": APP_ID,
        "zalo_app_secret": APP_SECRET,
        "zalo_oa_secret_key": OA_SECRET_KEY,
        "zalo_refresh_token": FIRST_REFRESH_TOKEN,
        "zalo_api_base_url": api.url,
        "zalo_oauth_base_url": api.url,
        "web_port": 8080,  # replaced by an ephemeral port below
    }
    if not telegram:
        values["telegram_bot_token"] = None
    values.update(overrides)
    return make_settings(database_url, **values)


@dataclass
class ZaloBot:
    runtime: Runtime
    web: WebServer
    channel: ZaloChannel
    api: FakeZaloApi

    @property
    def webhook_url(self) -> str:
        return self.web.url + WEBHOOK_PATH

    def resident(self, user_id: str = "1876543210987654321") -> ZaloResident:
        return ZaloResident(self.api, self.webhook_url, self.channel.idle, user_id)


@asynccontextmanager
async def zalo_bot(settings: Settings, api: FakeZaloApi) -> AsyncIterator[ZaloBot]:
    runtime = await open_runtime(settings)
    web = WebServer(runtime, "127.0.0.1", 0)
    channel = ZaloChannel(settings, runtime, web)
    try:
        await channel.start()
        await web.start()
        yield ZaloBot(runtime, web, channel, api)
    finally:
        await web.stop()
        await channel.stop()
        await runtime.close()
