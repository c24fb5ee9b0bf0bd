"""`python -m bot audit [--limit N] [--json]`: who used a privilege, newest first.

Grants, revokes, broadcasts and their pauses, cancels and resends, and exports are written to the
audit log in the same transaction as the change. This reads it back for the office: accountability
without opening the database. Read only: no migration, no write lock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING, Any

from bot.cli.arguments import at_least_one

if TYPE_CHECKING:
    from bot.config import Settings


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    audit = commands.add_parser("audit", help="who used a privilege: grants, broadcasts, exports (newest first)")
    audit.add_argument("--limit", type=at_least_one, default=50, help="how many entries (default 50)")
    audit.add_argument("--json", action="store_true", help="end with one line holding a JSON array")
    audit.set_defaults(handler=run_audit)


def run_audit(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import DBAPIError

    try:
        entries = asyncio.run(_entries(settings, args.limit))
    except DBAPIError as error:
        print(
            f"error: cannot read the audit log ({type(error.orig).__name__}); "
            "check DATABASE_URL, or run `python -m bot db upgrade` on a new database",
            file=sys.stderr,
        )
        return 2
    if not entries:
        print("the audit log is empty")
    for entry in entries:
        detail = json.dumps(entry["detail"], ensure_ascii=False, sort_keys=True)
        print(f"{entry['at_local']}  {entry['actor']:<20} {entry['action']:<18} {detail}")
    if args.json:
        print(json.dumps(entries, ensure_ascii=False))
    return 0


async def _entries(settings: Settings, limit: int) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from bot.storage.db import create_engine
    from bot.storage.models import AuditLog

    engine = create_engine(settings.database_url, must_exist=True)  # reading never creates one
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(AuditLog.at, AuditLog.actor, AuditLog.action, AuditLog.detail)
                .order_by(AuditLog.at.desc(), AuditLog.id.desc())
                .limit(limit)
            )
            return [
                {
                    "at": at.isoformat(),
                    "at_local": at.astimezone(settings.tz).strftime("%d/%m/%Y %H:%M"),
                    "actor": actor,
                    "action": action,
                    "detail": detail,
                }
                for at, actor, action, detail in rows
            ]
    finally:
        await engine.dispose()
