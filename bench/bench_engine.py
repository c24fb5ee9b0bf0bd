"""The engine alone, without Telegram: how long one update's transaction takes on each database.

    python -m bench.bench_engine [--residents 20] [--database sqlite|postgresql|both]

Each simulated resident registers, then reads the email module's steps back and forth; the figure is
updates per second and milliseconds per update, sequential (one resident) and concurrent.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time

from bench.databases import fresh_database_url
from bot.config import PROJECT_ROOT, Settings
from bot.learning.engine import Engine
from bot.messages import Event, EventKind, UserKey
from bot.runtime import open_runtime


async def journey(engine: Engine, user_id: int, rounds: int) -> int:
    key = UserKey("bench", 1, user_id, user_id)
    events = [Event(key, EventKind.COMMAND, "start")]
    events += [Event(key, EventKind.ACTION, action) for action in ("lang:vi", "ok:vi", "com:nghia-ta")]
    for _ in range(rounds):
        events.append(Event(key, EventKind.ACTION, "open:email"))
        events += [Event(key, EventKind.ACTION, f"next:email:{step}") for step in range(9)]
        events.append(Event(key, EventKind.ACTION, "menu"))
    for event in events:
        await engine.handle(event)
    return len(events)


async def measure(url: str, residents: int) -> tuple[float, float]:
    settings = Settings(database_url=url, lessons_dir=PROJECT_ROOT / "lessons", _env_file=None)  # type: ignore[call-arg]
    runtime = await open_runtime(settings)
    try:
        start = time.perf_counter()
        single = await journey(runtime.engine, 1, 5)
        sequential = (time.perf_counter() - start) / single
        start = time.perf_counter()
        counts = await asyncio.gather(*(journey(runtime.engine, 100 + n, 5) for n in range(residents)))
        concurrent = sum(counts) / (time.perf_counter() - start)
        return sequential, concurrent
    finally:
        await runtime.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for database in databases:
        with tempfile.TemporaryDirectory() as folder:
            url = await fresh_database_url(database, folder)
            sequential, concurrent = await measure(url, args.residents)
        print(
            f"{database:<10} one resident: {1000 * sequential:5.2f} ms/update ({1 / sequential:6.0f}/s);"
            f" {args.residents} residents at once: {concurrent:6.0f} updates/s",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
