"""One short transaction around a synchronous piece of work, on SQLite and PostgreSQL alike.

On SQLite the whole transaction runs in one call on a thread of its own, with a synchronous
connection: SQLite is an in-process library, and the async driver's thread hand-off for every cursor,
execute, fetch and close (14 per resident's tap) cost more than the SQL itself. On PostgreSQL the same
function runs through `AsyncSession.run_sync`, on the bot's async pool.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
log = logging.getLogger(__name__)
# Set in a session's info by work that erased a person (Learners.forget): once that commits on SQLite, the
# WAL is checkpointed and truncated, so the deleted rows' old pages do not linger in the -wal file.
ERASED = "erased_personal_data"


class TransactionRunner:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], sqlite_sessions: sessionmaker[Session] | None = None
    ) -> None:
        self._sessions = sessions
        self._sqlite_sessions = sqlite_sessions
        self._sqlite_thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer") if sqlite_sessions else None

    async def run(self, work: Callable[[Session], T]) -> T:
        """`work(session)` inside one transaction, committed when it returns, rolled back if it raises."""
        if self._sqlite_thread is not None:
            return await asyncio.get_running_loop().run_in_executor(self._sqlite_thread, self._run_sqlite, work)
        async with self._sessions.begin() as session:
            return await session.run_sync(work)

    def _run_sqlite(self, work: Callable[[Session], T]) -> T:
        assert self._sqlite_sessions is not None
        with self._sqlite_sessions.begin() as session:
            result = work(session)
            erased = session.info.pop(ERASED, False)
        if erased:
            self._checkpoint()
        return result

    def _checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate it to nothing. With secure_delete on (see
        bot.storage.db) the database file then holds zeros where the erased rows were, and the -wal file
        no longer holds their old pages."""
        assert self._sqlite_sessions is not None
        engine = self._sqlite_sessions.kw["bind"]
        connection = engine.raw_connection()  # outside SQLAlchemy's transaction: a checkpoint needs none open
        try:
            cursor = connection.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _, _ = cursor.fetchone()
            cursor.close()
            if busy:
                log.warning("the WAL could not be truncated after an erasure (readers active); it will be later")
        finally:
            connection.close()

    def close(self) -> None:
        if self._sqlite_thread is not None:
            self._sqlite_thread.shutdown(wait=True)
