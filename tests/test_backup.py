"""`python -m bot db backup`: a consistent copy of the SQLite database, taken while residents learn."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import insert

from bot import clock
from bot.__main__ import main
from bot.channels.telegram.testing.broadcasting import seed_residents
from bot.runtime import Runtime
from bot.storage.models import Resident


async def test_a_backup_taken_while_the_bot_writes_is_whole_and_consistent(
    runtime: Runtime,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    target = tmp_path / "copies" / "backup.sqlite3"
    if runtime.db.dialect.name != "sqlite":
        assert await asyncio.to_thread(main, ["db", "backup", "--out", str(target)]) == 1
        assert "pg_dump" in capsys.readouterr().err and not target.exists()
        return
    await seed_residents(runtime.sessions, 500)

    async def keep_writing() -> None:  # residents joining during the backup
        for number in range(200):
            now = clock.now()
            async with runtime.sessions.begin() as session:
                await session.execute(
                    insert(Resident).values(
                        channel="telegram", external_id=900_000 + number, chat_id=900_000 + number,
                        language="vi", role="resident", consent_at=now, created_at=now, last_seen_at=now,
                    )
                )  # fmt: skip
            await asyncio.sleep(0)

    writer = asyncio.create_task(keep_writing())
    code = await asyncio.to_thread(main, ["db", "backup", "--out", str(target)])
    await writer
    assert code == 0 and "backed up to" in capsys.readouterr().out

    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, no WAL beside it
        (residents,) = copy.execute("SELECT count(*) FROM residents").fetchone()
        assert 500 <= residents <= 700  # a snapshot from some moment of the writing, never a torn one
        (migrated,) = copy.execute("SELECT version_num FROM alembic_version").fetchone()
        assert migrated
    finally:
        copy.close()

    # Never over an existing file.
    assert await asyncio.to_thread(main, ["db", "backup", "--out", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
