"""`python -m bot status`: one look for whoever keeps the bot running, read only, with an exit code."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.broadcast import service
from bot.broadcast.audience import Audience
from bot.broadcast.content import TEXT, Content
from bot.broadcast.lease import lease_for
from bot.channels.telegram.testing.broadcasting import seed_residents
from bot.content import load_catalog
from bot.runtime import Runtime
from tests.support.settings import LESSONS


async def status(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["status", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_status_of_a_running_bot_with_a_broadcast_waiting(
    runtime: Runtime, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    await seed_residents(runtime.sessions, 6)
    await service.create(
        runtime.sessions,
        service.Draft(Content(TEXT, text="Họp thôn"), Audience("all"), None),
        actor=None,
        catalog=runtime.catalog,
        tz=runtime.settings.tz,
        quiet=None,
    )
    running_bot = lease_for(runtime.db)  # what `bot run` holds while it runs
    assert await running_bot.acquire()
    try:
        code, out, _ = await status(capsys, "--json")
    finally:
        await running_bot.release()
    found = json.loads(out)
    assert code == 0 and found["healthy"] is True
    assert found["database"] == "ok" and found["revision"] == found["newest_revision"]
    shipped = len(load_catalog(LESSONS)[0].lessons["vi"])
    assert found["lessons"] == {"en": shipped, "vi": shipped} and found["lesson_faults"] == []
    assert found["residents"] == 6 and found["unreachable_residents"] == 0
    assert found["broadcasts"] == {"sending": 1} and found["pending_deliveries"] == 6
    assert found["sender_running"] is True

    code, out, _ = await status(capsys)  # the lease is free again: no bot running
    assert code == 0 and "bot running   no" in out and "6 messages pending" in out


async def test_status_of_a_missing_database_says_what_to_do_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "not-yet.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    code, out, err = await status(capsys)
    assert code == 1 and "missing" in out and "db upgrade" in err
    assert not database.exists()


async def test_a_broken_lesson_file_makes_status_fail(
    runtime: Runtime,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lessons = tmp_path / "lessons"
    for language in ("vi", "en"):
        (lessons / language).mkdir(parents=True)
        source = Path(runtime.settings.lessons_dir) / language / "email.yaml"
        (lessons / language / "email.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (lessons / "vi" / "email.yaml").write_text("id: email\ntitle: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LESSONS_DIR", str(lessons))
    code, out, err = await status(capsys)
    assert code == 1 and "email.yaml" in out and "lessons validate" in err
