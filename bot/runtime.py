"""Wiring shared by every front end: settings -> database (migrated) -> catalogue -> engine."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.content import Catalog, Fault, load_catalog
from bot.learning.engine import Engine
from bot.storage.db import create_engine, session_factory
from bot.storage.migrate import upgrade

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    catalog: Catalog
    faults: list[Fault]
    engine: Engine

    async def close(self) -> None:
        await self.db.dispose()


async def open_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    catalog, faults = load_catalog(settings.lessons_dir, settings.default_language)
    for fault in faults:
        # A broken lesson file must not take the bot down: that module is left out until it is fixed.
        log.warning("lesson fault, module left out: %s", fault)
    db = create_engine(settings.database_url)
    if migrate:
        await upgrade(db)
    sessions = session_factory(db)
    engine = Engine(
        catalog,
        sessions,
        settings.communes,
        default_language=settings.default_language,
        timezone=settings.tz,
    )
    return Runtime(settings, db, sessions, catalog, faults, engine)
