"""Dialect-aware INSERT ... ON CONFLICT, so idempotent writes read the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


def insert_for(session: AsyncSession, table: Any) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def upsert(
    session: AsyncSession,
    table: Any,
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    index: Sequence[str],
    update: Sequence[str] = (),
) -> Insert:
    """Insert, and on a key clash either update `update` columns or (when empty) do nothing."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return upsert_template(dialect, table, tuple(index), tuple(update)).values(values)


@cache
def upsert_template(dialect: str, table: Any, index: tuple[str, ...], update: tuple[str, ...] = ()) -> Insert:
    """The same statement without values, built once: execute it with a parameters dict.

    Building and cache-keying an INSERT ... ON CONFLICT costs more than running it on SQLite, so the
    statements written on every tap are made once per dialect and reused.
    """
    statement = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    if not update:
        return statement.on_conflict_do_nothing(index_elements=list(index))
    return statement.on_conflict_do_update(
        index_elements=list(index), set_={name: statement.excluded[name] for name in update}
    )
