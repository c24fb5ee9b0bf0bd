"""Taps per second and latency of the real bot against a bare python-telegram-bot bot, in one run.

Two processes share the machine: this one serves a fake Bot API on loopback and plays N residents,
each tapping as soon as they see their next buttons (a closed loop); the other runs the bot under test
with long polling, exactly as `python -m bot run` does in production. The bare bot runs the same way.
Both run with PTB's rate limiter off: we measure the software's ceiling, and print Telegram's own limit
(~30 messages a second per bot) beside it.

    python -m bench.bench_bot [--residents 50] [--seconds 10] [--database sqlite|postgresql|both] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.channels.telegram.testing.fake_bot_api import TOKEN, FakeBotApi, SentMessage, serve_http
from bot.testing.databases import fresh_database_url

ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_LIMIT = 30  # messages a second per bot, Telegram's documented broadcast ceiling
FORWARD = ("Tiếp tục", "Làm bài kiểm tra", "Câu tiếp theo", "Xem kết quả", "Bài tiếp", "Làm lại")


class WatchedApi(FakeBotApi):
    """Wakes the resident whose chat just received new buttons."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.waiters: dict[int, asyncio.Future[None]] = {}

    async def call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status, payload = await super().call(method, params)
        if method in ("sendMessage", "editMessageText") and params.get("reply_markup"):
            chat = int(params["chat_id"])
            waiter = self.waiters.get(chat)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        return status, payload


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    timeouts: int = 0
    stuck: list[str] = field(default_factory=list)


def choose(message: SentMessage, rng: random.Random) -> str:
    buttons = message.buttons()
    for label, data in buttons:
        if any(word in label for word in FORWARD):
            return data
    options = [data for label, data in buttons if label[:3] in ("A. ", "B. ", "C. ", "D. ")]
    if options:
        return rng.choice(options)
    # A resident in the benchmark stays a resident: no declining consent, deleting data or leaving Vietnamese.
    avoid = ("Xoá", "ngôn ngữ", "Không đồng", "English", "don't agree")
    safe = [data for label, data in buttons if not any(word in label for word in avoid)]
    return rng.choice(safe or [data for _, data in buttons])


async def resident(api: WatchedApi, user_id: int, stop_at: float, measure_from: float, tally: Tally) -> None:
    rng = random.Random(user_id)
    user = api.user_dict(user_id, f"Cư dân {user_id}")
    update = api.message_update(user, "/start")
    while time.monotonic() < stop_at:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        api.waiters[user_id] = waiter
        sent = time.monotonic()
        api.push_update(update)
        try:
            await asyncio.wait_for(waiter, timeout=10)
        except TimeoutError:
            tally.timeouts += 1
            tally.stuck.append(
                str(update.get("callback_query", {}).get("data") or update.get("message", {}).get("text"))
            )
            update = api.message_update(user, "/menu")
            continue
        done = time.monotonic()
        if sent >= measure_from and done <= stop_at:
            tally.latencies.append(done - sent)
        message = next(m for m in reversed(api.chat_messages(user_id)) if m.buttons())
        update = api.callback_update(user, message, choose(message, rng))


async def measure(
    label: str, command: list[str], env: dict[str, str], residents: int, seconds: float
) -> dict[str, Any]:
    api = WatchedApi()
    runner, base_url = await serve_http(api)
    cpu: dict[str, float] = {}
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-bot-", suffix=".log", delete=False)  # noqa: SIM115
    profile = os.environ.get("BENCH_PROFILE")
    if profile:
        # py-spy (not a project dependency) samples each bot under load: BENCH_PROFILE=/tmp/profile writes
        # /tmp/profile-bot.txt, /tmp/profile-bare-httpx.txt and /tmp/profile-bare-aiohttp.txt
        name = "bot" if "bot" in command else "bare-" + env.get("BARE_HTTP", "httpx")
        command = [
            "py-spy",
            "record",
            "--gil",
            "--rate",
            "400",
            "--format",
            "raw",
            "-o",
            f"{profile}-{name}.txt",
            "--",
            *command,
        ]
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        env={**os.environ, **env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base_url},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        for _ in range(600):  # the bot is up once it polls
            if api.calls_of("getUpdates"):
                break
            if process.returncode is not None:
                raise RuntimeError(f"{label} exited; see {log.name}")
            await asyncio.sleep(0.05)
        warmup = 2.0
        start = time.monotonic()
        tally = Tally()
        asyncio.get_running_loop().call_later(warmup, lambda: cpu.update(bot=_cpu_seconds(process.pid), api=_own_cpu()))
        await asyncio.gather(
            *(resident(api, 10_000 + n, start + warmup + seconds, start + warmup, tally) for n in range(residents))
        )
        bot_cpu, api_cpu = _cpu_seconds(process.pid) - cpu["bot"], _own_cpu() - cpu["api"]
        window = [c for c in api.calls if start + warmup <= c.at <= start + warmup + seconds]
        polls = sum(1 for c in window if c.method == "getUpdates")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), timeout=15)
        except TimeoutError:
            process.kill()
        await runner.cleanup()
    latencies = sorted(tally.latencies)
    if tally.stuck:
        print(f"  unanswered taps: {sorted(set(tally.stuck))[:10]}; bot log: {log.name}", flush=True)
    return {
        "label": label,
        "taps_per_s": len(latencies) / seconds,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan"),
        "taps": len(latencies),
        "timeouts": tally.timeouts,
        # CPU time per tap is steadier than taps/s on a shared 2-core machine.
        "bot_cpu_ms": 1000 * bot_cpu / max(1, len(latencies)),
        "api_cpu_ms": 1000 * api_cpu / max(1, len(latencies)),
        "calls_per_tap": (len(window) - polls) / max(1, len(latencies)),
        "polls_per_tap": polls / max(1, len(latencies)),
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its threads (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def print_row(result: dict[str, Any]) -> None:
    print(
        f"{result['label']:<28} {result['taps_per_s']:>9.1f} {result['p50_ms']:>9.1f} {result['p99_ms']:>9.1f}"
        f" {result['taps']:>7} {result['timeouts']:>8} {result['bot_cpu_ms']:>12.2f} {result['api_cpu_ms']:>12.2f}"
        f" {result['calls_per_tap']:>10.2f} {result['polls_per_tap']:>10.2f}",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=3, help="bare and ours run alternately this many times")
    args = parser.parse_args()
    python = sys.executable
    quiet = {"LOG_LEVEL": "WARNING", "TELEGRAM_RATE_LIMITER": "false"}
    print(f"{args.residents} residents tapping in a closed loop for {args.seconds:.0f} s per bot (after 2 s warm-up)")
    print("the bots run alternately, round after round, so a slow moment of a shared machine hits both")
    header = f"{'bot':<28} {'taps/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'taps':>7} {'timeouts':>8}"
    print(f"{header} {'bot CPU/tap':>12} {'API CPU/tap':>12} {'calls/tap':>10} {'polls/tap':>10}")
    print("  (CPU in ms; the API side also plays the residents; calls = Bot API calls other than getUpdates)")
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    ratios: dict[str, list[float]] = {database: [] for database in databases}
    cpu_ratios: dict[str, list[float]] = {database: [] for database in databases}
    ours_rates: dict[str, list[float]] = {database: [] for database in databases}
    same_client: dict[str, list[float]] = {database: [] for database in databases}
    for _ in range(args.rounds):
        bare = await measure(
            "bare PTB bot (httpx, default)", [python, "-m", "bench.bare_bot"], quiet, args.residents, args.seconds
        )
        print_row(bare)
        bare_aiohttp = await measure(
            "bare PTB bot (aiohttp)",
            [python, "-m", "bench.bare_bot"],
            {**quiet, "BARE_HTTP": "aiohttp"},
            args.residents,
            args.seconds,
        )
        print_row(bare_aiohttp)
        for database in databases:
            with tempfile.TemporaryDirectory() as folder:
                url = await fresh_database_url(database, folder)
                ours = await measure(
                    f"digiskills bot ({database})",
                    [python, "-m", "bot", "run"],
                    {**quiet, "DATABASE_URL": url},
                    args.residents,
                    args.seconds,
                )
            print_row(ours)
            ratios[database].append(ours["taps_per_s"] / bare["taps_per_s"])
            same_client[database].append(ours["taps_per_s"] / bare_aiohttp["taps_per_s"])
            cpu_ratios[database].append(ours["bot_cpu_ms"] / bare["bot_cpu_ms"])
            ours_rates[database].append(ours["taps_per_s"])
    for database in databases:
        listed = ", ".join(f"{ratio:.2f}" for ratio in ratios[database])
        print(f"{database}: taps/s ratio to the bare bot, median {statistics.median(ratios[database]):.2f} ({listed})")
        print(
            f"  (target >= 0.5, aim 0.9); bot CPU per tap {statistics.median(cpu_ratios[database]):.2f}x the bare bot's"
        )
        listed = ", ".join(f"{ratio:.2f}" for ratio in same_client[database])
        print(
            f"  ratio to the bare bot on the same aiohttp client (the journey's own cost): "
            f"median {statistics.median(same_client[database]):.2f} ({listed})"
        )
        headroom = statistics.median(ours_rates[database]) / TELEGRAM_LIMIT
        print(f"  headroom over Telegram's ~{TELEGRAM_LIMIT} msg/s limit: {headroom:.1f}x")


if __name__ == "__main__":
    asyncio.run(main())
