"""Roles: granted from the CLI and by admins in the chat, checked on the server, audited."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot import clock
from bot.broadcast import audience as audiences
from bot.channels.telegram.testing.broadcasting import seed_residents
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser
from bot.cli.roles import run_grant
from bot.config import Settings
from bot.runtime import Runtime
from bot.storage.grants import GrantError, grant, revoke
from bot.storage.models import AuditLog, OfficerCommune, Resident
from bot.storage.roles import actor_for
from tests.support.journey import count, onboard
from tests.support.settings import ADMIN_ID

KNOWN = {"nghia-ta", "example-a", "example-b", "other"}


def cli_args(verb: str, role: str, telegram_id: int, *communes: str) -> argparse.Namespace:
    return argparse.Namespace(verb=verb, role=role, telegram_id=telegram_id, commune=list(communes))


async def audit_actions(runtime: Runtime) -> list[tuple[str, str]]:
    async with runtime.sessions() as session:
        rows = await session.execute(select(AuditLog.actor, AuditLog.action).order_by(AuditLog.id))
        return [(actor, action) for actor, action in rows]


async def test_cli_grant_to_someone_new_makes_a_role_only_row_that_is_no_audience(
    runtime: Runtime, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    await seed_residents(runtime.sessions, 3)
    assert await run_grant(settings, cli_args("grant", "officer", 4242, "nghia-ta", "example-a")) == 0
    assert "4242 is now officer for nghia-ta, example-a (has not started the bot yet)" in capsys.readouterr().out

    async with runtime.sessions() as session:
        row = await session.scalar(select(Resident).where(Resident.external_id == 4242))
        assert row is not None and row.role == "officer" and row.consent_at is None
        actor = await actor_for(session, settings.admin_ids, 4242)
        assert actor.is_officer and not actor.is_admin
        assert actor.communes == frozenset({"nghia-ta", "example-a"})
        # Not a resident: the three seeded residents are the whole audience.
        assert await audiences.count(session, audiences.Audience("all"), None, clock.now()) == 3

    # Granting again replaces the communes; no commune means every commune.
    assert await run_grant(settings, cli_args("grant", "officer", 4242)) == 0
    async with runtime.sessions() as session:
        assert (await actor_for(session, settings.admin_ids, 4242)).communes is None

    assert await run_grant(settings, cli_args("revoke", "officer", 4242)) == 0
    assert await count(runtime, Resident, external_id=4242) == 0  # nothing kept without consent
    assert await count(runtime, OfficerCommune) == 0
    assert await audit_actions(runtime) == [("cli", "grant"), ("cli", "grant"), ("cli", "revoke")]


async def test_cli_refuses_what_cannot_be(
    runtime: Runtime, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_grant(settings, cli_args("grant", "officer", 77, "atlantis")) == 1
    assert "unknown commune(s): atlantis" in capsys.readouterr().err
    assert await run_grant(settings, cli_args("grant", "admin", 77, "nghia-ta")) == 1
    assert await run_grant(settings, cli_args("revoke", "officer", 77)) == 1
    assert "77 is not an officer" in capsys.readouterr().err
    assert await run_grant(settings, cli_args("revoke", "admin", ADMIN_ID)) == 1
    assert "ADMIN_IDS" in capsys.readouterr().err
    assert await count(runtime, Resident) == 0
    assert await audit_actions(runtime) == []


async def test_revoking_a_consented_resident_keeps_their_learning(
    make_user: Callable[..., FakeUser], runtime: Runtime, settings: Settings
) -> None:
    user = make_user(3003, "Hoa")
    await onboard(user)
    async with runtime.sessions.begin() as session:
        await grant(session, role="officer", telegram_id=3003, communes=["nghia-ta"], known_communes=KNOWN, actor=None)
    async with runtime.sessions.begin() as session:
        change = await revoke(session, role="officer", telegram_id=3003, admin_ids=[], actor=None)
    assert not change.removed
    async with runtime.sessions() as session:
        row = await session.scalar(select(Resident).where(Resident.external_id == 3003))
        assert row is not None and row.role == "resident" and row.consent_at is not None


async def test_only_admins_grant(runtime: Runtime) -> None:
    async with runtime.sessions.begin() as session:
        await grant(session, role="officer", telegram_id=11, communes=[], known_communes=KNOWN, actor=None)
    async with runtime.sessions() as session:
        officer = await actor_for(session, [], 11)
        with pytest.raises(PermissionError):
            await grant(session, role="admin", telegram_id=11, communes=[], known_communes=KNOWN, actor=officer)
        with pytest.raises(GrantError):
            await grant(session, role="resident", telegram_id=11, communes=[], known_communes=KNOWN, actor=None)


async def test_admin_grants_lists_and_revokes_in_the_chat(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi
) -> None:
    admin = make_user(ADMIN_ID, "Admin")
    await admin.send("/grant officer 5150 nghia-ta")
    assert "5150 giờ là cán bộ (nghia-ta)" in admin.last().text
    assert "chưa mở bot" in admin.last().text

    await admin.send("/grant officer 5151 nowhere")
    assert "unknown commune(s): nowhere" in admin.last().text
    await admin.send("/grant boss 5151")
    assert admin.last().text.startswith("Cách dùng: /grant")

    await admin.send("/roles")
    listing = admin.last().text
    assert f"• {ADMIN_ID} · quản trị viên · mọi xã · từ ADMIN_IDS" in listing
    assert "• 5150 · cán bộ · nghia-ta · chưa mở bot" in listing

    await admin.send("/revoke officer 5150")
    assert "5150 không còn là cán bộ" in admin.last().text
    async with runtime.sessions() as session:
        assert (await actor_for(session, [ADMIN_ID], 5150)).role == "resident"
    assert await audit_actions(runtime) == [(f"telegram:{ADMIN_ID}", "grant"), (f"telegram:{ADMIN_ID}", "revoke")]


async def test_residents_and_officers_cannot_use_admin_commands(
    make_user: Callable[..., FakeUser], runtime: Runtime
) -> None:
    resident = make_user(2002, "Minh")
    await onboard(resident)
    for command in ("/grant officer 2002", "/revoke admin 9001", "/roles"):
        await resident.send(command)
        assert "dành cho quản trị viên" in resident.last().text
    async with runtime.sessions.begin() as session:
        await grant(session, role="officer", telegram_id=2003, communes=[], known_communes=KNOWN, actor=None)
    officer = make_user(2003, "Officer")
    await officer.send("/grant admin 2003")
    assert "dành cho quản trị viên" in officer.last().text
    async with runtime.sessions() as session:
        assert (await actor_for(session, [ADMIN_ID], 2002)).role == "resident"
        assert (await actor_for(session, [ADMIN_ID], 2003)).role == "officer"
    # Every refusal is audited too (issue 15): who probed for a privilege is what an auditor asks first.
    assert await audit_actions(runtime) == [
        *[("telegram:2002", "refused")] * 3,
        ("cli", "grant"),
        ("telegram:2003", "refused"),
    ]


def test_grant_and_revoke_from_the_command_line(tmp_path: object) -> None:
    """`python -m bot grant` end to end, in a subprocess like an operator would run it."""
    from tests.support.cli import run_cli

    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    result = run_cli("grant", "officer", "123", "--commune", "nghia-ta", env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "123 is now officer for nghia-ta" in result.stdout
    result = run_cli("revoke", "officer", "123", env={"DATABASE_URL": url})
    assert result.returncode == 0 and "no longer officer" in result.stdout
    result = run_cli("revoke", "officer", "123", env={"DATABASE_URL": url})
    assert result.returncode == 1 and "not an officer" in result.stderr


async def test_helpers_are_granted_for_their_communes_only(
    runtime: Runtime, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_grant(settings, cli_args("grant", "helper", 4343)) == 1
    assert "name them with --commune" in capsys.readouterr().err
    assert await run_grant(settings, cli_args("grant", "helper", 4343, "example-a")) == 0
    assert "4343 is now helper for example-a" in capsys.readouterr().out
    async with runtime.sessions() as session:
        helper = await actor_for(session, settings.admin_ids, 4343)
        assert helper.is_helper and not helper.is_officer
        assert helper.may_answer("example-a") and not helper.may_answer("example-b")
        admin = await actor_for(session, settings.admin_ids, ADMIN_ID)
        assert admin.may_answer("example-b")
        resident = await actor_for(session, settings.admin_ids, 1)
        assert not resident.may_answer("example-a")
    assert await run_grant(settings, cli_args("revoke", "officer", 4343)) == 1
    assert "4343 is not an officer" in capsys.readouterr().err
    assert await run_grant(settings, cli_args("revoke", "helper", 4343)) == 0
    assert await count(runtime, Resident, external_id=4343) == 0


async def test_admin_grants_a_helper_in_the_chat_and_roles_lists_them(
    make_user: Callable[..., FakeUser], runtime: Runtime
) -> None:
    admin = make_user(ADMIN_ID, "Admin")
    await admin.send("/grant helper 5353 nghia-ta")
    assert "5353 giờ là người hướng dẫn (nghia-ta)" in admin.last().text
    await admin.send("/grant helper 5354")
    assert "name them with --commune" in admin.last().text
    await admin.send("/roles")
    assert "• 5353 · người hướng dẫn · nghia-ta · chưa mở bot" in admin.last().text
    await admin.send("/revoke helper 5353")
    assert "5353 không còn là người hướng dẫn" in admin.last().text
