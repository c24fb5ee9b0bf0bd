"""One broadcast sender per database, however many `python -m bot run` processes share it.

Two senders on one outbox would both send the same pending rows. The sender therefore holds a lease
that the operating system or the database gives back by itself when the process dies, so a kill -9
never leaves it stuck:
- SQLite: an exclusive `flock` on a file beside the database;
- PostgreSQL: a session-level advisory lock on a connection kept open for the purpose.
A second process stands by and takes over when the first one stops.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.db import sqlite_path

try:
    import fcntl
except ImportError:  # Windows: no flock; a single bot process per database is then up to the operator
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

# pg_try_advisory_lock takes a bigint; this one spells "dgskbrdc" and is used by nothing else here.
ADVISORY_KEY = 0x6467736B62726463


class Lease(Protocol):
    async def acquire(self) -> bool:
        """Take the lease if nobody holds it; True while this process holds it."""
        ...

    async def release(self) -> None: ...


class NoLease:
    """For an in-memory database, which no other process can see."""

    async def acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class FileLease:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    async def acquire(self) -> bool:
        if self._file is not None:
            return True
        if fcntl is None:
            return True
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    async def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class AdvisoryLease:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        if self._connection is not None:
            if await self._still_held():
                return True
            await self.release()  # the connection died (database restart): the lock went with it
        connection = await self.engine.connect()
        try:
            got = bool(await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}))
            await connection.commit()  # end the implicit transaction; the session-level lock stays
        except BaseException:
            await connection.close()
            raise
        if not got:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def _still_held(self) -> bool:
        assert self._connection is not None
        try:
            await self._connection.scalar(text("SELECT 1"))
            await self._connection.commit()
            return True
        except (SQLAlchemyError, OSError):
            return False

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with contextlib.suppress(SQLAlchemyError, OSError):
            await connection.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            await connection.commit()
        with contextlib.suppress(SQLAlchemyError, OSError):
            await connection.close()


def lease_for(engine: AsyncEngine) -> Lease:
    if engine.dialect.name == "postgresql":
        return AdvisoryLease(engine)
    database = sqlite_path(engine.url.render_as_string(hide_password=False))
    return FileLease(database.with_name(database.name + ".sender-lock")) if database else NoLease()
