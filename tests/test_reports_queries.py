"""Every figure of the report against the hand-built dataset, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, select, update

from bot.reports.figures import Report
from bot.reports.privacy import NO_COMMUNE_ID, SMALL_ID
from bot.reports.queries import Population, completions_between, read_snapshot
from bot.reports.service import context_for, load_report
from bot.reports.weekly import previous_week
from bot.runtime import Runtime
from bot.storage.models import Answer, ModuleProgress, Resident
from tests.support import reports_dataset as data


@pytest.fixture
async def district(runtime: Runtime) -> Runtime:
    await data.build(runtime.sessions, runtime.catalog)
    return runtime


async def report_of(runtime: Runtime, scope: frozenset[str] | None = None) -> Report:
    return await load_report(runtime.db, context_for(runtime.settings, runtime.catalog), scope, now=data.NOW)


async def test_headline_counts_only_consented_residents(district: Runtime) -> None:
    head = (await report_of(district)).headline
    assert head.residents == 16  # the officer row without consent is not a resident
    assert head.onboarded == 15  # E1 never picked a commune
    assert head.new_7d == 3  # B4, B5, C2
    assert head.active_7d == 9  # A1 A2 A3 A4 B1 B4 B5 C1 C2
    assert head.active_30d == 13  # ... and A5 B2 D1 E1
    assert head.unreachable == 2  # A6, B3


async def test_module_figures(district: Runtime) -> None:
    report = await report_of(district)
    assert [m.id for m in report.modules][:2] == ["internet", "email"]  # catalogue order
    internet = report.module("internet")
    assert internet is not None
    assert (internet.started, internet.completed, internet.scored) == (8, 5, 6)
    assert internet.completion_rate == 0.625
    assert internet.avg_score == round((100 + 86 + 86 + 57 + 100 + 86) / 6, 1) == 85.8
    assert internet.median_score == 86.0  # 57 86 86 | 86 100 100
    assert internet.median_minutes_to_complete == 30.0  # 10 20 30 40 60
    assert (internet.steps, internet.questions) == (8, 7)

    email = report.module("email")
    assert email is not None
    assert (email.started, email.completed, email.scored, email.completion_rate) == (4, 2, 2, 0.5)
    # Fewer than five values: no average or median that could describe one person.
    assert email.avg_score is None and email.median_score is None and email.median_minutes_to_complete is None

    untouched = report.module("selling-online")
    assert untouched is not None
    assert (untouched.started, untouched.completed, untouched.completion_rate) == (0, 0, 0.0)


async def test_medians_of_an_even_count_average_the_two_middle_values(district: Runtime) -> None:
    # Five internet completions (10 20 30 40 60 min); A4 retakes and completes in 90 minutes: six.
    async with district.sessions.begin() as session:
        a4 = await session.scalar(select(Resident.id).where(Resident.external_id == data.EXTERNAL_ID["A4"]))
        await session.execute(
            update(ModuleProgress)
            .where(ModuleProgress.resident_id == a4, ModuleProgress.module_id == "internet")
            .values(
                status="completed",
                best_score=100,
                started_at=data.at("2026-03-12", 3),
                completed_at=data.at("2026-03-12", 4, 30),
            )
        )
    internet = (await report_of(district)).module("internet")
    assert internet is not None
    assert internet.median_minutes_to_complete == 35.0  # 10 20 30 | 40 60 90 -> (30 + 40) / 2
    assert internet.median_score == 93.0  # 86 86 86 | 100 100 100
    assert internet.avg_score == round((100 + 86 + 86 + 100 + 100 + 86) / 6, 1)


async def test_communes_merge_the_small_ones_and_add_up(district: Runtime) -> None:
    report = await report_of(district)
    rows = {c.id: c for c in report.communes}
    assert list(rows) == ["nghia-ta", "example-a", SMALL_ID]
    assert rows["nghia-ta"].residents == 6 and rows["example-a"].residents == 5
    small = rows[SMALL_ID]
    # example-b (3), other (1) and no commune (1): each under five, together five.
    assert set(small.merged) == {"example-b", "other", NO_COMMUNE_ID} and small.residents == 5
    assert rows["nghia-ta"].completions["internet"] == 3 and rows["nghia-ta"].completions["email"] == 1
    assert rows["example-a"].completions["internet"] == 1 and rows["example-a"].completions["email"] == 0
    assert small.completions["internet"] == 1 and small.completions["email"] == 1
    assert sum(c.residents for c in report.communes) == report.headline.residents
    for module in report.modules:
        assert sum(c.completions[module.id] for c in report.communes) == module.completed


async def test_funnels_count_who_reached_each_step_and_question(district: Runtime) -> None:
    report = await report_of(district)
    internet = report.funnel("internet")
    assert internet is not None
    assert internet.steps == (8, 7, 7, 7, 6, 6, 6, 6)  # B2 stopped at step 1, A5 at step 4
    assert internet.questions == (6,) * 7  # A1 A2 A3 A4 B1 C1; A2's retake is not a second arrival
    assert (internet.started, internet.completed) == (8, 5)
    email = report.funnel("email")
    assert email is not None
    assert email.steps == (4, 4, 3, 3, 3, 3, 3, 3, 3, 3)
    assert email.questions == (3, 3, 2, 2, 2, 2, 2)  # B3 answered two questions


async def test_hardest_questions_and_their_most_chosen_wrong_option(district: Runtime) -> None:
    report = await report_of(district)
    hardest = report.hardest(3)
    assert [(q.module_id, q.question_id) for q in hardest] == [
        ("internet", "q-suspicious-address"),
        ("internet", "q-padlock"),
        ("internet", "q-fake-link"),
    ]
    worst = hardest[0]
    assert (worst.number, worst.answers, worst.right, worst.residents) == (4, 7, 2, 6)
    assert worst.share_right == round(2 / 7, 4)
    assert worst.wrong_option == 1 and worst.wrong_count == 4  # A2 twice, A4, C1
    assert worst.wrong_option_text == data.question_text(district.catalog, "internet", worst.question_id).options[1]
    padlock = hardest[1]
    assert (padlock.answers, padlock.right, padlock.share_right) == (7, 5, round(5 / 7, 4))
    assert (padlock.wrong_option, padlock.wrong_count) == (0, 1)  # a tie (0 and 2): the first option
    # The officer's wrong answer to q-connect does not count: everyone counted got it right.
    connect = next(q for q in report.questions if q.question_id == "q-connect")
    assert (connect.answers, connect.share_right, connect.wrong_option) == (7, 1.0, None)
    # Email questions have at most three answers: too few to rank.
    assert not [q for q in report.questions if q.module_id == "email"]


async def test_completions_per_local_week(district: Runtime) -> None:
    report = await report_of(district)
    assert [(w.start, w.completions) for w in report.weeks] == [
        (date(2026, 2, 23), 1),  # A1 email
        (date(2026, 3, 2), 1),  # B1
        (date(2026, 3, 9), 2),  # E1, and A3 on Sunday 23:00 local
        (date(2026, 3, 16), 3),  # A1, C1, and A2: Sunday 18:30 UTC is Monday 01:30 local
    ]
    assert [w.label for w in report.weeks] == ["2026-W09", "2026-W10", "2026-W11", "2026-W12"]


async def test_an_officers_commune_only(district: Runtime) -> None:
    report = await report_of(district, frozenset({"nghia-ta"}))
    head = report.headline
    assert (head.residents, head.onboarded, head.new_7d) == (6, 6, 0)
    assert (head.active_7d, head.active_30d, head.unreachable) == (4, 5, 1)
    internet = report.module("internet")
    assert internet is not None
    assert (internet.started, internet.completed, internet.scored) == (5, 3, 4)
    assert internet.avg_score is None  # four scores only
    assert [c.id for c in report.communes] == ["nghia-ta"]
    worst = report.hardest(1)[0]
    assert (worst.question_id, worst.answers, worst.right) == ("q-suspicious-address", 5, 1)
    assert report.scope_name == "Xã Nghĩa Tá"


async def test_a_commune_under_five_residents_shows_only_its_size(district: Runtime) -> None:
    report = await report_of(district, frozenset({"example-b"}))
    assert report.suppressed
    assert report.headline.residents == 3
    assert report.headline.active_7d is None and report.headline.unreachable is None
    assert not report.modules and not report.communes and not report.questions and not report.weeks
    assert report.to_json()["suppressed"] is True


async def test_json_keys_agree_with_each_other(district: Runtime) -> None:
    figures = (await report_of(district)).to_json()
    for key in ("residents", "active_7d", "active_30d", "unreachable", "modules", "communes", "hardest_questions"):
        assert key in figures
    assert sum(c["residents"] for c in figures["communes"]) == figures["residents"]
    for module in figures["modules"]:
        assert {"id", "title", "started", "completed", "completion_rate", "avg_score"} <= set(module)
        assert module["completed"] <= module["started"]
        expected = round(module["completed"] / module["started"], 4) if module["started"] else 0.0
        assert module["completion_rate"] == expected
        assert sum(c["completions"][module["id"]] for c in figures["communes"]) == module["completed"]
    assert figures["active_7d"] <= figures["active_30d"] <= figures["residents"]


async def test_last_weeks_completions_for_the_weekly_report(district: Runtime) -> None:
    monday_morning = data.at("2026-03-16", 0, 30)  # Monday 07:30 local
    monday, start, end = previous_week(monday_morning, district.settings.tz)
    assert monday == date(2026, 3, 9)
    async with read_snapshot(district.db) as connection:
        per_module, new = await completions_between(connection, None, start, end)
    assert per_module == {"internet": 1, "email": 1}  # A3 (Sunday 23:00 local), E1; not A2 (Monday local)
    assert new == 3  # B4, B5, and C2 on Sunday 17:00 local


async def test_an_empty_database_is_a_suppressed_report(runtime: Runtime) -> None:
    report = await report_of(runtime)
    assert report.suppressed and report.headline.residents == 0


async def test_the_consent_filter_is_left_out_only_when_nobody_without_consent_has_learning_rows(
    district: Runtime,
) -> None:
    before = (await report_of(district)).to_json()
    async with read_snapshot(district.db) as connection:
        assert (await Population.of(connection, None)).outsiders_learn  # the officer O has answers
    async with district.sessions.begin() as session:
        officer = await session.scalar(select(Resident.id).where(Resident.external_id == data.EXTERNAL_ID["O"]))
        for table in (Answer, ModuleProgress):
            await session.execute(delete(table).where(table.resident_id == officer))
    async with read_snapshot(district.db) as connection:
        assert not (await Population.of(connection, None)).outsiders_learn
    after = (await report_of(district)).to_json()
    assert {key: value for key, value in after.items() if key != "generated_at"} == {
        key: value for key, value in before.items() if key != "generated_at"
    }
