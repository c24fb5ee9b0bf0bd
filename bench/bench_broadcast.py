"""Broadcast delivery: achieved rate against the limit, 429s, the sender's own ceiling, kill-and-resume.

Three figures, each against a fake Bot API served over loopback HTTP in a process of its own (so the
API's work does not eat the sender's CPU), with some residents having blocked the bot:

1. paced     the real sender at BROADCAST_RATE against an API that answers 429 above a limit;
             then a second broadcast to the same residents, which must skip the blocked ones.
2. ceiling   the limit lifted (paid broadcasts allow up to 1000/s): the sender at 1000/s, and unbounded.
3. kill      `python -m bot run` as a subprocess; a broadcast made with the CLI; SIGKILL half-way;
             restart; every reachable resident must have exactly one message (duplicates reported).

    python -m bench.bench_broadcast [--residents 3000] [--rate 100] [--blocked 0.05] [--only paced,ceiling,kill]
        [--concurrency N]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.broadcast import service
from bot.broadcast.audience import Audience
from bot.broadcast.content import TEXT, Content
from bot.broadcast.sender import Sender, default_workers
from bot.channels.telegram.testing.broadcast_harness import (
    TEXT_MESSAGE,
    ApiProcess,
    Population,
    kill_and_resume,
    populate,
    unreachable_residents,
)
from bot.channels.telegram.testing.broadcasting import wait_for_status
from bot.channels.telegram.testing.fake_bot_api import TOKEN
from bot.channels.telegram.transport import TelegramTransport, sender_bot
from bot.config import Settings
from bot.content import load_catalog
from bot.storage.db import create_engine, session_factory

# -- set-up for the runs in this process ----------------------------------------------------------


def settings_for(database_url: str, api_url: str, rate: float) -> Settings:
    return Settings(  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api_url,
        database_url=database_url,
        broadcast_rate=rate,
        quiet_hours="",
        _env_file=None,
    )


async def create_text_broadcast(settings: Settings) -> tuple[int, int]:
    engine = create_engine(settings.database_url)
    try:
        catalog, _ = load_catalog(settings.lessons_dir)
        created = await service.create(
            session_factory(engine),
            service.Draft(Content(TEXT, text=TEXT_MESSAGE), Audience("all")),
            actor=None,
            catalog=catalog,
            tz=settings.tz,
            quiet=None,
        )
        return created.id, created.recipients
    finally:
        await engine.dispose()


# -- 1 and 2: the sender in this process -------------------------------------------------------------------


@dataclass
class Run:
    label: str
    rate: float
    limit: float | None
    recipients: int
    seconds: float
    calls: int
    throttled: int
    per_chat: Counter[int]

    def line(self, population: Population) -> str:
        reachable = population.reachable
        missing = sum(1 for chat in reachable if self.per_chat[chat] == 0)
        doubled = sum(self.per_chat[chat] - 1 for chat in reachable if self.per_chat[chat] > 1)
        limit = f"{self.limit:.0f}/s" if self.limit else "none"
        return (
            f"{self.label:<22} rate {self.rate:>7.0f}/s  API limit {limit:>7}  recipients {self.recipients:>5}  "
            f"{self.seconds:6.2f} s  achieved {self.calls / self.seconds:7.1f} sends/s "
            f"({100 * self.calls / self.seconds / self.rate:5.1f}% of rate)  429s {self.throttled}  "
            f"missing {missing}  duplicates {doubled}"
        )


async def paced_run(
    population: Population,
    label: str,
    rate: float,
    limit: float | None,
    latency: float = 0.0,
    workers: int | None = None,
) -> Run:
    api = ApiProcess(limit, population.blocked, latency)
    try:
        settings = settings_for(population.url, api.url, rate)
        broadcast_id, recipients = await create_text_broadcast(settings)
        engine = create_engine(population.url)
        sessions = session_factory(engine)
        workers = workers or default_workers(rate)
        bot = sender_bot(settings, connections=workers + 2)
        await bot.initialize()
        catalog, _ = load_catalog(settings.lessons_dir)
        sender = Sender(sessions, TelegramTransport(bot), catalog, rate=rate, workers=workers, poll_interval=0.05)
        started = time.perf_counter()
        task = asyncio.create_task(sender.run())
        await wait_for_status(sessions, broadcast_id, limit=3600)
        seconds = time.perf_counter() - started
        await sender.stop()
        await task
        await bot.shutdown()
        await engine.dispose()
        per_chat, throttled, calls = api.sends()
        return Run(label, rate, limit, recipients, seconds, calls, throttled, per_chat)
    finally:
        api.close()


# -- main ---------------------------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> None:
    only = set(args.only.split(","))
    print(f"{args.residents} residents, {args.blocked:.0%} of them blocked the bot; fake Bot API on loopback HTTP")
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        if "paced" in only:
            population = await populate(
                f"sqlite+aiosqlite:///{workdir / 'paced.sqlite3'}", args.residents, args.blocked
            )
            first = await paced_run(population, "paced", args.rate, args.rate)
            print(first.line(population))
            marked = await unreachable_residents(population.url)
            second = await paced_run(population, "second broadcast", 1000, None)
            to_blocked = sum(second.per_chat[chat] - first.per_chat[chat] for chat in population.blocked)
            print(
                f"{'':<22} blocked residents marked unreachable: {marked}/{len(population.blocked)}; second "
                f"broadcast recipients {second.recipients} (reachable {len(population.reachable)}), "
                f"sends to blocked chats: {to_blocked}"
            )
        if "ceiling" in only:
            for rate in (1000, 100_000):
                population = await populate(
                    f"sqlite+aiosqlite:///{workdir / f'ceiling{rate}.sqlite3'}", args.residents, args.blocked
                )
                label = "ceiling 1000/s" if rate == 1000 else "ceiling, unbounded"
                print((await paced_run(population, label, rate, None)).line(population))
            population = await populate(
                f"sqlite+aiosqlite:///{workdir / 'latency.sqlite3'}", args.residents, args.blocked
            )
            run = await paced_run(population, "1000/s, 50 ms RTT", 1000, None, latency=0.05)
            print(run.line(population))
        if "kill" in only:
            population = await populate(f"sqlite:///{workdir / 'kill.sqlite3'}", args.residents, args.blocked)
            result = await kill_and_resume(population, args.rate, workdir=workdir, concurrency=args.concurrency)
            print(result.line())
            print(f"{'':<22} {result.verdict}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=100.0, help="BROADCAST_RATE and the API's limit")
    parser.add_argument("--blocked", type=float, default=0.05, help="share of residents who blocked the bot")
    parser.add_argument("--only", default="paced,ceiling,kill")
    parser.add_argument("--concurrency", type=int, help="BROADCAST_CONCURRENCY for the kill run (default: computed)")
    asyncio.run(main(parser.parse_args()))
