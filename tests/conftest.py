"""Shared fixtures: a real database (SQLite file, and PostgreSQL when TEST_DATABASE_URL is set), the
real engine, and the real python-telegram-bot Application talking to a fake Bot API."""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from telegram import Update
from telegram.ext import Application

from bot import clock
from bot.channels.telegram.app import build_application
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeRequest, FakeUser
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from bot.storage.db import normalise_url
from bot.testing.databases import reset_postgres_schema
from tests.support.settings import make_settings


@pytest.fixture(autouse=True)
def wall_clock() -> Iterator[clock.SteppingClock]:
    """The product's "now" for every test: it starts at the machine's instant (so a run under `faketime`
    tries the product at that date and hour) and runs at the real pace. A test about a particular
    instant sets it (`wall_clock.set(...)`) or moves it (`wall_clock.advance(...)`), never the machine."""
    stepping = clock.SteppingClock(datetime.now(UTC))
    with clock.installed(stepping):
        yield stepping


def _database_params() -> list[Any]:
    params: list[Any] = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get("TEST_DATABASE_URL"):
        params.append(pytest.param("postgresql", id="postgresql"))
    return params


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL database for this pytest run, so parallel runs on one server never collide."""
    base = make_url(normalise_url(os.environ["TEST_DATABASE_URL"]))
    name = f"test_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    async def admin(statement: str) -> None:
        engine = create_async_engine(base, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    # A thread of its own: this fixture is first requested from inside a running event loop.
    run = lambda statement: ThreadPoolExecutor(1).submit(asyncio.run, admin(statement)).result()  # noqa: E731
    run(f'CREATE DATABASE "{name}"')
    yield base.set(database=name).render_as_string(hide_password=False)
    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=_database_params())
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database for each test: every storage test runs on both back ends."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    url = request.getfixturevalue("postgres_url")
    await reset_postgres_schema(url)
    yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = await open_runtime(settings)
    yield runtime
    await runtime.close()


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
async def app(
    settings: Settings, runtime: Runtime, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[Application]:
    application = build_application(settings, runtime, request=FakeRequest(api))
    await application.initialize()
    caplog.set_level(logging.WARNING)
    yield application
    await application.shutdown()
    # A handler that crashed would have been answered kindly by the error handler; a test must still see it.
    crashes = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("bot")]
    assert not crashes, [r.getMessage() for r in crashes]


@pytest.fixture
def deliver(app: Application) -> Callable[[dict[str, Any]], Awaitable[None]]:
    async def process(update: dict[str, Any]) -> None:
        await app.process_update(Update.de_json(update, app.bot))

    return process


@pytest.fixture
def make_user(api: FakeBotApi, deliver: Callable[[dict[str, Any]], Awaitable[None]]) -> Callable[..., FakeUser]:
    def factory(user_id: int = 1001, first_name: str = "An", language_code: str = "vi") -> FakeUser:
        return FakeUser(api, deliver, user_id, first_name, language_code)

    return factory
