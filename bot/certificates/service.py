"""The checks, revocations and listings as the command line, the chat and the web page ask for them:
each in one short transaction of its own, through the one implementation in `verification` and
`bot.storage.certificates`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from bot import clock
from bot.certificates.verification import Verdict, check
from bot.config import Settings
from bot.content import Catalog
from bot.storage import certificates as records
from bot.storage.models import AuditLog


@dataclass(frozen=True)
class Certificates:
    sessions: async_sessionmaker[AsyncSession]
    catalog: Catalog
    settings: Settings

    async def verify(self, typed: str, language: str = "vi") -> Verdict:
        async with self.sessions() as session:
            return await session.run_sync(lambda sync: check(sync, typed, self.catalog, self.settings.tz, language))

    async def revoke(self, typed: str, reason: str, by: str) -> str | None:
        """Revoke the certificate; its shown code, or None when no certificate has that code.
        The audit log records who revoked which code and why, in the same transaction."""

        def work(session: Session) -> str | None:
            code = records.normalise_code(typed)
            found = records.revoke(session, code, reason, by) if code is not None else None
            if found is None:
                return None
            detail = {"code": records.shown(found.code), "module": found.module_id, "reason": reason}
            session.add(AuditLog(at=clock.now(), actor=by, action="certificate_revoke", detail=detail))
            return records.shown(found.code)

        async with self.sessions() as session, session.begin():
            return await session.run_sync(work)

    async def listing(self, commune_id: str | None = None, limit: int = 500) -> Sequence[records.Listed]:
        async with self.sessions() as session:
            return await session.run_sync(lambda sync: records.listing(sync, commune_id, limit))
