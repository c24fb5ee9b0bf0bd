"""The built-in web server: health for a monitoring probe, on loopback."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp

from bot.runtime import Runtime
from bot.storage.db import create_engine
from bot.web.server import WebServer


async def test_health_says_ok_while_the_database_answers(runtime: Runtime) -> None:
    server = WebServer(runtime, "127.0.0.1", 0)
    await server.start()
    try:
        async with aiohttp.ClientSession() as client, client.get(f"{server.url}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"ok": True, "database": "ok"}
    finally:
        await server.stop()


async def test_health_says_503_when_the_database_is_down() -> None:
    down = create_engine("postgresql://postgres@127.0.0.1:1/nothing")  # nothing listens on port 1
    server = WebServer(SimpleNamespace(db=down), "127.0.0.1", 0)  # type: ignore[arg-type]
    await server.start()
    try:
        async with aiohttp.ClientSession() as client, client.get(f"{server.url}/healthz") as response:
            assert response.status == 503
            body = await response.json()
            assert body["ok"] is False and "Error" in body["database"]
    finally:
        await server.stop()
        await down.dispose()
