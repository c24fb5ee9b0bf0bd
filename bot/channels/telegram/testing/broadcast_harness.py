"""A harness for broadcast runs across processes, shared by tests and bench/bench_broadcast.py: the fake
Bot API served over loopback HTTP in a process of its own, residents seeded in a database, and the
kill -9 and restart of `python -m bot run` half-way through a broadcast made with the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.broadcast import outbox
from bot.broadcast.sender import default_workers
from bot.channels.telegram.testing.broadcasting import seed_residents
from bot.channels.telegram.testing.fake_bot_api import TOKEN
from bot.config import PROJECT_ROOT
from bot.storage.db import create_engine, session_factory
from bot.storage.migrate import upgrade
from bot.storage.models import Resident

TEXT_MESSAGE = "Thông báo: họp thôn lúc 8 giờ sáng Chủ nhật tại nhà văn hoá."


# -- the fake Bot API in a process of its own ------------------------------------------------------------


def _serve(rate_limit: float | None, blocked: list[int], latency: float, ready: Any, delivered: Any) -> None:
    from bot.channels.telegram.testing.fake_bot_api import SENDING_METHODS, FakeBotApi, serve_http

    class CountingApi(FakeBotApi):
        """Counts delivered messages in shared memory, so watching progress costs the API nothing
        (reading /_control/state would stall it, and hold more messages in flight at a kill)."""

        async def call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            status, payload = await super().call(method, params)
            if method in SENDING_METHODS and status == 200:
                with delivered.get_lock():
                    delivered.value += 1
            return status, payload

    async def main() -> None:
        api = CountingApi(rate_limit=rate_limit, latency=latency)
        api.blocked.update(blocked)
        runner, url = await serve_http(api)
        ready.put(url)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


class ApiProcess:
    """`FakeBotApi` on loopback HTTP in a child process; `state()` reads what it saw."""

    def __init__(self, rate_limit: float | None, blocked: list[int], latency: float = 0.0) -> None:
        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        self._delivered = context.Value("q", 0)
        arguments = (rate_limit, blocked, latency, ready, self._delivered)
        self.process = context.Process(target=_serve, args=arguments, daemon=True)
        self.process.start()
        self.url: str = ready.get(timeout=30)

    @property
    def delivered(self) -> int:
        """Messages the API accepted so far, read without asking the API."""
        return int(self._delivered.value)

    def state(self) -> dict[str, Any]:
        root = self.url.rsplit("/bot", 1)[0]
        with urllib.request.urlopen(f"{root}/_control/state", timeout=30) as response:
            return json.loads(response.read())

    def sends(self) -> tuple[Counter[int], int, int]:
        """Messages per chat, 429s answered, and send calls made (any answer)."""
        state = self.state()
        per_chat = Counter({int(chat): len(messages) for chat, messages in state["chats"].items()})
        calls = sum(1 for call in state["calls"] if call["method"] == "sendMessage")
        return per_chat, int(state["throttled"]), calls

    def close(self) -> None:
        self.process.terminate()
        self.process.join(5)


# -- shared set-up ---------------------------------------------------------------------------------------


@dataclass
class Population:
    url: str
    chats: list[int]
    blocked: list[int]

    @property
    def reachable(self) -> list[int]:
        gone = set(self.blocked)
        return [chat for chat in self.chats if chat not in gone]


async def populate(url: str, residents: int, blocked_share: float) -> Population:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        chats = await seed_residents(session_factory(engine), residents)
    finally:
        await engine.dispose()
    step = max(1, round(1 / blocked_share)) if blocked_share > 0 else 0
    blocked = chats[::step] if step else []
    return Population(url, chats, blocked)


async def unreachable_residents(url: str) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            found = await session.scalar(
                select(func.count()).select_from(Resident).where(Resident.unreachable_at.is_not(None))
            )
            return int(found or 0)
    finally:
        await engine.dispose()


# -- 3: kill -9 and restart ------------------------------------------------------------------------------


@dataclass
class KillResult:
    recipients: int
    reachable: int
    sent_at_kill: int
    delivered: int
    missing: int
    duplicates: int
    throttled: int
    marked_unreachable: int
    blocked: int
    second_phase_rate: float
    seconds: float
    rate: float
    concurrency: int | None = None

    @property
    def verdict(self) -> str:
        if self.missing:
            return f"LOST {self.missing} message(s)"
        if not self.duplicates:
            return "every reachable resident got exactly one message"
        return (
            f"nothing lost; {self.duplicates} resident(s) got the message twice: the one(s) in flight at the kill "
            f"(the bound is one per concurrent send, {self.concurrency or default_workers(self.rate)})"
        )

    def line(self) -> str:
        return (
            f"kill -9 at {self.sent_at_kill}/{self.reachable} sent, restarted: delivered {self.delivered}/"
            f"{self.reachable}, missing {self.missing}, duplicates {self.duplicates}, 429s {self.throttled}, "
            f"blocked marked {self.marked_unreachable}/{self.blocked}, "
            f"after restart {self.second_phase_rate:.1f} sends/s, {self.seconds:.1f} s in all"
        )


def _bot_env(population: Population, api_url: str, rate: float) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "BROADCAST_"))}
    return {
        **clean,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api_url,
        "DATABASE_URL": population.url,
        "BROADCAST_RATE": str(rate),
        "QUIET_HOURS": "",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


async def _start_bot(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=PROJECT_ROOT, stdout=sink, stderr=sink
        )


async def _cli_broadcast(env: dict[str, str]) -> tuple[int, int]:
    command = [sys.executable, "-m", "bot", "broadcast", "--text", TEXT_MESSAGE, "--json"]
    pipe = asyncio.subprocess.PIPE
    process = await asyncio.create_subprocess_exec(*command, env=env, cwd=PROJECT_ROOT, stdout=pipe, stderr=pipe)
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"`python -m bot broadcast` failed: {err.decode()[-2000:]}")
    last = json.loads(out.decode().strip().splitlines()[-1])
    return int(last["id"]), int(last["recipients"])


async def kill_and_resume(
    population: Population,
    rate: float,
    kill_share: float = 0.5,
    workdir: Path | None = None,
    patience: float = 120.0,
    concurrency: int | None = None,
) -> KillResult:
    """The bot as in production: killed with SIGKILL once `kill_share` of the reachable residents got the
    message, then restarted to finish. The fake API enforces `rate` sends a second."""
    api = ApiProcess(rate, population.blocked)
    log = (workdir or Path(tempfile.mkdtemp())) / "bot.log"
    started = time.perf_counter()
    try:
        env = _bot_env(population, api.url, rate)
        if concurrency is not None:
            env["BROADCAST_CONCURRENCY"] = str(concurrency)
        bot = await _start_bot(env, log)
        broadcast_id, recipients = await _cli_broadcast(env)
        reachable = len(population.reachable)
        deadline = time.monotonic() + patience
        while api.delivered < kill_share * reachable:
            if bot.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the bot stopped or stalled before the kill; see {log}")
            await asyncio.sleep(0.005)
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
        sent_at_kill = api.delivered

        bot = await _start_bot(env, log)
        while api.delivered == sent_at_kill:  # the restarted bot's start-up
            if bot.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the restarted bot stopped or stalled; see {log}")
            await asyncio.sleep(0.02)
        resumed = time.perf_counter()
        engine = create_engine(population.url)
        sessions = session_factory(engine)
        try:
            while await outbox.status_of(sessions, broadcast_id) != outbox.DONE:
                if bot.returncode is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the restarted bot stopped or stalled; see {log}")
                await asyncio.sleep(0.02)
        finally:
            await engine.dispose()
        second_phase = time.perf_counter() - resumed
        bot.send_signal(signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(bot.wait(), 20)
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
        per_chat, throttled, _ = api.sends()
    finally:
        api.close()
    reachable_chats = population.reachable
    return KillResult(
        recipients=recipients,
        reachable=len(reachable_chats),
        sent_at_kill=sent_at_kill,
        delivered=sum(1 for chat in reachable_chats if per_chat[chat] >= 1),
        missing=sum(1 for chat in reachable_chats if per_chat[chat] == 0),
        duplicates=sum(per_chat[chat] - 1 for chat in reachable_chats if per_chat[chat] > 1),
        throttled=throttled,
        marked_unreachable=await unreachable_residents(population.url),
        blocked=len(population.blocked),
        second_phase_rate=(sum(per_chat.values()) - sent_at_kill) / second_phase,
        seconds=time.perf_counter() - started,
        rate=rate,
        concurrency=concurrency,
    )
