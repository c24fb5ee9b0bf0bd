"""`python -m bot broadcast`, `broadcasts` and `broadcast-control`, run as the operator would (in a thread,
through `bot.__main__.main`, with settings from the environment)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.__main__ import main
from bot.channels.telegram.testing.broadcasting import delivery_counts, make_sender, run_to_end, seed_residents
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi
from bot.runtime import Runtime
from bot.storage.models import AuditLog, Broadcast

Cli = Callable[..., Awaitable[tuple[int, str, str]]]


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("QUIET_HOURS", "")

    async def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = await asyncio.to_thread(main, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def last_json(out: str) -> Any:
    return json.loads(out.strip().splitlines()[-1])


async def test_broadcast_from_the_command_line(runtime: Runtime, cli: Cli) -> None:
    await seed_residents(runtime.sessions, 3)
    await seed_residents(runtime.sessions, 2, first_id=800_000, commune="example-a")

    code, out, _ = await cli("broadcast", "--text", "Họp xã", "--audience", "commune:example-a", "--dry-run", "--json")
    assert code == 0 and last_json(out)["id"] is None and last_json(out)["recipients"] == 2
    async with runtime.sessions() as session:
        assert await session.scalar(select(Broadcast.id)) is None  # a dry run persists nothing

    code, out, _ = await cli("broadcast", "--lesson", "email", "--json")
    created = last_json(out)
    assert code == 0 and created["recipients"] == 5
    lesson_id = created["id"]
    assert f"broadcast #{lesson_id}: 5 recipient(s)" in out
    assert await delivery_counts(runtime.sessions, lesson_id) == {"pending": 5}

    code, out, _ = await cli("broadcast", "--text", "Sáng mai", "--at", "2099-01-01T08:00", "--json")
    later_id = last_json(out)["id"]
    async with runtime.sessions() as session:
        later = await session.get(Broadcast, later_id)
        assert later is not None and later.status == "scheduled" and later.scheduled_at.year == 2099

    code, out, _ = await cli("broadcasts", "--json")
    listed = {entry["id"]: entry for entry in json.loads(out)}
    assert listed[lesson_id]["status"] == "sending" and listed[lesson_id]["counts"] == {"pending": 5}
    assert listed[later_id]["status"] == "scheduled"
    code, out, _ = await cli("broadcasts")
    assert code == 0 and f"#{lesson_id}" in out and "lesson:email" in out

    code, out, _ = await cli("broadcast-control", "pause", str(lesson_id))
    assert code == 0 and "paused" in out
    code, out, _ = await cli("broadcast-control", "cancel", str(later_id), "--json")
    assert last_json(out)["status"] == "cancelled"
    assert last_json(out)["counts"] == {"cancelled": 5}

    async with runtime.sessions() as session:
        audit = (await session.execute(select(AuditLog.actor, AuditLog.action).order_by(AuditLog.id))).all()
    assert [tuple(row) for row in audit] == [
        ("cli", "broadcast.create"),
        ("cli", "broadcast.create"),
        ("cli", "broadcast.pause"),
        ("cli", "broadcast.cancel"),
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (("broadcast", "--text", "x", "--audience", "commune:atlantis"), "unknown commune 'atlantis'"),
        (("broadcast", "--lesson", "cooking"), "unknown module 'cooking'"),
        (("broadcast", "--text", "x", "--at", "2001-01-01T08:00"), "has already passed"),
        (("broadcast", "--text", "x"), "nobody to send to"),
        (("broadcast-control", "resume", "99"), "no broadcast #99"),
    ],
)
async def test_command_line_mistakes_are_one_line_errors(
    runtime: Runtime, cli: Cli, args: tuple[str, ...], message: str
) -> None:
    code, _, err = await cli(*args)
    assert code == 2
    assert message in err and "Traceback" not in err


async def test_the_audit_log_reads_back_who_did_what_newest_first(runtime: Runtime, cli: Cli) -> None:
    code, out, _ = await cli("audit")
    assert code == 0 and "the audit log is empty" in out

    await seed_residents(runtime.sessions, 2)
    assert (await cli("grant", "officer", "4242", "--commune", "nghia-ta"))[0] == 0
    code, out, _ = await cli("broadcast", "--text", "Họp thôn tối nay", "--json")
    broadcast_id = last_json(out)["id"]

    code, out, _ = await cli("audit", "--json")
    assert code == 0
    entries = last_json(out)
    assert [entry["action"] for entry in entries] == ["broadcast.create", "grant"]
    assert all(entry["actor"] == "cli" for entry in entries)
    assert entries[0]["detail"]["broadcast"] == broadcast_id
    assert entries[1]["detail"] == {"role": "officer", "telegram_id": 4242, "communes": ["nghia-ta"]}
    assert "broadcast.create" in out.splitlines()[0]  # the table, newest first, before the JSON line

    code, out, _ = await cli("audit", "--limit", "1", "--json")
    assert [entry["action"] for entry in last_json(out)] == ["broadcast.create"]


async def test_audit_on_a_database_without_tables_says_what_to_do(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/empty.sqlite3")
    code = await asyncio.to_thread(main, ["audit"])
    err = capsys.readouterr().err
    assert code == 2 and "db upgrade" in err and "Traceback" not in err


async def test_the_report_shows_each_commune_and_merges_the_small_ones(
    runtime: Runtime, cli: Cli, api: FakeBotApi
) -> None:
    big = await seed_residents(runtime.sessions, 12, first_id=600_000, commune="nghia-ta")
    await seed_residents(runtime.sessions, 7, first_id=610_000, commune="example-a")
    await seed_residents(runtime.sessions, 6, first_id=620_000, commune="example-b")
    await seed_residents(runtime.sessions, 2, first_id=630_000, commune="other")  # too few to show alone
    api.blocked.update(big[:2])
    code, out, _ = await cli("broadcast", "--text", "Lịch tiêm phòng cho gà", "--json")
    broadcast_id = last_json(out)["id"]
    await run_to_end(await make_sender(runtime.sessions, api, runtime.catalog), runtime.sessions, broadcast_id)

    code, out, _ = await cli("broadcast-control", "report", str(broadcast_id), "--json")
    assert code == 0
    rows = [(row["id"], row["recipients"], row["sent"], row["unreachable"]) for row in last_json(out)["communes"]]
    # "other" (2) is merged with the next smallest commune, example-b (6): no row stands for fewer than 5.
    assert rows == [("nghia-ta", 12, 10, 2), ("example-a", 7, 7, 0), ("_small", 8, 8, 0)]
    assert sum(recipients for _, recipients, _, _ in rows) == 27
    code, out, _ = await cli("broadcast-control", "report", str(broadcast_id))
    assert "Nghia Ta commune: 10/12 · 2 unreachable" in out
    assert "Small communes (2 merged): 8/8" in out


async def test_report_and_cancel_of_a_broadcast_to_one_language(runtime: Runtime, cli: Cli) -> None:
    """Describing a "language:" audience once raised a TypeError in `t()`: a traceback after the commit."""
    await seed_residents(runtime.sessions, 2, first_id=890_000, language="en")
    await seed_residents(runtime.sessions, 1, first_id=891_000, language="vi")
    code, out, err = await cli("broadcast", "--text", "Meeting tonight", "--audience", "language:en", "--json")
    assert code == 0, err
    broadcast_id = last_json(out)["id"]
    assert last_json(out)["recipients"] == 2

    code, out, err = await cli("broadcast-control", "report", str(broadcast_id))
    assert code == 0 and "Traceback" not in err
    assert "residents using English" in out
    code, out, err = await cli("broadcast-control", "cancel", str(broadcast_id), "--json")
    assert code == 0 and "Traceback" not in err
    assert last_json(out)["status"] == "cancelled" and last_json(out)["counts"] == {"cancelled": 2}
