"""The commands every deployment needs: run, chat, status, lessons, db, seed-demo, grant and revoke.

Registering them imports nothing heavy: each command's work (and SQLAlchemy, the engine, the channels)
is imported when that command runs, so `python -m bot stats` starts as fast as it can.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.arguments import at_least_one, bounded_int, telegram_id
from bot.config import Settings


def _lessons_validate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content import load_catalog

    directory = Path(args.directory) if args.directory else settings.lessons_dir
    catalog, faults = load_catalog(directory, settings.default_language)
    for fault in faults:
        print(fault)
    counts = ", ".join(f"{lang}: {len(by_id)}" for lang, by_id in sorted(catalog.lessons.items()))
    verdict = f"{len(faults)} fault(s)" if faults else "all valid"
    print(f"{directory}: {verdict} ({counts or 'no modules'})", file=sys.stderr)
    return 1 if faults else 0


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from bot.storage.db import create_engine
    from bot.storage.migrate import current_revision, upgrade

    async def run() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
            return await current_revision(engine)
        finally:
            await engine.dispose()

    print(f"database at revision {asyncio.run(run())}")
    return 0


def _db_backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.storage.backup import BackupError, backup_sqlite

    try:
        size = backup_sqlite(settings.database_url, Path(args.out))
    except (BackupError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"backed up to {args.out} ({size / 1_000_000:.1f} MB)")
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.status import run_status

    return run_status(settings, args.json)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot import serve

    if serve.nothing_configured(settings):
        if args.console_fallback:
            print(
                "Neither TELEGRAM_BOT_TOKEN nor ZALO_APP_ID is set: opening the lessons in the terminal instead.\n",
                file=sys.stderr,
            )
            return _chat(args, settings)
        print(
            "error: set TELEGRAM_BOT_TOKEN (from @BotFather) or ZALO_APP_ID (see README, 'Zalo') in the environment "
            "or in .env",
            file=sys.stderr,
        )
        return 2
    return serve.run(settings)


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.console import run_console

    return asyncio.run(run_console(settings, sys.stdin, sys.stdout))


def _seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.seed import run_seed

    return asyncio.run(run_seed(settings, users=args.users, seed=args.seed, force=args.force))


def _grant(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.roles import run_grant

    return asyncio.run(run_grant(settings, args))


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]

    run = commands.add_parser("run", help="run the Telegram bot (long polling)")
    run.add_argument(
        "--console-fallback",
        action="store_true",
        help="with no token, open the terminal chat instead of failing",
    )
    run.set_defaults(handler=_run)

    commands.add_parser("chat", help="the lessons in this terminal, no token needed").set_defaults(handler=_chat)

    status = commands.add_parser("status", help="is all in order: database, lessons, broadcasts, a bot running")
    status.add_argument("--json", action="store_true", help="one JSON object")
    status.set_defaults(handler=_status)

    lessons = commands.add_parser("lessons", help="lesson catalogue tools")
    lesson_commands = lessons.add_subparsers(dest="lessons_command", required=True, metavar="ACTION")
    validate = lesson_commands.add_parser("validate", help="check every lesson file; exit 1 on any fault")
    validate.add_argument("directory", nargs="?", help="lessons folder (default LESSONS_DIR)")
    validate.set_defaults(handler=_lessons_validate)

    db = commands.add_parser("db", help="database tools")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(handler=_db_upgrade)
    backup = db_commands.add_parser("backup", help="a consistent copy of the SQLite database, even while the bot runs")
    backup.add_argument("--out", required=True, metavar="FILE", help="the new file to write")
    backup.set_defaults(handler=_db_backup)

    seed = commands.add_parser("seed-demo", help="fill the database with synthetic residents")
    seed.add_argument("--users", type=at_least_one, default=200)
    seed.add_argument("--seed", type=bounded_int(0, what="a seed"), default=1)
    seed.add_argument("--force", action="store_true", help="even if real residents are present")
    seed.set_defaults(handler=_seed_demo)

    for verb in ("grant", "revoke"):
        role = commands.add_parser(verb, help=f"{verb} the officer, helper or admin role")
        role.add_argument("role", choices=["officer", "helper", "admin"])
        role.add_argument("telegram_id", type=telegram_id)
        role.add_argument(
            "--commune", action="append", default=[], help="a helper's commune, or one an officer is limited to"
        )
        role.set_defaults(handler=_grant, verb=verb)
