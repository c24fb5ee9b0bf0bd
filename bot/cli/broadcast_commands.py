"""What `python -m bot broadcast`, `broadcasts` and `broadcast-control` do (argument parsing is in broadcasts.py).

The CLI only writes to the database; a running `python -m bot run` picks the broadcast up (within a
second or so) and delivers it. Whoever runs the CLI on the server acts with full rights, audited as
"cli".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bot import clock
from bot.broadcast import service, views
from bot.broadcast.audience import AudienceError
from bot.broadcast.audience import parse as parse_audience
from bot.broadcast.content import LESSON, TEXT, Content, ContentError, validate
from bot.broadcast.schedule import ScheduleError, local_text, parse_local, parse_quiet_hours
from bot.config import Settings
from bot.runtime import Runtime, open_runtime


def _run(settings: Settings, work: Callable[[Runtime], Awaitable[int]], *, read_only: bool = False) -> int:
    """`work` on an opened runtime. Every broadcast command needs an existing database (a mistyped path
    must not become a new empty one); only commands that change something migrate it first."""

    async def main() -> int:
        runtime = await open_runtime(settings, migrate=not read_only, must_exist=True)
        try:
            return await work(runtime)
        finally:
            await runtime.close()

    try:
        return asyncio.run(main())
    except (AudienceError, ContentError, ScheduleError, service.BroadcastError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def broadcast(args: argparse.Namespace, settings: Settings) -> int:
    async def work(runtime: Runtime) -> int:
        now = clock.now()
        tz, quiet = settings.tz, parse_quiet_hours(settings.quiet_hours)
        audience = parse_audience(
            args.audience, communes={c.id for c in settings.communes}, modules=runtime.catalog.module_ids()
        )
        content = Content(LESSON, module_id=args.lesson) if args.lesson else Content(TEXT, text=args.text)
        validate(content, runtime.catalog)
        at = parse_local(args.at, now, tz) if args.at else None
        draft = service.Draft(content, audience, at)
        if args.dry_run:
            plan = await service.plan(runtime.sessions, draft, actor=None, tz=tz, quiet=quiet, now=now)
            moved = " (moved out of quiet hours)" if plan.moved else ""
            outside = ""
            if plan.outside_window:
                outside = f"; {plan.outside_window} of them outside Zalo's 7-day window: sent nothing"  # ngoài 7 ngày
            print(
                f"dry run: {plan.recipients} recipient(s), would send at {local_text(plan.send_at, tz)}{moved}{outside}"
            )
            line = {"id": None, "recipients": plan.recipients, "send_at": plan.send_at.isoformat()}
            _json_line(args, line | {"outside_window": plan.outside_window})
            return 0
        created = await service.create(
            runtime.sessions, draft, actor=None, catalog=runtime.catalog, tz=tz, quiet=quiet, now=now
        )
        print(
            f"broadcast #{created.id}: {created.recipients} recipient(s), "
            f"sends at {local_text(created.send_at, tz)}; a running `python -m bot run` delivers it"
        )
        _json_line(args, {"id": created.id, "recipients": created.recipients, "send_at": created.send_at.isoformat()})
        return 0

    return _run(settings, work)


def broadcasts(args: argparse.Namespace, settings: Settings) -> int:
    async def work(runtime: Runtime) -> int:
        reports = await service.recent(runtime.sessions, actor=None, limit=args.limit)
        if args.json:
            print(json.dumps([_as_dict(report) for report in reports], ensure_ascii=False))
            return 0
        if not reports:
            print("no broadcasts yet")
        for report in reports:
            counts = " · ".join(f"{status} {number}" for status, number in sorted(report.counts.items()))
            what = f"{report.kind}:{report.module_id}" if report.module_id else report.kind
            print(
                f"#{report.id:<4} {report.status:<9} {what:<24} {report.audience:<28} "
                f"{report.handled}/{report.total}  {counts}  at {local_text(report.scheduled_at, settings.tz)}"
            )
        return 0

    return _run(settings, work, read_only=True)


def control(args: argparse.Namespace, settings: Settings) -> int:
    async def work(runtime: Runtime) -> int:
        sessions = runtime.sessions
        if args.action == "pause":
            await service.pause(sessions, args.id, actor=None)
        elif args.action == "resume":
            await service.resume(sessions, args.id, actor=None)
        elif args.action == "cancel":
            await service.cancel(sessions, args.id, actor=None)
        elif args.action == "resend":
            again = await service.resend_failed(sessions, args.id, actor=None)
            print(f"{again} failed deliveries of #{args.id} go out again")
        report = await service.report(sessions, args.id, actor=None)
        if args.json:
            print(json.dumps(_as_dict(report), ensure_ascii=False))
        else:
            print(views.report_text(report, "en", runtime.catalog, settings.communes))
        return 0

    return _run(settings, work, read_only=args.action == "report")


def _as_dict(report: service.Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "kind": report.kind,
        "module": report.module_id,
        "audience": report.audience,
        "status": report.status,
        "total": report.total,
        "counts": dict(report.counts),
        "scheduled_at": report.scheduled_at.isoformat(),
        "started_at": report.started_at.isoformat() if report.started_at else None,
        "finished_at": report.finished_at.isoformat() if report.finished_at else None,
        "lesson": (
            {"started": report.lesson.started, "finished": report.lesson.finished, "days": report.lesson.days}
            if report.lesson
            else None
        ),
        "communes": [
            {
                "id": row.commune_id,
                "recipients": row.recipients,
                "sent": row.sent,
                "unreachable": row.unreachable,
                "failed": row.failed,
                "merged": row.merged,
            }
            for row in report.by_commune
        ],
    }


def _json_line(args: argparse.Namespace, payload: dict[str, Any]) -> None:
    if args.json:
        print(json.dumps(payload))
