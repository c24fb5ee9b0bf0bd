"""Engine and session set-up for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000
log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://, sqlite:///) and pick the async driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for PostgreSQL or an in-memory database (no file to share)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


class DatabaseMissing(Exception):
    """A command that only reads was pointed at a SQLite file that does not exist."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"no database at {path} (nothing was created): check DATABASE_URL, "
            "or make a new one with `python -m bot db upgrade`"
        )
        self.path = path


def check_url(url: str) -> str:
    """The URL normalised, or ValueError saying in one line what is wrong with it."""
    try:
        normalised = normalise_url(url)
        parsed = make_url(normalised)
    except ArgumentError:
        raise ValueError("not a database URL (e.g. sqlite:///data/bot.sqlite3 or postgresql://user@host/db)") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"'{backend}' is not supported: use sqlite:///FILE or postgresql://user@host/db")
    if backend == "sqlite" and (not parsed.database or parsed.database == ":memory:"):
        raise ValueError("a SQLite URL needs a file, e.g. sqlite:///data/bot.sqlite3")
    if backend == "postgresql" and not parsed.database:
        raise ValueError("a PostgreSQL URL needs a database name, e.g. postgresql://user@host/bot")
    return normalised


def create_engine(url: str, *, must_exist: bool = False, **kwargs: Any) -> AsyncEngine:
    """An engine for `url`; `must_exist` for commands that only read: a missing SQLite file is then
    DatabaseMissing instead of a new empty database (and folders) at a mistyped path."""
    url = normalise_url(url)
    parsed = make_url(url)
    # A database error's message would otherwise carry its SQL parameters (names, chat ids) into the
    # log with the traceback; the statement alone says enough to find the bug.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None and must_exist and not path.exists():
            raise DatabaseMissing(path)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # One connection: SQLite has one writer anyway, and queueing for the pool (FIFO, async) is far
        # cheaper than connections colliding on the file lock, where SQLite's busy handler sleeps for
        # milliseconds at a time. busy_timeout still covers other processes (the CLI) writing.
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
        # Sessions always end their transaction (commit or rollback) before giving the connection
        # back, so the pool's extra ROLLBACK on return would only cost a round trip to the worker thread.
        kwargs.setdefault("pool_reset_on_return", None)
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def create_sqlite_sync_engine(url: str) -> Engine | None:
    """A synchronous engine on the same SQLite file, for work that runs whole on a thread of its own.

    None when the URL is not a SQLite file (an in-memory database would be a different one).
    """
    if sqlite_path(url) is None:
        return None
    engine = sqlalchemy.create_engine(
        make_url(normalise_url(url)).set(drivername="sqlite+pysqlite"),
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        hide_parameters=True,  # no personal data in logged errors (see create_engine)
        pool_size=1,
        max_overflow=0,
        pool_reset_on_return=None,
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine | Engine) -> None:
    sync_engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that we can say BEGIN IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted content is overwritten with zeros rather than left in free pages: an erased resident's
        # name must not stay readable in the file (see TransactionRunner._checkpoint for the WAL).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A transaction that reads and then writes would otherwise fail with SQLITE_BUSY when another
        # writer got in between; taking the write lock up front makes it wait (busy_timeout) instead.
        # Read-only work (reports) asks for a plain deferred BEGIN: in WAL mode it never blocks writers.
        read_only = connection.get_execution_options().get("sqlite_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def uninterruptible(transaction: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Run a short transaction in a task of its own, so that cancelling the caller never cuts it in half.

    Why: SQLAlchemy invalidates a connection whose call was cancelled. On SQLite (aiosqlite) that
    connection is then closed while the cancelled frames still hold its cursors, so SQLite keeps it as
    a "zombie" with its transaction, and its write lock, open until the garbage collector frees those
    frames. Every writer (residents' lessons included) would wait out busy_timeout and fail meanwhile.
    Shielded, the transaction commits or rolls back as usual and the connection goes back to the pool;
    the caller still sees CancelledError at once. For work in tasks that get cancelled (the broadcast
    sender on shutdown or after a drain timeout), not for long reports.
    """

    @functools.wraps(transaction)
    async def shielded(*args: P.args, **kwargs: P.kwargs) -> T:
        task = asyncio.ensure_future(transaction(*args, **kwargs))
        task.add_done_callback(_log_orphan_failure)
        return await asyncio.shield(task)

    return shielded


def _log_orphan_failure(task: asyncio.Future[Any]) -> None:
    # Reading the exception here keeps asyncio from printing "exception never retrieved" for a caller
    # that was cancelled; a caller still waiting gets the same exception raised as usual.
    if not task.cancelled() and task.exception() is not None:
        log.debug("a shielded transaction failed: %s", type(task.exception()).__name__)
