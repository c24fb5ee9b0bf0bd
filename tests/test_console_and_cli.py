"""The terminal chat and the command line: what `make run` does before a token exists."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.channels.console import run_console
from bot.config import Settings
from tests.support.cli import run_cli
from tests.support.settings import make_settings


async def test_terminal_chat_walks_a_module_and_exits_at_end_of_input(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'chat.sqlite3'}")
    # language, consent, commune, open the first module, continue, some text, a bad number, end of input
    keys = io.StringIO("1\n1\n1\n1\n1\nxin chào\n99\n")
    out = io.StringIO()
    assert await run_console(settings, keys, out) == 0
    screen = out.getvalue()
    assert "[1] 🇻🇳 Tiếng Việt" in screen
    assert "Bước 2/" in screen
    assert "chưa hiểu" in screen  # typed text gets the hint, and the step again


async def test_terminal_chat_resumes_from_the_same_database(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'chat.sqlite3'}")
    await run_console(settings, io.StringIO("1\n1\n1\n1\n1\n2\n"), io.StringIO())  # up to step 3
    out = io.StringIO()
    await run_console(settings, io.StringIO("1\n"), out)  # /start shows the menu; 1 = "continue"
    assert "Học tiếp" in out.getvalue()
    assert "Bước 3/" in out.getvalue()


def test_run_without_any_channel_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli("run", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: set TELEGRAM_BOT_TOKEN (from @BotFather) or ZALO_APP_ID (see README, 'Zalo') in the environment "
        "or in .env"
    )


def test_make_run_without_token_opens_the_terminal_chat(tmp_path: Path) -> None:
    result = run_cli(
        "run", "--console-fallback", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}, stdin="1\n"
    )
    assert result.returncode == 0
    assert "terminal" in result.stderr
    assert "Bà con có đồng ý không?" in result.stdout


@pytest.mark.parametrize("name, value", [("TIMEZONE", "Mars/Olympus"), ("BROADCAST_RATE", "0"), ("ADMIN_IDS", "bob")])
def test_bad_setting_is_named(tmp_path: Path, name: str, value: str) -> None:
    result = run_cli("db", "upgrade", env={name: value, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.returncode == 2
    assert name in result.stderr and "Traceback" not in result.stderr


def test_db_upgrade_applies_migrations(tmp_path: Path) -> None:
    result = run_cli("db", "upgrade", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert result.returncode == 0, result.stderr
    assert "revision" in result.stdout


@pytest.mark.parametrize("value, expected", [("1, 2,3", [1, 2, 3]), ("", []), ("42", [42])])
def test_admin_ids_from_the_environment(value: str, expected: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", value)
    assert Settings(_env_file=None).admin_ids == expected  # type: ignore[call-arg]
