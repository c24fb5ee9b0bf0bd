"""Another resident's reply latency while one resident floods the bot with 500 taps (issue 15, point 1).

The real Application, handlers and engine on a fresh SQLite file, talking to the fake Bot API in this
process with a simulated round trip (0 ms and 100 ms). A flooder's 500 button presses are put on the
update queue at once, as long polling delivers a burst; right after, another resident sends /progress.
What is timed is that resident's wait: from their update entering the queue to their reply reaching
the API. Each configuration is run with the processor PTB's design led to before (kept here as the
baseline: PTB's FIFO queue, the global slot taken before the resident's lock) and the bot's own now
(the fair queue that drops over-cap updates at the door and hands out updates by turns, one slot per
resident, a flooder giving way to other residents), in the same run, against the same no-flood latency.

    python -m bench.bench_flood [--taps 500] [--rtt-ms 0 100] [--quiet-samples 5] [--floods 5] [--rate-limiter]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from bot.channels.telegram.app import build_application
from bot.channels.telegram.testing.fake_bot_api import TOKEN, FakeBotApi, FakeRequest, FakeUser
from bot.config import PROJECT_ROOT, Settings
from bot.runtime import open_runtime

FLOODER, OTHER = 8001, 8002


class LegacyPerUserUpdateProcessor(BaseUpdateProcessor):
    """The processor before issue 15, verbatim in behaviour: PTB's process_update takes one of the
    global slots, then the update waits for its resident's lock while holding it."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = update.effective_user.id if isinstance(update, Update) and update.effective_user else 0
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def settings_for(folder: str, rate_limiter: bool) -> Settings:
    return Settings(
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        telegram_api_base_url="https://api.telegram.invalid/bot",
        database_url=f"sqlite+aiosqlite:///{Path(folder) / 'flood.sqlite3'}",
        lessons_dir=PROJECT_ROOT / "lessons",
        telegram_rate_limiter=rate_limiter,
        quiet_hours="",
        _env_file=None,  # type: ignore[call-arg]
    )


async def reply_latency(api: FakeBotApi, app: Application, other: FakeUser) -> float:
    """Seconds from the other resident's /progress entering the queue to its reply reaching the API."""
    sent_before = len(api.calls)
    asked = time.monotonic()
    await app.update_queue.put(Update.de_json(api.message_update(other.user, "/progress"), app.bot))
    while True:
        for call in api.calls[sent_before:]:
            if call.method == "sendMessage" and int(call.params["chat_id"]) == OTHER:
                return call.at - asked
        await asyncio.sleep(0.002)


async def run(
    processor_name: str, rtt: float, taps: int, quiet_samples: int, floods: int, rate_limiter: bool
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        settings = settings_for(folder, rate_limiter)
        runtime = await open_runtime(settings)
        api = FakeBotApi()
        processor = LegacyPerUserUpdateProcessor(256) if processor_name == "before" else None
        app = build_application(settings, runtime, request=FakeRequest(api), processor=processor)
        await app.initialize()

        async def deliver(update: dict[str, Any]) -> None:
            await app.process_update(Update.de_json(update, app.bot))

        flooder, other = FakeUser(api, deliver, FLOODER, "Nhanh"), FakeUser(api, deliver, OTHER, "Chậm")
        for user in (flooder, other):  # onboarded directly, before the clock starts
            await user.send("/start")
            await user.press("Tiếng Việt")
            await user.press("✅")
            await user.press("Nghĩa Tá")
        message, data = flooder.find_button("Tiến độ")
        api.latency = rtt
        await app.start()
        try:
            quiet, during, drained = [], [], []
            answered_before = len(api.calls_of("answerCallbackQuery"))
            for _ in range(floods):  # quiet samples between floods: both see the machine as it is then
                quiet += [await reply_latency(api, app, other) for _ in range(quiet_samples)]
                flood_started = time.monotonic()
                for _ in range(taps):
                    tap = api.callback_update(flooder.user, message, data)
                    await app.update_queue.put(Update.de_json(tap, app.bot))
                during.append(await reply_latency(api, app, other))
                await app.update_queue.join()  # PTB marks each update done once handled (or dropped)
                await asyncio.sleep(0.05)  # the burst's kind word, if any, goes out before the next
                drained.append(time.monotonic() - flood_started)
        finally:
            await app.stop()
            await app.shutdown()
            await runtime.close()
    # Each tap that ran answered its button once; a dropped one did not (bar one kind word a burst).
    answered = len(api.calls_of("answerCallbackQuery")) - answered_before
    return {
        "processor": processor_name,
        "rtt_ms": round(rtt * 1000),
        "quiet_ms": statistics.median(quiet) * 1000,
        "flood_ms": statistics.median(during) * 1000,
        "each_ms": [round(value * 1000, 1) for value in during],
        "taps_run": answered / floods,
        "drained_s": statistics.median(drained),
    }


async def main_async(args: argparse.Namespace) -> None:
    rows = []
    for rtt_ms in args.rtt_ms:
        for name in ("before", "after"):
            floods = 1 if name == "before" and rtt_ms else args.floods  # one 100 s flood is enough to see
            row = await run(name, rtt_ms / 1000, args.taps, args.quiet_samples, floods, args.rate_limiter)
            rows.append(row)
            print(
                f"{row['processor']:<7} rtt {row['rtt_ms']:>3} ms: another resident's reply "
                f"{row['quiet_ms']:7.1f} ms without a flood, {row['flood_ms']:8.1f} ms during {args.taps} taps "
                f"({row['flood_ms'] / row['quiet_ms']:5.1f}x; median of {row['each_ms']}); flooder's buttons "
                f"answered {row['taps_run']:.0f} a flood, flood over after {row['drained_s']:.1f} s",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--taps", type=int, default=500)
    parser.add_argument("--rtt-ms", type=int, nargs="+", default=[0, 100])
    parser.add_argument("--quiet-samples", type=int, default=3, help="no-flood samples before each flood")
    parser.add_argument("--floods", type=int, default=5, help="floods timed, one after the other (median)")
    parser.add_argument(
        "--rate-limiter", action="store_true", help="PTB's AIORateLimiter on (off: the software's ceiling)"
    )
    args = parser.parse_args()
    print(f"one flooder sends {args.taps} taps at once; rate limiter {'on' if args.rate_limiter else 'off'}")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
