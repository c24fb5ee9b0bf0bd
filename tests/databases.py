"""Emptying a PostgreSQL database between runs, shared by the tests and the benchmarks."""

from __future__ import annotations

from sqlalchemy import text

from bot.storage.db import create_engine


async def reset_postgres_schema(url: str) -> None:
    """Drop every table (and the migration history) by recreating the public schema."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
