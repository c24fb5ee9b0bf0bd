"""Statistics at district scale: seed N residents, then time `stats` and both exports, as an admin runs them.

Every figure is a separate `python -m bot ...` process, process start included, because that is what
the target ("stats --json within 2 s at 50,000 residents, median of three runs") is about. Peak memory
is the maximum resident set size of that process (from wait4). A baseline `python -m bot --help` shows
how much of each time is only starting Python and importing the bot.

    python -m bench.bench_stats [--users 50000] [--runs 3] [--database sqlite|postgresql|both]
                                [--postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

PostgreSQL uses its own database (digiskills_bench, dropped and created again) on the server given by
--postgres-url or BENCH_DATABASE_URL. The figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "digiskills_bench"
STATS_INDEX = "ix_answers_question_choice"


@dataclass
class Run:
    seconds: float
    peak_mb: float
    stdout: str


def run(argv: list[str], database_url: str) -> Run:
    """One `python -m bot` process: wall time and its own peak memory."""
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty stderr cannot block the child
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", *argv], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors
        )
        stdout = process.stdout.read() if process.stdout else b""
        _, status, usage = os.wait4(process.pid, 0)  # wait4, not wait(): the child's own peak memory
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace")
            raise SystemExit(f"`python -m bot {' '.join(argv)}` failed ({process.returncode}):\n{message}")
    return Run(seconds, usage.ru_maxrss / 1024, stdout.decode("utf-8", "replace"))


def median_of(runs: list[Run]) -> str:
    times = ", ".join(f"{r.seconds:.2f}" for r in runs)
    peak = max(r.peak_mb for r in runs)
    return f"median {statistics.median(r.seconds for r in runs):.2f} s ({times}), peak {peak:.0f} MB"


def check_json(stdout: str) -> dict[str, Any]:
    """The keys the issue asks for, and that they agree with each other."""
    figures = json.loads(stdout.strip().splitlines()[-1])
    for key in ("residents", "active_7d", "active_30d", "unreachable", "modules", "communes", "hardest_questions"):
        assert key in figures, key
    assert sum(c["residents"] for c in figures["communes"]) == figures["residents"]
    for module in figures["modules"]:
        assert module["completed"] <= module["started"]
        rate = round(module["completed"] / module["started"], 4) if module["started"] else 0.0
        assert module["completion_rate"] == rate
        assert sum(c["completions"][module["id"]] for c in figures["communes"]) == module["completed"]
    assert figures["active_7d"] <= figures["active_30d"] <= figures["residents"]
    return figures


def check_exports(xlsx: Path, csv_path: Path) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(xlsx, read_only=True)
    sheets = len(workbook.sheetnames)
    workbook.close()
    rows = list(csv.reader(io.StringIO(csv_path.read_bytes().decode("utf-8-sig"))))
    return f"XLSX opens ({sheets} sheets, {xlsx.stat().st_size:,} bytes); CSV parses ({len(rows):,} rows)"


async def has_stats_index(database_url: str) -> bool:
    from sqlalchemy import inspect

    from bot.storage.db import create_engine

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: {ix["name"] for ix in inspect(sync).get_indexes("answers")})
        return STATS_INDEX in names
    finally:
        await engine.dispose()


async def create_stats_index(database_url: str) -> float:
    """The covering index from models.py, for as long as no migration creates it."""
    from bot.storage.db import create_engine
    from bot.storage.models import Answer

    index = next(ix for ix in Answer.__table__.indexes if ix.name == STATS_INDEX)
    engine = create_engine(database_url)
    started = time.perf_counter()
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: index.create(sync, checkfirst=True))
            await connection.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def in_process(database_url: str, runs: int) -> float:
    """The report alone, warm, without process start: what a running bot pays for /stats."""
    from bot.config import get_settings
    from bot.content import load_catalog
    from bot.reports.service import context_for, load_report
    from bot.storage.db import create_engine

    settings = get_settings(database_url=database_url)
    catalog, _ = load_catalog(settings.lessons_dir)
    engine = create_engine(database_url)
    times = []
    try:
        for _ in range(runs):
            started = time.perf_counter()
            await load_report(engine, context_for(settings, catalog))
            times.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    return statistics.median(times)


async def fresh_postgres(server_url: str) -> str:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.storage.db import normalise_url

    base = make_url(normalise_url(server_url))
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
    await admin.dispose()
    return base.set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def bench(name: str, database_url: str, users: int, runs: int, workdir: Path) -> None:
    print(f"\n== {name}: {users:,} residents ==")
    seeded = run(["seed-demo", "--users", str(users), "--seed", "1", "--force"], database_url)
    print(f"seed-demo            {seeded.seconds:6.2f} s, peak {seeded.peak_mb:.0f} MB  ({seeded.stdout.strip()})")
    baseline = [run(["--help"], database_url) for _ in range(runs)]
    print(f"python -m bot --help {median_of(baseline)}  <- process start and imports only")

    if not asyncio.run(has_stats_index(database_url)):
        without = [run(["stats", "--json"], database_url) for _ in range(runs)]
        print(f"stats --json         {median_of(without)}  <- WITHOUT {STATS_INDEX} (no migration yet)")
        print(f"create {STATS_INDEX}: {asyncio.run(create_stats_index(database_url)):.2f} s")

    stats = [run(["stats", "--json"], database_url) for _ in range(runs)]
    figures = check_json(stats[-1].stdout)
    print(f"stats --json         {median_of(stats)}")
    print(f"  report in process  {asyncio.run(in_process(database_url, runs)):.2f} s (warm, no process start)")
    print(
        f"  residents {figures['residents']:,}, active 7d {figures['active_7d']:,}, 30d {figures['active_30d']:,}, "
        f"unreachable {figures['unreachable']:,}; keys consistent"
    )
    xlsx, csv_path = workdir / f"{name}.xlsx", workdir / f"{name}.csv"
    exports = [run(["export", "--format", "xlsx", "--out", str(xlsx)], database_url) for _ in range(runs)]
    print(f"export xlsx          {median_of(exports)}")
    exports = [run(["export", "--format", "csv", "--out", str(csv_path)], database_url) for _ in range(runs)]
    print(f"export csv           {median_of(exports)}")
    print(f"  {check_exports(xlsx, csv_path)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as directory:
        workdir = Path(directory)
        if args.database in ("sqlite", "both"):
            bench("sqlite", f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}", args.users, args.runs, workdir)
        if args.database in ("postgresql", "both"):
            if not args.postgres_url:
                print("\n(PostgreSQL skipped: give --postgres-url or BENCH_DATABASE_URL)")
                return
            url = asyncio.run(fresh_postgres(args.postgres_url))
            bench("postgresql", url, args.users, args.runs, workdir)


if __name__ == "__main__":
    main()
