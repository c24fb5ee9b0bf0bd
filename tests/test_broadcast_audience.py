"""Audience specs and their SQL, on SQLite and PostgreSQL: who is reached, and who never is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from bot import clock
from bot.broadcast import audience as audiences
from bot.broadcast import service
from bot.broadcast.audience import Audience, AudienceError, parse
from bot.broadcast.content import TEXT, Content
from bot.channels.telegram.testing.broadcasting import seed_residents
from bot.runtime import Runtime
from bot.storage.models import Delivery, ModuleProgress, Resident
from bot.storage.roles import Actor

COMMUNES = {"nghia-ta", "example-a", "example-b", "other"}
MODULES = {"email", "internet", "e-payment"}


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("all", Audience("all")),
        (" commune:nghia-ta ", Audience("commune", "nghia-ta")),
        ("language:en", Audience("language", "en")),
        ("not-completed:email", Audience("not-completed", "email")),
        ("inactive:030", Audience("inactive", "30")),
        ("ALL", Audience("all")),
    ],
)
def test_specs_parse(spec: str, expected: Audience) -> None:
    assert parse(spec, communes=COMMUNES, modules=MODULES) == expected
    assert parse(expected.spec, communes=COMMUNES, modules=MODULES) == expected


@pytest.mark.parametrize(
    "spec, message",
    [
        ("everyone", "unknown audience"),
        ("commune:", "needs a value"),
        ("commune:atlantis", "unknown commune"),
        ("language:fr", "unknown language"),
        ("not-completed:cooking", "unknown module"),
        ("inactive:0", "number of days"),
        ("inactive:soon", "number of days"),
        ("all:x", "takes no value"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(AudienceError, match=message):
        parse(spec, communes=COMMUNES, modules=MODULES)


@pytest.fixture
async def village(runtime: Runtime) -> dict[str, list[int]]:
    """A small population with every kind of resident an audience must include or leave out."""
    sessions = runtime.sessions
    month_ago = clock.now() - timedelta(days=40)
    groups = {
        "nghia_ta_vi": await seed_residents(sessions, 5, first_id=1000),
        "example_a_en": await seed_residents(
            sessions, 3, first_id=2000, commune="example-a", language="en", last_seen=month_ago
        ),
        "blocked": await seed_residents(
            sessions, 2, first_id=3000, unreachable_at=clock.now(), unreachable_reason="blocked"
        ),
        "no_consent": await seed_residents(sessions, 1, first_id=4000, consent=False, role="officer"),
        "demo": await seed_residents(sessions, 1, first_id=5000, is_demo=True),
        "no_commune": await seed_residents(sessions, 1, first_id=6000, commune=None),
    }
    async with sessions.begin() as session:
        ids = dict((await session.execute(select(Resident.external_id, Resident.id))).all())
        now = clock.now()
        progress = [
            {"resident_id": ids[1000], "module_id": "email", "status": "completed", "completed_at": now},
            {"resident_id": ids[1001], "module_id": "email", "status": "completed", "completed_at": now},
            {"resident_id": ids[2000], "module_id": "email", "status": "in_progress"},
            {"resident_id": ids[1002], "module_id": "internet", "status": "completed", "completed_at": now},
        ]
        await session.execute(insert(ModuleProgress), progress)
    return groups


@pytest.mark.parametrize(
    "spec, scope, expected",
    [
        ("all", None, 9),  # 5 + 3 + the one without a commune
        ("commune:nghia-ta", None, 5),
        ("commune:example-a", None, 3),
        ("language:en", None, 3),
        ("language:vi", None, 6),
        ("not-completed:email", None, 7),  # in progress counts as not completed
        ("not-completed:internet", None, 8),
        ("inactive:30", None, 3),
        ("inactive:60", None, 0),
        ("all", {"example-a"}, 3),
        ("language:vi", {"example-a"}, 0),
        ("commune:nghia-ta", {"example-a"}, 0),
        ("not-completed:email", {"nghia-ta", "example-a"}, 6),
        ("all", set(), 0),
    ],
)
async def test_audience_counts_and_outbox_agree(
    runtime: Runtime, village: dict[str, list[int]], spec: str, scope: set[str] | None, expected: int
) -> None:
    audience = parse(spec, communes=COMMUNES, modules=MODULES)
    now = clock.now()
    async with runtime.sessions() as session:
        assert await audiences.count(session, audience, scope, now) == expected
    if not expected:
        return
    created = await service.create(
        runtime.sessions,
        service.Draft(Content(TEXT, text="Xin chào"), audience),
        actor=None if scope is None else Actor(1, "officer", None, frozenset(scope)),
        catalog=runtime.catalog,
        tz=runtime.settings.tz,
        quiet=None,
    )
    assert created.recipients == expected
    async with runtime.sessions() as session:
        chosen = set(
            await session.scalars(
                select(Resident.external_id)
                .join(Delivery, Delivery.resident_id == Resident.id)
                .where(Delivery.broadcast_id == created.id)
            )
        )
    never = {*village["blocked"], *village["no_consent"], *village["demo"]}
    assert not chosen & never
    assert len(chosen) == expected


async def test_a_limited_officer_cannot_name_another_commune(runtime: Runtime, village: dict[str, list[int]]) -> None:
    officer = Actor(1, "officer", 42, frozenset({"example-a"}))
    with pytest.raises(service.NotAllowed):
        await service.create(
            runtime.sessions,
            service.Draft(Content(TEXT, text="Xin chào"), Audience("commune", "nghia-ta")),
            actor=officer,
            catalog=runtime.catalog,
            tz=runtime.settings.tz,
            quiet=None,
        )
    resident = Actor(1000, "resident", 1, None)
    with pytest.raises(service.NotAllowed):
        await service.plan(
            runtime.sessions,
            service.Draft(Content(TEXT, text="Xin chào"), Audience("all")),
            actor=resident,
            tz=runtime.settings.tz,
            quiet=None,
            now=clock.now(),
        )


async def test_an_empty_audience_creates_nothing(runtime: Runtime, village: dict[str, list[int]]) -> None:
    with pytest.raises(service.BroadcastError, match="nobody"):
        await service.create(
            runtime.sessions,
            service.Draft(Content(TEXT, text="Xin chào"), Audience("inactive", "60")),
            actor=None,
            catalog=runtime.catalog,
            tz=runtime.settings.tz,
            quiet=None,
        )
    assert await service.recent(runtime.sessions, actor=None) == []
