"""Why a database call failed: an outage (try again later) or data it refused (a bug to fix).

The two need different answers. An outage (server down, connection dropped, a lock held too long)
rolls the transaction back and a retry later works: residents are told "the system is busy", the log
says WARNING. Refused data (a constraint, a value the column cannot hold) fails the same way on every
retry: telling a resident to try again later would be untrue, and the log must say ERROR so someone
fixes it. PostgreSQL says which by the class of its SQLSTATE; SQLite (and the DB-API) by the
exception type.
"""

from __future__ import annotations

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

DATA_SQLSTATE_CLASSES = ("22", "23")  # data exception, integrity constraint violation


def sqlstate(error: DBAPIError) -> str | None:
    """PostgreSQL's five-character error code, when the driver gives one (asyncpg does)."""
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code if isinstance(code, str) else None


def is_refused_data(error: BaseException) -> bool:
    """True when the database refused what was written; False for an outage or anything else."""
    if not isinstance(error, DBAPIError):
        return False
    if isinstance(error, (IntegrityError, DataError)):
        return True
    code = sqlstate(error)
    return code is not None and code[:2] in DATA_SQLSTATE_CLASSES


def describe(error: BaseException) -> str:
    """The failure's kind for a log line: its class and SQLSTATE, never its message (which may quote
    the values written: names, texts)."""
    if isinstance(error, DBAPIError):
        code = sqlstate(error)
        return f"{type(error.orig).__name__}" + (f", SQLSTATE {code}" if code else "")
    return type(error).__name__
