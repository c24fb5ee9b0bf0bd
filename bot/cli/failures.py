"""Failures a command cannot help, told to the operator in one line instead of a traceback.

A command handles the mistakes it knows (an unknown commune, a broadcast that does not exist). What is
left is the environment: a database that is missing, unreachable or refuses us, a file that cannot be
written. Those end here, with the database named (its password hidden) and exit code 2. Anything else
is a bug and keeps its traceback, which is what a developer needs.
"""

from __future__ import annotations

import socket

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.storage.db import DatabaseMissing

UNREACHABLE = (ConnectionError, socket.gaierror, TimeoutError)


def explain(error: BaseException, database_url: str) -> str | None:
    """One line for an environment failure, or None for a bug."""
    where = make_url(database_url).render_as_string(hide_password=True)
    if isinstance(error, DatabaseMissing):
        return str(error)
    if isinstance(error, UNREACHABLE):
        return f"cannot reach the database {where}: {_reason(error)}"
    if isinstance(error, DBAPIError):
        # Only the first line: PostgreSQL's DETAIL lines may quote the row's values.
        return f"the database {where} refused: {_reason(error.orig)}"
    if isinstance(error, SQLAlchemyError):
        return f"database error on {where}: {type(error).__name__}"
    if isinstance(error, OSError):
        return f"{error.strerror or type(error).__name__}: {error.filename or ''}".rstrip(": ")
    return None


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
