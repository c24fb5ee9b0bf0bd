"""`python -m bot db backup --out FILE`: a consistent copy of the SQLite database while the bot runs.

Copying the .sqlite3 file by hand can catch it half-written and leaves the WAL file behind; SQLite's
online backup copies a consistent snapshot page by page, letting the bot keep writing in between.
PostgreSQL has its own tool for this (pg_dump), which this command names instead of imitating.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.storage.db import SQLITE_BUSY_TIMEOUT_MS, normalise_url, sqlite_path

PAGES_PER_STEP = 1024  # about 4 MB at a time, then the lock is released for the bot's own writes


class BackupError(Exception):
    """Why no backup was made, in one line for the operator."""


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the database to `target` (which must not exist yet); returns the size in bytes."""
    if make_url(normalise_url(database_url)).get_backend_name() != "sqlite":
        raise BackupError("this database is PostgreSQL: back it up with pg_dump (e.g. pg_dump -Fc DBNAME > file.dump)")
    source_path = sqlite_path(database_url)
    if source_path is None:
        raise BackupError("an in-memory database has nothing to back up")
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}")
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy, pages=PAGES_PER_STEP)
            # A single file a person can carry: no WAL beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
            (status,) = copy.execute("PRAGMA integrity_check").fetchone()
            if status != "ok":
                raise BackupError(f"the copy failed its integrity check: {status}")
        finally:
            copy.close()
    finally:
        source.close()
    return target.stat().st_size
