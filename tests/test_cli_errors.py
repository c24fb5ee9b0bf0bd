"""Every mistake the operator can make at the command line is one line on stderr and a non-zero exit,
and a command that only reads never creates a database (issue 15, point 7)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.__main__ import main
from bot.runtime import Runtime

READ_ONLY = (
    ("stats",),
    ("stats", "--json"),
    ("export", "--out", "figures.xlsx"),
    ("audit",),
    ("broadcasts",),
    ("broadcast-control", "report", "1"),
    ("status",),
)


def run_cli(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], **env: str
) -> tuple[int, str]:
    """`python -m bot ARGS` as the operator runs it; returns the exit code and stderr."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    try:
        code = main(args)
    except SystemExit as exit_:  # argparse refuses arguments by exiting
        code = int(exit_.code or 0)
    return code, capsys.readouterr().err


def assert_one_line_error(code: int, err: str, *expected: str) -> None:
    assert code != 0
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for words in expected:
        assert words in err, err


@pytest.mark.parametrize(
    "url, words",
    [
        ("notaurl", "not a database URL"),
        ("sqlite+aiosqlite:///", "needs a file"),
        ("mysql://root@localhost/bot", "'mysql' is not supported"),
        ("postgresql://postgres@127.0.0.1", "needs a database name"),
    ],
)
def test_a_malformed_database_url_is_named(
    url: str, words: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_cli(["stats"], monkeypatch, capsys, DATABASE_URL=url)
    assert code == 2
    assert_one_line_error(code, err, "DATABASE_URL", words)


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda args: "-".join(args))
def test_reading_a_database_that_does_not_exist_creates_nothing(
    args: tuple[str, ...],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A mistyped SQLite path (folders included) or a PostgreSQL database name that does not exist."""
    monkeypatch.chdir(tmp_path)
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite":
        missing = f"sqlite:///{tmp_path / 'typo' / 'nested' / 'bot.sqlite3'}"
    else:
        missing = parsed.set(database=f"{parsed.database}_typo").render_as_string(hide_password=False)
    code, err = run_cli(list(args), monkeypatch, capsys, DATABASE_URL=missing)
    assert code != 0 and "Traceback" not in err
    if args[0] != "status":  # status prints its whole report, then NOT OK
        assert_one_line_error(code, err)
    assert not (tmp_path / "typo").exists()
    assert not (tmp_path / "figures.xlsx").exists()


def test_a_database_server_that_does_not_answer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_cli(["stats"], monkeypatch, capsys, DATABASE_URL="postgresql://bot:secret@127.0.0.1:1/bot")
    assert_one_line_error(code, err, "cannot reach the database", "127.0.0.1:1")
    assert "secret" not in err


@pytest.mark.parametrize(
    "args, words",
    [
        (["grant", "officer", "99999999999999999999"], "out of range"),
        (["grant", "officer", "0"], "out of range"),
        (["revoke", "admin", "12ab"], "not a Telegram id"),
        (["audit", "--limit", "-1"], "out of range"),
        (["audit", "--limit", "0"], "out of range"),
        (["broadcasts", "--limit", "0"], "out of range"),
        (["broadcast-control", "report", "99999999999999999999"], "out of range"),
        (["seed-demo", "--users", "-5"], "out of range"),
        (["no-such-command"], "invalid choice"),
    ],
)
def test_numbers_out_of_range_and_unknown_commands(
    args: list[str], words: str, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_cli(args, monkeypatch, capsys, DATABASE_URL=database_url)
    assert code == 2
    assert_one_line_error(code, err, words)


async def test_export_to_a_folder_says_so(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["export", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert_one_line_error(code, err, "is a folder")
