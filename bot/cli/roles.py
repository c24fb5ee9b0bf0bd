"""`python -m bot grant|revoke officer|helper|admin TELEGRAM_ID [--commune ID ...]` on the server."""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings
from bot.storage.db import create_engine, session_factory
from bot.storage.grants import GrantError, grant, revoke
from bot.storage.migrate import upgrade


async def run_grant(settings: Settings, args: argparse.Namespace) -> int:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with session_factory(engine).begin() as session:
            if args.verb == "grant":
                change = await grant(
                    session,
                    role=args.role,
                    telegram_id=args.telegram_id,
                    communes=args.commune or [],
                    known_communes={commune.id for commune in settings.communes},
                    actor=None,
                )
            else:
                change = await revoke(
                    session, role=args.role, telegram_id=args.telegram_id, admin_ids=settings.admin_ids, actor=None
                )
    except GrantError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    if args.verb == "grant":
        scope = ", ".join(change.communes) if change.communes else "every commune"
        note = " (has not started the bot yet)" if change.created else ""
        print(f"{change.telegram_id} is now {change.role} for {scope}{note}")
    else:
        print(f"{change.telegram_id} is no longer {args.role}")
    return 0
