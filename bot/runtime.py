"""Wiring shared by every front end: settings -> database (migrated) -> catalogue -> engine."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine as SyncEngine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import sessionmaker

from bot.broadcast.sender import Route
from bot.certificates.passport import core_modules
from bot.config import Settings
from bot.content import Catalog, Fault, load_catalog
from bot.helpdesk.deadlines import parse_daytime
from bot.helpdesk.desk import HelpPolicy
from bot.learning.engine import Engine
from bot.learning.turn import Journey
from bot.reports.certificates import certificate_attachment, passport_attachment
from bot.storage.db import create_engine, create_sqlite_sync_engine, session_factory
from bot.storage.migrate import upgrade
from bot.storage.transactions import TransactionRunner

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    catalog: Catalog
    faults: list[Fault]
    engine: Engine
    sqlite_engine: SyncEngine | None = None  # the engine's own SQLite connection, if on SQLite
    # The outbox routes of channels other than Telegram (Zalo), by channel name: whichever process part
    # runs the outbox sender sends through them too.
    routes: dict[str, Route] = field(default_factory=dict)

    async def close(self) -> None:
        self.engine.close()
        if self.sqlite_engine is not None:
            self.sqlite_engine.dispose()
        await self.db.dispose()


async def open_runtime(settings: Settings, *, migrate: bool = True, must_exist: bool = False) -> Runtime:
    catalog, faults = load_catalog(settings.lessons_dir, settings.default_language)
    for fault in faults:
        # A broken lesson file must not take the bot down: that module is left out until it is fixed.
        log.warning("lesson fault, module left out: %s", fault)
    db = create_engine(settings.database_url, must_exist=must_exist)
    if migrate:
        await upgrade(db)
    sessions = session_factory(db)
    sqlite_engine = create_sqlite_sync_engine(settings.database_url)
    sqlite_sessions = sessionmaker(sqlite_engine, expire_on_commit=False) if sqlite_engine else None
    engine = make_engine(settings, catalog, TransactionRunner(sessions, sqlite_sessions))
    return Runtime(settings, db, sessions, catalog, faults, engine, sqlite_engine)


def help_policy(settings: Settings) -> HelpPolicy:
    return HelpPolicy(
        escalate_hours=settings.help_escalate_hours,
        daytime=parse_daytime(settings.help_daytime),
        tz=settings.tz,
        admin_ids=tuple(settings.admin_ids),
    )


def make_engine(settings: Settings, catalog: Catalog, transactions: TransactionRunner) -> Engine:
    """The learner's journey for these settings and lessons, writing through `transactions`."""
    issued_by = {"issuer": settings.cert_issuer, "base_url": settings.public_base_url}
    journey = Journey(
        catalog,
        settings.communes,
        default_language=settings.default_language,
        timezone=settings.tz,
        certificate=functools.partial(certificate_attachment, **issued_by),
        passport=functools.partial(passport_attachment, **issued_by),
        core_modules=core_modules(catalog, settings.core_modules),
        issuer=settings.cert_issuer,
        reminders=settings.reminders,
        help_policy=help_policy(settings),
    )
    return Engine(journey, transactions)
