"""`python -m bot stats` and `python -m bot export`.

Imported by `python -m bot` on every start to register these commands, so this module imports nothing
heavy at the top: SQLAlchemy, the queries and openpyxl load only when a command runs. `stats` must
answer within two seconds at 50,000 residents, process start included.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.reports.figures import Report

CLI_ACTOR = "cli"


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    stats = commands.add_parser("stats", help="print the statistics summary")
    stats.add_argument("--json", action="store_true", help="end with one line holding a JSON object")
    stats.add_argument("--commune", action="append", metavar="ID", help="only this commune (repeatable)")
    stats.set_defaults(handler=run_stats)

    export = commands.add_parser("export", help="write the statistics as a CSV or XLSX file")
    export.add_argument("--format", choices=("csv", "xlsx"), help="default: from the file name, else xlsx")
    export.add_argument("--out", required=True, metavar="FILE", help="where to write ('-' for stdout)")
    export.add_argument("--commune", action="append", metavar="ID", help="only this commune (repeatable)")
    export.set_defaults(handler=run_export)


def _scope(args: argparse.Namespace, settings: Settings) -> frozenset[str] | str | None:
    """The communes asked for, or an error message for an unknown id."""
    if not args.commune:
        return None
    known = {commune.id for commune in settings.communes}
    unknown = sorted(set(args.commune) - known)
    if unknown:
        return f"unknown commune {', '.join(unknown)}; known: {', '.join(sorted(known))}"
    return frozenset(args.commune)


async def _report(settings: Settings, scope: frozenset[str] | None, competences: bool = True) -> Report:
    from bot.content import load_catalog
    from bot.reports.service import context_for, load_report
    from bot.storage.db import create_engine

    catalog, _faults = load_catalog(settings.lessons_dir, settings.default_language)
    engine = create_engine(settings.database_url, must_exist=True)  # a mistyped path is an error, not a new file
    try:
        # No migration here: a report only reads, and must not take the write lock on a live database.
        return await load_report(engine, context_for(settings, catalog, competences=competences), scope)
    finally:
        await engine.dispose()


def _load(settings: Settings, scope: frozenset[str] | None, competences: bool = True) -> Report | None:
    import asyncio

    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        return asyncio.run(_report(settings, scope, competences))
    except (OperationalError, ProgrammingError) as error:
        # Typically a database that was never set up: say what to do rather than print a traceback.
        print(f"error: cannot read the statistics ({type(error.orig).__name__}); ", end="", file=sys.stderr)
        print("is the database set up? Run `python -m bot db upgrade`.", file=sys.stderr)
        return None


def run_stats(args: argparse.Namespace, settings: Settings) -> int:
    scope = _scope(args, settings)
    if isinstance(scope, str):
        print(f"error: {scope}", file=sys.stderr)
        return 2
    # Mastery per competence only with --json (the text does not show it; it costs a pass over the answers).
    report = _load(settings, scope, competences=args.json)
    if report is None:
        return 1
    if args.json:
        import json

        print(json.dumps(report.to_json()))
        return 0
    from bot.reports.text import summary

    print(summary(report, settings.tz))
    return 0


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    scope = _scope(args, settings)
    if isinstance(scope, str):
        print(f"error: {scope}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out != "-" else None
    if out is not None and out.is_dir():
        print(f"error: --out {out} is a folder; give a file name, e.g. {out / 'stats.xlsx'}", file=sys.stderr)
        return 2
    fmt = args.format or ("csv" if out is not None and out.suffix.lower() == ".csv" else "xlsx")
    report = _load(settings, scope)
    if report is None:
        return 1
    from bot.reports.export import to_csv, to_xlsx

    data = to_csv(report, settings.tz) if fmt == "csv" else to_xlsx(report, settings.tz)
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        except OSError as error:
            print(f"error: cannot write {out}: {error.strerror or error}", file=sys.stderr)
            return 2
        print(f"wrote {out} ({fmt}, {len(data):,} bytes)", file=sys.stderr)
    _audit(settings, fmt, scope)
    return 0


def _audit(settings: Settings, fmt: str, scope: frozenset[str] | None) -> None:
    import asyncio

    from bot.reports.service import record_export
    from bot.storage.db import create_engine, session_factory

    async def write() -> None:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine).begin() as session:
                await record_export(session, CLI_ACTOR, fmt, scope)
        finally:
            await engine.dispose()

    asyncio.run(write())
