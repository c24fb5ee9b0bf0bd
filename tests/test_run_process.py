"""`python -m bot run` as a real process, pointed at a Bot API emulator through TELEGRAM_API_BASE_URL:
a new resident goes from /start through the email module (one wrong answer) to /progress showing it done."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.channels.telegram.testing.fake_bot_api import TOKEN, FakeBotApi, FakeUser, serve_http
from bot.config import PROJECT_ROOT
from bot.content import load_catalog
from tests.support.journey import option, until
from tests.support.settings import LESSONS


async def test_bot_process_takes_a_resident_through_email(database_url: str, tmp_path: Path) -> None:
    api = FakeBotApi()
    runner, base_url = await serve_http(api)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "ADMIN_IDS"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=base_url,
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
    )
    log = (tmp_path / "bot.log").open("w")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log
    )
    try:
        await until(lambda: bool(api.calls_of("getUpdates")) or process.returncode is not None, "the bot to poll")
        assert process.returncode is None, (tmp_path / "bot.log").read_text()
        assert TOKEN not in (tmp_path / "bot.log").read_text()

        async def push(update: dict) -> None:
            api.push_update(update)

        user = FakeUser(api, push, 4242, "Mai")
        last = lambda: user.messages()[-1].text if user.messages() else ""  # noqa: E731

        async def press(label: str, expect: str) -> None:
            await user.press(label)
            await until(lambda: expect in last(), f"{expect!r} after pressing {label!r}; last: {last()[:80]!r}")

        await user.send("/start")
        await until(lambda: "tiếng nào" in last(), "welcome")
        await press("Tiếng Việt", "đồng ý")
        await press("✅", "xã nào")
        await press("Nghĩa Tá", "Chọn một bài học")
        email = load_catalog(LESSONS)[0].get("email", "vi")
        assert email is not None
        await press("Thư điện tử", f"Bước 1/{len(email.steps)}")
        for number in range(2, len(email.steps) + 1):
            await press("Tiếp tục", f"Bước {number}/")
        await press("Làm bài kiểm tra", "Câu 1/")
        total = len(email.quiz.questions)
        for index, question in enumerate(email.quiz.questions):
            choice = question.answer if index != 0 else (question.answer + 1) % len(question.options)
            await user.press_where(option(choice))
            await until(lambda: "💡" in last(), f"the verdict of question {index + 1}")
            if index + 1 < total:
                await press("Câu tiếp theo", f"Câu {index + 2}/")
            else:
                await press("Xem kết quả", f"{total - 1}/{total}")
        assert "hoàn thành" in last()
        await user.send("/progress")
        await until(lambda: "Tiến độ" in last(), "progress")
        assert "✅ Thư điện tử (email): hoàn thành" in last()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.wait(), timeout=20)
        await runner.cleanup()
        log.close()
    assert process.returncode == 0
    assert TOKEN not in (tmp_path / "bot.log").read_text()


async def test_bot_process_with_the_database_down_says_so_in_one_line() -> None:
    api = FakeBotApi()
    runner, base_url = await serve_http(api)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=base_url,
        DATABASE_URL="postgresql://postgres:secret@127.0.0.1:1/nothing",  # nothing listens on port 1
    )
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=PROJECT_ROOT, env=env, stderr=asyncio.subprocess.PIPE
        )
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        await runner.cleanup()
    last_line = stderr.decode().strip().splitlines()[-1]
    assert process.returncode == 2
    assert last_line.startswith("error: cannot open the database postgresql://postgres:***@127.0.0.1:1/nothing")
    assert "secret" not in stderr.decode() and TOKEN not in stderr.decode()
