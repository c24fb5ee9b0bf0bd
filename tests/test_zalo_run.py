"""`python -m bot run` as a real process with Zalo settings: the web server starts and serves the journey
to a resident posting signed events; with Telegram settings too, a Telegram resident and a Zalo resident
learn at the same time in one process."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from bot.channels.telegram.testing.fake_bot_api import TOKEN, FakeBotApi, FakeUser, serve_http
from bot.channels.zalo.channel import WEBHOOK_PATH
from bot.channels.zalo.testing.fake_zalo_api import (
    APP_ID,
    APP_SECRET,
    FIRST_REFRESH_TOKEN,
    OA_SECRET_KEY,
    FakeZaloApi,
)
from bot.channels.zalo.testing.residents import ZaloResident
from bot.config import PROJECT_ROOT
from bot.content import load_catalog
from tests.support.cli import run_cli
from tests.support.journey import option, until
from tests.support.settings import LESSONS

EMAIL = load_catalog(LESSONS)[0].get("email", "vi")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def bot_process(tmp_path: Path, env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "DATABASE_URL", "WEB_"))}
    log = (tmp_path / "bot.log").open("w")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=PROJECT_ROOT, env={**clean, **env}, stdout=log, stderr=log
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.wait(), timeout=20)
        log.close()
    assert process.returncode == 0, (tmp_path / "bot.log").read_text()


async def quiet(resident: ZaloResident, settle: float = 0.3) -> None:
    """Until no new message has come for `settle` seconds."""
    count = -1
    while count != len(resident.messages()):
        count = len(resident.messages())
        await asyncio.sleep(settle)


def zalo_env(api: FakeZaloApi, port: int) -> dict[str, str]:
    return {
        "ZALO_APP_ID": APP_ID,
        "ZALO_APP_SECRET": APP_SECRET,
        "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
        "ZALO_REFRESH_TOKEN": FIRST_REFRESH_TOKEN,
        "ZALO_API_BASE_URL": api.url,
        "ZALO_OAUTH_BASE_URL": api.url,
        "WEB_PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "QUIET_HOURS": "off",
    }


async def zalo_learns_email(resident: ZaloResident) -> None:
    """Onboarding, the email module, its quiz and progress, each step waited for over real HTTP."""
    assert EMAIL is not None

    def last() -> str:
        return resident.last().text if resident.messages() else ""

    def since(count: int) -> str:
        return "\n".join(sent.text for sent in resident.messages()[count:])

    async def step(act: Callable[[], Awaitable[int]], expect: str) -> None:
        count = len(resident.messages())
        await act()
        # The answer must be in what came after the tap (an older screen may hold the same words), and a
        # paged screen is awaited whole: the next tap goes to its buttons, not to an older screen's.
        await until(lambda: len(resident.messages()) > count and expect in since(count), f"zalo: {expect!r}")
        await quiet(resident)

    await step(lambda: resident.send("xin chào"), "tiếng nào")
    await step(lambda: resident.press("Tiếng Việt"), "đồng ý")
    await step(lambda: resident.press("✅"), "xã nào")
    await step(lambda: resident.press("Nghĩa Tá"), "Chọn một bài học")
    await step(lambda: resident.press("Thư điện tử"), f"Bước 1/{len(EMAIL.steps)}")
    for number in range(2, len(EMAIL.steps) + 1):
        await step(lambda: resident.press("Tiếp tục"), f"Bước {number}/")
    await step(lambda: resident.press("Làm bài kiểm tra"), "Câu 1/")
    total = len(EMAIL.quiz.questions)
    for index, question in enumerate(EMAIL.quiz.questions):
        await step(lambda q=question: resident.press_where(option(q.answer)), "💡")
        label, expect = ("Xem kết quả", "") if index + 1 == total else ("Câu tiếp theo", "Câu")
        await step(lambda label=label: resident.press(label), expect)
    await until(lambda: "hoàn thành" in resident.texts(), "zalo: the module completed")
    await step(lambda: resident.send("tiến độ"), "Tiến độ")
    await until(lambda: "✅ Thư điện tử (email): hoàn thành" in last(), "zalo: progress")


async def telegram_learns_email(user: FakeUser) -> None:
    assert EMAIL is not None

    def last() -> str:
        return user.messages()[-1].text if user.messages() else ""

    async def press(label: str, expect: str) -> None:
        await user.press(label)
        await until(lambda: expect in last(), f"telegram: {expect!r} after {label!r}")

    await user.send("/start")
    await until(lambda: "tiếng nào" in last(), "telegram: welcome")
    await press("Tiếng Việt", "đồng ý")
    await press("✅", "xã nào")
    await press("Nghĩa Tá", "Chọn một bài học")
    await press("Thư điện tử", f"Bước 1/{len(EMAIL.steps)}")
    for number in range(2, len(EMAIL.steps) + 1):
        await press("Tiếp tục", f"Bước {number}/")
    await press("Làm bài kiểm tra", "Câu 1/")
    total = len(EMAIL.quiz.questions)
    for index, question in enumerate(EMAIL.quiz.questions):
        await user.press_where(option(question.answer))
        await until(lambda: "💡" in last(), f"telegram: verdict {index + 1}")
        if index + 1 < total:
            await press("Câu tiếp theo", f"Câu {index + 2}/")
        else:
            await press("Xem kết quả", f"{total}/{total}")
    await until(lambda: "hoàn thành" in last(), "telegram: the module completed")
    await user.send("/progress")
    await until(lambda: "✅ Thư điện tử (email): hoàn thành" in last(), "telegram: progress")


async def test_run_with_only_zalo_settings_serves_the_journey_over_the_webhook(
    database_url: str, tmp_path: Path
) -> None:
    zalo = FakeZaloApi()
    await zalo.start()
    port = free_port()
    try:
        async with bot_process(tmp_path, {**zalo_env(zalo, port), "DATABASE_URL": database_url}) as process:
            url = f"http://127.0.0.1:{port}"
            await until(lambda: _listening(port) or process.returncode is not None, "the web server to listen")
            assert process.returncode is None, (tmp_path / "bot.log").read_text()
            resident = ZaloResident(zalo, url + WEBHOOK_PATH, _nothing)
            await zalo_learns_email(resident)
            # With no Telegram in the process, the Zalo channel runs the outbox sender: a broadcast made
            # from the command line reaches the resident (who wrote just now: inside Zalo's 7 days).
            cli_env = {"DATABASE_URL": database_url, "QUIET_HOURS": "off"}
            made = await asyncio.to_thread(run_cli, "broadcast", "--text", "Họp thôn tối nay", env=cli_env)
            assert made.returncode == 0, made.stderr
            await until(lambda: "Họp thôn tối nay" in resident.texts(), "the broadcast on Zalo")
    finally:
        await zalo.stop()
    log = (tmp_path / "bot.log").read_text()
    for secret in (APP_SECRET, OA_SECRET_KEY, "refresh-", "access-"):
        assert secret not in log


async def test_a_telegram_and_a_zalo_resident_learn_at_the_same_time_in_one_process(
    database_url: str, tmp_path: Path
) -> None:
    zalo = FakeZaloApi()
    await zalo.start()
    telegram = FakeBotApi()
    runner, base_url = await serve_http(telegram)
    port = free_port()
    env = {
        **zalo_env(zalo, port),
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base_url,
    }
    try:
        async with bot_process(tmp_path, env) as process:
            await until(lambda: bool(telegram.calls_of("getUpdates")) or process.returncode is not None, "polling")
            await until(lambda: _listening(port) or process.returncode is not None, "the web server to listen")
            assert process.returncode is None, (tmp_path / "bot.log").read_text()

            async def push(update: dict) -> None:
                telegram.push_update(update)

            mai = FakeUser(telegram, push, 4242, "Mai")
            lan = ZaloResident(zalo, f"http://127.0.0.1:{port}{WEBHOOK_PATH}", _nothing)
            await asyncio.gather(telegram_learns_email(mai), zalo_learns_email(lan))
    finally:
        await runner.cleanup()
        await zalo.stop()


async def _nothing() -> None:
    await asyncio.sleep(0)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_run_with_zalo_app_id_but_no_secrets_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli("run", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "ZALO_APP_ID": APP_ID})
    assert result.returncode == 2
    assert result.stderr.strip() == "error: Zalo needs ZALO_APP_SECRET and ZALO_OA_SECRET_KEY as well as ZALO_APP_ID"
