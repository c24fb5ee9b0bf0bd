"""`python -m bot run` exits within 5 s of SIGTERM even when the Bot API does not answer (issue 15,
point 9): a service manager's stop must not depend on the network."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.testing.fake_bot_api import TOKEN, FakeBotApi, serve_http
from bot.config import PROJECT_ROOT
from tests.support.journey import until

STOP_WITHIN = 5.0


class HangingApi(FakeBotApi):
    """Once `hang` is set, every call is connected and never answered, until the test releases them
    (so that the emulator itself can stop at the end)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.hang = False
        self.released = asyncio.Event()

    async def call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.hang:
            await self.released.wait()
        return await super().call(method, params)


@pytest.mark.parametrize("hangs_from", ["the-start", "after-starting"])
async def test_bot_run_exits_within_5_s_of_sigterm_when_the_api_hangs(
    hangs_from: str, database_url: str, tmp_path: Path
) -> None:
    api = HangingApi()
    runner, base_url = await serve_http(api)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "ADMIN_IDS"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base_url, DATABASE_URL=database_url, LOG_LEVEL="WARNING")
    if hangs_from == "the-start":
        api.hang = True
    log = (tmp_path / "bot.log").open("w")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log
    )
    try:
        if hangs_from == "after-starting":
            await until(lambda: bool(api.calls_of("getUpdates")), "the bot to poll")
            api.hang = True
            await asyncio.sleep(1.0)  # calls in flight now hang: a poll, the "/" menus, the sender
        else:
            await asyncio.sleep(4.0)  # started and stuck on its first call
        assert process.returncode is None, (tmp_path / "bot.log").read_text()
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=30)
        finally:
            took = time.monotonic() - signalled
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        api.released.set()
        await runner.cleanup()
        log.close()
    assert took < STOP_WITHIN, (took, (tmp_path / "bot.log").read_text())
    assert process.returncode is not None
