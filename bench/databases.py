"""A fresh, empty database for one benchmark run: a SQLite file in a folder, or a reset PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

from tests.databases import reset_postgres_schema

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


async def fresh_database_url(database: str, folder: str) -> str:
    if database == "sqlite":
        return f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES)
    await reset_postgres_schema(url)
    return url
