"""The digital-skills passport: earned by completing every core module, drawn with the modules, scores
and competences in the resident's language, checked like any certificate; and the figures officers
report upward, which must agree with the raw progress and answer rows on both databases."""

from __future__ import annotations

import io
import json
import random
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from bot import actions, clock
from bot.certificates.service import Certificates
from bot.channels.console import CONSOLE_KEY
from bot.content.framework import FRAMEWORKS
from bot.learning.consent_notice import notice_version
from bot.messages import Event, EventKind, Outcome
from bot.reports.export import to_csv, to_xlsx
from bot.reports.passport import passport_figures
from bot.reports.queries import read_snapshot
from bot.reports.service import context_for, load_report
from bot.runtime import Runtime
from bot.storage.certificates import PASSPORT, new_code
from bot.storage.models import Answer, IssuedCertificate, ModuleProgress, Resident
from bot.storage.vocabulary import Channel, ModuleStatus
from tests.support.cli import run_cli
from tests.support.journey import lesson_of

CORE = ("internet", "email", "e-payment", "public-services", "data-safety")


async def tap(runtime: Runtime, packed: str) -> Outcome:
    """Press a button by its packed action, as the terminal chat does."""
    data = f"{actions.VERSION}{actions.ENVELOPE}{packed}"
    return await runtime.engine.handle(Event(CONSOLE_KEY, EventKind.ACTION, data, "Lan Hường"))


async def pass_module(runtime: Runtime, module_id: str) -> Outcome:
    lesson = lesson_of(runtime.catalog, module_id)
    await tap(runtime, f"open:{module_id}")
    for step in range(len(lesson.steps) - 1):
        await tap(runtime, f"next:{module_id}:{step}")
    await tap(runtime, f"quiz:{module_id}")
    result = None
    for index, question in enumerate(lesson.quiz.questions):
        await tap(runtime, f"ans:{module_id}:{index}:1:{question.answer}")
        result = await tap(runtime, f"nq:{module_id}:{index}:1")
    assert result is not None
    return result


def labels(outcome: Outcome) -> list[str]:
    return [button.label for reply in outcome.replies for row in reply.buttons for button in row]


async def test_completing_every_core_module_earns_a_passport_that_verifies(runtime: Runtime, tmp_path: Path) -> None:
    await runtime.engine.handle(Event(CONSOLE_KEY, EventKind.COMMAND, "start"))
    for packed in ("lang:vi", f"ok:vi:{notice_version('vi')}", "com:nghia-ta"):
        await tap(runtime, packed)
    for module_id in CORE[:-1]:
        result = await pass_module(runtime, module_id)
        assert not any("hộ chiếu" in label for label in labels(result))
    result = await pass_module(runtime, CORE[-1])
    assert any("hộ chiếu kỹ năng số" in label for label in labels(result))

    passport = await tap(runtime, "cert:passport")
    reply = passport.replies[0]
    assert reply.attachment is not None and reply.attachment.filename == "ho-chieu-ky-nang-so.png"
    drawn = reply.attachment.render.args[0]  # type: ignore[attr-defined]  # the Passport to be drawn
    assert [title for title, _ in drawn.modules] == [lesson_of(runtime.catalog, m).title for m in CORE]
    assert all(score == 100 for _, score in drawn.modules)
    assert any(label.startswith("DigComp 4.2 · Bảo vệ dữ liệu cá nhân") for label in drawn.competences)
    assert reply.attachment.render().startswith(b"\x89PNG")
    code = drawn.code
    assert code is not None and code in reply.text

    verdict = await Certificates(runtime.sessions, runtime.catalog, runtime.settings).verify(code)
    assert verdict.valid and verdict.module == PASSPORT and verdict.title == "Hộ chiếu kỹ năng số"
    again = await tap(runtime, "cert:passport")
    assert again.replies[0].attachment.render.args[0].code == code  # type: ignore[union-attr]
    async with runtime.sessions() as session:
        rows = (await session.scalars(select(IssuedCertificate.module_id))).all()
    assert sorted(rows) == sorted([*CORE, PASSPORT])

    progress = await runtime.engine.handle(Event(CONSOLE_KEY, EventKind.COMMAND, "progress"))
    assert "🏅 Nhận hộ chiếu kỹ năng số" in labels(progress)


async def test_a_forged_passport_button_changes_nothing(runtime: Runtime) -> None:
    await runtime.engine.handle(Event(CONSOLE_KEY, EventKind.COMMAND, "start"))
    for packed in ("lang:en", f"ok:en:{notice_version('en')}", "com:nghia-ta"):
        await tap(runtime, packed)
    await pass_module(runtime, "email")
    forged = await tap(runtime, "cert:passport")
    assert forged.stale and all(reply.attachment is None for reply in forged.replies)


# -- the figures -----------------------------------------------------------------------------------------


async def build_district(runtime: Runtime, seed: int) -> None:
    """Residents in communes of very different sizes, some without consent (never counted), random
    progress in the core modules and random answers everywhere; one holder's passport revoked."""
    rng = random.Random(seed)
    now = clock.now()
    communes = ["nghia-ta"] * 18 + ["example-a"] * 9 + ["example-b"] * 2 + ["other"] * 3 + [None] * 4
    lessons = runtime.catalog.modules("vi")
    async with runtime.sessions() as session, session.begin():
        holders: list[int] = []
        for number, commune in enumerate([*communes, "nghia-ta", "example-a"]):
            consented = number < len(communes)
            resident = Resident(
                channel=Channel.DEMO,
                external_id=10_000 + number,
                chat_id=10_000 + number,
                display_name=f"R{number}",
                commune_id=commune,
                consent_at=now - timedelta(days=30) if consented else None,
            )
            session.add(resident)
            await session.flush()
            everything = rng.random() < 0.4 or not consented
            for lesson in lessons:
                done = everything or rng.random() < 0.5
                if lesson.id in CORE or rng.random() < 0.5:
                    session.add(
                        ModuleProgress(
                            resident_id=resident.id,
                            module_id=lesson.id,
                            status=ModuleStatus.COMPLETED if done else ModuleStatus.IN_PROGRESS,
                            best_score=rng.choice((86, 100)) if done else None,
                            completed_at=now - timedelta(days=2) if done else None,
                        )
                    )
                for attempt in (1, 2) if rng.random() < 0.3 else (1,):
                    for question in lesson.quiz.questions:
                        if rng.random() < 0.9:
                            correct = rng.random() < (0.95 if done else 0.6)
                            session.add(
                                Answer(
                                    resident_id=resident.id,
                                    module_id=lesson.id,
                                    question_id=question.id,
                                    attempt=attempt,
                                    chosen=question.answer if correct else (question.answer + 1) % 3,
                                    correct=correct,
                                )
                            )
            if everything and consented:
                holders.append(resident.id)
        for index, holder in enumerate(holders[:3]):
            session.add(
                IssuedCertificate(
                    code=new_code(),
                    resident_id=holder,
                    module_id=PASSPORT,
                    score=93,
                    revoked_at=now if index == 0 else None,  # the first one revoked: no longer a holder
                )
            )


async def expected_from_raw_rows(runtime: Runtime) -> tuple[dict[str | None, tuple[int, int]], dict[Any, int]]:
    """The same figures worked out in Python from every raw row: (residents, holders) per commune, and
    residents who mastered each competence."""
    async with runtime.sessions() as session:
        people = (await session.execute(select(Resident.id, Resident.commune_id, Resident.consent_at))).all()
        progress = select(ModuleProgress.resident_id, ModuleProgress.module_id, ModuleProgress.status)
        rows = (await session.execute(progress)).all()
        answers = select(Answer.resident_id, Answer.module_id, Answer.question_id, Answer.correct)
        right = (await session.execute(answers)).all()
        revoked = set(
            (
                await session.scalars(
                    select(IssuedCertificate.resident_id).where(
                        IssuedCertificate.module_id == PASSPORT, IssuedCertificate.revoked_at.is_not(None)
                    )
                )
            ).all()
        )
    completed: dict[int, set[str]] = defaultdict(set)
    for resident_id, module_id, status in rows:
        if status == ModuleStatus.COMPLETED:
            completed[resident_id].add(module_id)
    known: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for resident_id, module_id, question_id, correct in right:
        if correct:
            known[resident_id].add((module_id, question_id))
    communes: dict[str | None, tuple[int, int]] = {}
    counted = [(rid, commune) for rid, commune, consent in people if consent is not None]
    for rid, commune in counted:
        total, held = communes.get(commune, (0, 0))
        holder = set(CORE) <= completed[rid] and rid not in revoked
        communes[commune] = (total + 1, held + int(holder))
    tagged: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for lesson in runtime.catalog.modules("vi"):
        for question in lesson.quiz.questions:
            for framework in FRAMEWORKS:
                for code in getattr(question.tags, framework):
                    tagged[(framework, code)].add((lesson.id, question.id))
    mastered = {pair: sum(1 for rid, _ in counted if keys <= known[rid]) for pair, keys in tagged.items()}
    return communes, mastered


async def test_the_passport_figures_agree_with_the_raw_rows(runtime: Runtime) -> None:
    await build_district(runtime, seed=14)
    communes, mastered = await expected_from_raw_rows(runtime)
    context = context_for(runtime.settings, runtime.catalog)
    async with read_snapshot(runtime.db) as connection:
        exact = await passport_figures(
            connection,
            catalog=runtime.catalog,
            commune_ids=[c.id for c in runtime.settings.communes],
            commune_name=context.commune_name,
            core=CORE,
            target=None,
            language="vi",
            k=1,  # nothing merged: every commune as it is
        )
    by_id = {row.id: (row.residents, row.holders) for row in exact.communes}
    assert by_id == {("_none" if c is None else c): figures for c, figures in communes.items()}
    assert exact.residents == sum(total for total, _ in communes.values())
    assert exact.holders == sum(held for _, held in communes.values()) > 0
    assert {(m.framework, m.code): m.mastered for m in exact.competences} == mastered
    assert any(0 < m.mastered < exact.residents for m in exact.competences)  # the test can tell them apart

    # As reported, with the privacy rule: the two-resident commune is merged, the totals still add up.
    report = await load_report(runtime.db, context)
    shown = report.passport
    assert shown is not None
    assert "example-b" not in {row.id for row in shown.communes}
    assert all(row.residents >= 5 for row in shown.communes)
    assert sum(row.residents for row in shown.communes) == exact.residents
    assert sum(row.holders for row in shown.communes) == exact.holders
    assert shown.share == round(exact.holders / exact.residents, 4)


async def test_the_passport_sheet_opens_with_numbers_as_numbers(runtime: Runtime) -> None:
    await build_district(runtime, seed=7)
    settings = runtime.settings.model_copy(update={"basic_skills_target": 40.0})
    context = context_for(settings, runtime.catalog)
    report = await load_report(runtime.db, context)
    assert report.passport is not None and report.passport.target == 40.0
    assert report.to_json()["passport"]["holders"] == report.passport.holders

    workbook = load_workbook(io.BytesIO(to_xlsx(report, settings.tz)))
    sheet = workbook["Phổ cập kỹ năng số"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["Mã xã", "Xã", "Người học", "Có hộ chiếu kỹ năng số", "Tỉ lệ", "Mục tiêu"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    total = rows[-1]
    assert total[0] == "all" and total[2] == report.passport.residents and total[3] == report.passport.holders
    assert isinstance(total[4], float) and total[5] == 0.4
    assert sheet.cell(row=len(rows) + 1, column=5).number_format == "0.0%"
    assert all(isinstance(row[2], int) and isinstance(row[3], int) for row in rows)
    competences = workbook["Năng lực số"]
    assert [cell.value for cell in competences[1]][:3] == ["Khung", "Mã", "Năng lực"]

    csv_text = to_csv(report, settings.tz).decode("utf-8-sig")
    assert "Phổ cập kỹ năng số,all" in csv_text


async def test_stats_on_the_command_line_reports_the_passport(runtime: Runtime) -> None:
    await build_district(runtime, seed=3)
    env = {"DATABASE_URL": runtime.settings.database_url, "BASIC_SKILLS_TARGET": "50"}
    done = run_cli("stats", "--json", env=env)
    assert done.returncode == 0, done.stderr
    passport = json.loads(done.stdout.strip().splitlines()[-1])["passport"]
    report = await load_report(runtime.db, context_for(runtime.settings, runtime.catalog))
    assert report.passport is not None
    assert (passport["residents"], passport["holders"]) == (report.passport.residents, report.passport.holders)
    assert passport["target_percent"] == 50.0 and len(passport["competences"]) == len(report.passport.competences) > 0
    text = run_cli("stats", env=env).stdout
    assert "🏅 Hộ chiếu kỹ năng số" in text and "Mục tiêu: 50%" in text
