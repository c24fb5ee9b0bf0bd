"""`python -m bot stats` and `python -m bot export` on the hand-built district."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.__main__ import main
from bot.runtime import Runtime
from bot.storage.models import AuditLog
from tests.support import reports_dataset as data


@pytest.fixture
async def district(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    await data.build(runtime.sessions, runtime.catalog)
    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("LESSONS_DIR", str(runtime.settings.lessons_dir))
    return runtime


async def cli(*argv: str) -> int:
    # The commands call asyncio.run(), which needs a thread without a running event loop.
    return await asyncio.to_thread(main, list(argv))


async def test_stats_json_is_the_last_line_and_adds_up(district: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    assert await cli("stats", "--json") == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["residents"] == 16 and figures["unreachable"] == 2
    internet = next(m for m in figures["modules"] if m["id"] == "internet")
    assert internet == {
        "id": "internet",
        "title": "Dùng Internet an toàn",
        "steps": 8,
        "questions": 7,
        "started": 8,
        "completed": 5,
        "completion_rate": 0.625,
        "scored": 6,
        "avg_score": 85.8,
        "median_score": 86.0,
        "median_minutes_to_complete": 30.0,
    }
    assert sum(c["residents"] for c in figures["communes"]) == figures["residents"]
    assert {c["id"]: c["completions"]["internet"] for c in figures["communes"]} == {
        "nghia-ta": 3,
        "example-a": 1,
        "_small": 1,
    }
    assert figures["hardest_questions"][0]["question_id"] == "q-suspicious-address"


async def test_stats_for_one_commune_and_as_text(district: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    assert await cli("stats", "--json", "--commune", "nghia-ta") == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["residents"] == 6
    assert await cli("stats", "--commune", "nowhere") == 2
    assert "unknown commune nowhere" in capsys.readouterr().err
    assert await cli("stats") == 0
    out = capsys.readouterr().out
    assert "Người học (đã đồng ý): 16" in out and "Dùng Internet an toàn: 8 → 5 (62,5%)" in out


async def test_export_writes_files_that_open(district: Runtime, tmp_path: Path) -> None:
    xlsx, csv_file = tmp_path / "out" / "thong-ke.xlsx", tmp_path / "thong-ke.csv"
    assert await cli("export", "--format", "xlsx", "--out", str(xlsx)) == 0
    assert await cli("export", "--out", str(csv_file)) == 0  # the format follows the file name
    workbook = load_workbook(xlsx)
    assert "Câu hỏi" in workbook.sheetnames
    questions = list(workbook["Câu hỏi"].iter_rows(min_row=2, values_only=True))
    assert questions[0][:3] == ("internet", "Dùng Internet an toàn", 4) and questions[0][6] == round(2 / 7, 4)
    rows = list(csv.DictReader(io.StringIO(csv_file.read_bytes().decode("utf-8-sig"))))
    funnel = [r for r in rows if r["Bảng"] == "Phễu" and r["Mã"] == "internet" and r["Chỉ số"] == "Số người"]
    assert [int(r["Giá trị"]) for r in funnel] == [8, 7, 7, 7, 6, 6, 6, 6, *[6] * 7, 5]
    async with district.sessions() as session:
        audits = (await session.scalars(select(AuditLog).where(AuditLog.action == "export"))).all()
    assert [(a.actor, a.detail["format"]) for a in audits] == [("cli", "xlsx"), ("cli", "csv")]


async def test_stats_on_a_database_never_set_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    assert await cli("stats", "--json") == 2  # like every missing database at the command line
    assert "db upgrade" in capsys.readouterr().err
    assert not (tmp_path / "empty.sqlite3").exists()  # reading never creates it
