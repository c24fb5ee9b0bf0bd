"""The Zalo webhook under load: how fast it answers Zalo (which wants 200 within 2 s) and how many events
the channel handles a second, end to end, against the fake Zalo API on loopback.

    python -m bench.bench_zalo_webhook [--residents 20] [--events 10] [--database sqlite|postgresql]

Each resident onboards (the first 4 events), then types "tiến độ" and "menu" in turn. The figures are the
webhook's answer time (p50, p95, max: signature check, durable record, 200) and events handled a second
(every reply recorded by the fake Zalo API).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time

import aiohttp

from bot.actions import encode
from bot.channels.zalo.channel import WEBHOOK_PATH, ZaloChannel
from bot.channels.zalo.testing.fake_zalo_api import (
    APP_ID,
    APP_SECRET,
    FIRST_REFRESH_TOKEN,
    OA_SECRET_KEY,
    FakeZaloApi,
)
from bot.channels.zalo.testing.residents import event, signed
from bot.config import PROJECT_ROOT, Settings
from bot.learning.actions import ChooseCommune, ChooseLanguage, GiveConsent
from bot.learning.consent_notice import notice_version
from bot.runtime import open_runtime
from bot.testing.databases import fresh_database_url
from bot.web.server import WebServer

ONBOARDING = [
    "xin chào",
    encode(ChooseLanguage("vi")),
    encode(GiveConsent("vi", notice_version("vi"))),
    encode(ChooseCommune("nghia-ta")),
]


async def resident(client: aiohttp.ClientSession, url: str, user: str, events: int, answers: list[float]) -> None:
    texts = ONBOARDING + ["tiến độ" if n % 2 else "menu" for n in range(events)]
    for text in texts:
        raw, headers = signed(event(user, text=text))
        start = time.perf_counter()
        async with client.post(url, data=raw, headers=headers) as response:
            assert response.status == 200
        answers.append(time.perf_counter() - start)
        await asyncio.sleep(0.05)  # a person reads before tapping again; the channel keeps order anyway


async def measure(url: str, residents: int, events: int) -> None:
    api = FakeZaloApi()
    await api.start()
    settings = Settings(
        database_url=url,
        lessons_dir=PROJECT_ROOT / "lessons",
        zalo_app_id=APP_ID,
        zalo_app_secret=APP_SECRET,
        zalo_oa_secret_key=OA_SECRET_KEY,
        zalo_refresh_token=FIRST_REFRESH_TOKEN,
        zalo_api_base_url=api.url,
        zalo_oauth_base_url=api.url,
        _env_file=None,  # type: ignore[call-arg]
    )
    runtime = await open_runtime(settings)
    web = WebServer(runtime, "127.0.0.1", 0)
    channel = ZaloChannel(settings, runtime, web)
    await channel.start()
    await web.start()
    answers: list[float] = []
    try:
        start = time.perf_counter()
        async with aiohttp.ClientSession() as client:
            users = [str(10**18 + n) for n in range(residents)]
            await asyncio.gather(*(resident(client, web.url + WEBHOOK_PATH, u, events, answers) for u in users))
        await channel.idle()
        elapsed = time.perf_counter() - start
    finally:
        await web.stop()
        await channel.stop()
        await runtime.close()
        await api.stop()
    answers.sort()
    p95 = answers[int(0.95 * (len(answers) - 1))]
    print(
        f"{len(answers)} events from {residents} residents: webhook answered in p50 "
        f"{1000 * statistics.median(answers):.1f} ms, p95 {1000 * p95:.1f} ms, max {1000 * answers[-1]:.1f} ms; "
        f"{channel.handled / elapsed:.0f} events handled/s end to end; {len(api.sent)} messages sent",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=20)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = await fresh_database_url(args.database, folder)
        print(f"{args.database}: ", end="")
        await measure(url, args.residents, args.events)


if __name__ == "__main__":
    asyncio.run(main())
