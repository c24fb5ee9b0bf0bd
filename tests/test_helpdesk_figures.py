"""Help from a person in figures: per commune, questions asked, answered, the median time to the first
answer and the share answered within a day, in /stats, `stats --json` (key `help`) and the exports, with
the privacy thresholds (communes where fewer than 5 residents asked are merged)."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from bot import clock
from bot.__main__ import main
from bot.reports.export import to_xlsx
from bot.reports.service import context_for, load_report
from bot.reports.text import summary
from bot.runtime import Runtime
from bot.storage.models import HelpQuestion, Resident
from bot.storage.vocabulary import HelpStatus

# commune -> minutes to the first answer of each resident's question (None: not answered yet)
ASKED = {
    "nghia-ta": [10, 20, 30, 40, 50, None, 60 * 30],  # 7 residents, one answered after 30 hours
    "example-a": [5, 15],
    "example-b": [25, None, 35],
}


async def seed(runtime: Runtime) -> None:
    now = clock.now()
    async with runtime.sessions.begin() as session:
        number = 0
        for commune, minutes in ASKED.items():
            for wait in minutes:
                number += 1
                resident = Resident(
                    channel="telegram",
                    external_id=5000 + number,
                    chat_id=5000 + number,
                    commune_id=commune,
                    consent_at=now - timedelta(days=3),
                )
                session.add(resident)
                await session.flush()
                asked = now - timedelta(days=2)
                session.add(
                    HelpQuestion(
                        resident_id=resident.id,
                        commune_id=commune,
                        status=HelpStatus.OPEN if wait is None else HelpStatus.CLOSED,
                        context={},
                        asked_at=asked,
                        level=0,
                        answered_at=None if wait is None else asked + timedelta(minutes=wait),
                    )
                )


async def cli(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def test_help_figures_per_commune_with_small_communes_merged(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await seed(runtime)
    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("LESSONS_DIR", str(runtime.settings.lessons_dir))
    assert await cli("stats", "--json") == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["help"] == [
        {
            "id": "nghia-ta",
            "name": "Xã Nghĩa Tá",
            "asked": 7,
            "answered": 6,
            "median_minutes_to_first_answer": 35.0,  # of 10, 20, 30, 40, 50, 1800
            "share_answered_within_day": round(5 / 7, 4),
        },
        {
            # 2 + 3 residents asked: neither commune alone may be shown, together they may
            "id": "_small",
            "name": "Các xã ít người (gộp 2 xã)",
            "asked": 5,
            "answered": 4,
            "median_minutes_to_first_answer": None,  # 4 answered: a median needs 5
            "share_answered_within_day": 0.8,
            "merged": ["example-a", "example-b"],
        },
    ]

    context = context_for(runtime.settings, runtime.catalog)
    report = await load_report(runtime.db, context)
    text = summary(report, runtime.settings.tz)
    assert "🙋 Hỏi người hướng dẫn" in text
    assert "• Xã Nghĩa Tá: 7 · 6 · 35 phút · 71,4%" in text
    assert "• Các xã ít người (gộp 2 xã): 5 · 4 · — · 80%" in text
    sheet = load_workbook(io.BytesIO(to_xlsx(report, runtime.settings.tz)))["Hỏi người hướng dẫn"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0][:4] == ["nghia-ta", "Xã Nghĩa Tá", 7, 6]

    # An officer of example-a alone: 2 residents is too small a scope to show anything but its size.
    scoped = await load_report(runtime.db, context, frozenset({"example-a"}))
    assert scoped.suppressed and scoped.help == ()
