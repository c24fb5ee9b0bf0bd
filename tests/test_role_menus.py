"""The "/" command menu: residents see theirs; officers and admins see what they may use, in their language."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from telegram.ext import Application

from bot.channels.telegram import menus
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser
from bot.cli.roles import run_grant
from bot.config import Settings
from tests.support.journey import onboard
from tests.support.settings import ADMIN_ID

RESIDENT = ["start", "menu", "progress", "help", "ask", "language", "reminders", "mydata", "deleteme", "verify"]
HELPER = ["questions", *RESIDENT]
OFFICER = ["broadcast", "broadcasts", "stats", "export", *HELPER]
ADMIN_ONLY = ["roles", "grant", "revoke", "weeklyreport", "certificates"]
ADMIN = ["broadcast", "broadcasts", "stats", "export", *ADMIN_ONLY, *HELPER]


async def test_residents_get_their_commands_in_both_languages(app: Application, api: FakeBotApi) -> None:
    await menus.set_default_menus(app.bot)
    assert api.menu_for(1001, "vi") == RESIDENT
    assert api.menu_for(1001, "en") == RESIDENT
    described = {
        call.params.get("language_code"): str(call.params["commands"]) for call in api.calls_of("setMyCommands")
    }
    assert "Danh sách bài học" in described[None] and "The list of lessons" in described["en"]


async def test_officers_and_admins_see_their_own_commands_and_lose_them_on_revoke(
    app: Application, api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    await menus.set_default_menus(app.bot)
    admin = make_user(ADMIN_ID, "Admin")
    await onboard(admin)
    officer = make_user(5150, "Lan", language_code="en")
    await onboard(officer, language="English", commune="Nghia Ta")
    await menus.sync_role_menus(app)
    assert api.menu_for(ADMIN_ID) == ADMIN
    assert api.menu_for(5150, "en") == RESIDENT  # not an officer yet

    await admin.send("/grant officer 5150 nghia-ta")
    assert api.menu_for(5150, "en") == OFFICER  # at once, without waiting for the periodic sync
    officer_menu = next(c for c in api.calls_of("setMyCommands") if "5150" in str(c.params.get("scope")))
    assert "Send a lesson or an announcement" in str(officer_menu.params["commands"])  # Lan chose English

    await admin.send("/revoke officer 5150")
    assert api.menu_for(5150, "en") == RESIDENT


async def test_a_grant_made_with_the_cli_reaches_the_menu_at_the_next_sync(
    app: Application, api: FakeBotApi, settings: Settings, make_user: Callable[..., FakeUser]
) -> None:
    await menus.set_default_menus(app.bot)
    await onboard(make_user(6001, "Bình"))
    await menus.sync_role_menus(app)
    args = argparse.Namespace(verb="grant", role="officer", telegram_id=6001, commune=["nghia-ta"])
    assert await run_grant(settings, args) == 0  # another process, as on the office's desk
    assert api.menu_for(6001) == RESIDENT
    assert await menus.sync_role_menus(app) == 1
    assert api.menu_for(6001) == OFFICER
    assert await menus.sync_role_menus(app) == 0  # nothing changed: no calls to Telegram


async def test_a_menu_left_from_a_revoked_role_goes_at_the_first_refusal(
    app: Application, api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    await menus.set_default_menus(app.bot)
    resident = make_user(7007, "Cường")
    await onboard(resident)
    api.command_menus[("chat", 7007, "")] = OFFICER  # set by an earlier run, revoked while the bot was down
    await resident.send("/broadcast")
    assert "cán bộ" in resident.last().text  # the polite refusal
    assert api.menu_for(7007) == RESIDENT
    deletes = len(api.calls_of("deleteMyCommands"))
    await resident.send("/stats")
    assert len(api.calls_of("deleteMyCommands")) == deletes  # once per run is enough


async def test_an_officer_refused_an_admin_command_keeps_the_officer_menu(
    app: Application, api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    admin = make_user(ADMIN_ID, "Admin")
    await onboard(admin)
    officer = make_user(5150, "Lan")
    await onboard(officer)
    await admin.send("/grant officer 5150")
    await officer.send("/grant admin 5150")
    assert api.menu_for(5150) == OFFICER


async def test_helpers_see_their_commands_and_keep_them_when_refused_an_officers_command(
    app: Application, api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    admin = make_user(ADMIN_ID, "Admin")
    await onboard(admin)
    helper = make_user(5252, "Hạnh")
    await onboard(helper)
    await admin.send("/grant helper 5252 nghia-ta")
    assert api.menu_for(5252) == HELPER
    await helper.send("/broadcast")
    assert "cán bộ" in helper.last().text  # helpers answer questions; broadcasts stay with officers
    assert api.menu_for(5252) == HELPER
