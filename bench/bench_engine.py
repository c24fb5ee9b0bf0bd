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

from bot.actions import Action, encode
from bot.config import PROJECT_ROOT, Settings
from bot.learning.actions import ChooseCommune, ChooseLanguage, GiveConsent, NextStep, OpenModule, ReadAgain, ShowMenu
from bot.learning.consent_notice import notice_version
from bot.learning.engine import Engine
from bot.messages import Event, EventKind, UserKey
from bot.runtime import open_runtime
from bot.testing.databases import fresh_database_url


async def journey(engine: Engine, user_id: int, rounds: int) -> int:
    """Onboarding, then `rounds` times: open email, read every step, back to the menu. Every tap is a
    real move (none is answered as stale), which the outcomes are checked for."""
    key = UserKey("bench", 1, user_id, user_id)
    steps = len(engine.journey.catalog.get("email", "vi").steps)  # type: ignore[union-attr]
    taps: list[Action] = [ChooseLanguage("vi"), GiveConsent("vi", notice_version("vi")), ChooseCommune("nghia-ta")]
    for round_ in range(rounds):
        taps.append(OpenModule("email") if round_ == 0 else ReadAgain("email"))  # open resumes at the end
        taps += [NextStep("email", step) for step in range(steps - 1)]
        taps.append(ShowMenu())
    events = [Event(key, EventKind.COMMAND, "start")] + [Event(key, EventKind.ACTION, encode(tap)) for tap in taps]
    for event in events:
        outcome = await engine.handle(event)
        assert not outcome.stale, event
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
