"""Databases for tests and benchmarks: a fresh one per run, and emptying a PostgreSQL between runs."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text

from bot.storage.db import create_engine


async def reset_postgres_schema(url: str) -> None:
    """Drop every table (and the migration history) by recreating the public schema."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


async def fresh_database_url(database: str, folder: str) -> str:
    """A fresh, empty database for one benchmark run: a SQLite file in `folder`, or a reset PostgreSQL
    (TEST_DATABASE_URL, else the local server)."""
    if database == "sqlite":
        return f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES)
    await reset_postgres_schema(url)
    return url
