"""Consent records which privacy notice was shown and agreed to, and when; a consent button from an
older notice, or one made up without any, shows the current notice instead of counting (issue 15,
point 8). Real handlers, fake Bot API, both databases."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from bot import actions
from bot.channels.telegram.testing.fake_bot_api import FakeUser
from bot.learning.actions import GiveConsent
from bot.learning.consent_notice import notice_version
from bot.runtime import Runtime
from bot.storage.models import Resident
from bot.texts import t


async def residents(runtime: Runtime) -> list[tuple[str | None, object]]:
    async with runtime.sessions() as session:
        return [tuple(row) for row in await session.execute(select(Resident.consent_notice, Resident.consent_at))]


async def test_consent_records_the_notice_version_agreed_to(
    make_user: Callable[..., FakeUser], runtime: Runtime
) -> None:
    user = make_user(7501, "Mai")
    await user.send("/start")
    await user.press("Tiếng Việt")
    assert t("vi", "consent")[:40] in user.last().text  # the notice is on screen with the button
    await user.press("✅")
    [(notice, consent_at)] = await residents(runtime)
    assert notice == f"vi:{notice_version('vi')}" and consent_at is not None


async def test_a_consent_button_from_another_notice_stores_nothing(
    make_user: Callable[..., FakeUser], runtime: Runtime
) -> None:
    user = make_user(7502, "Tú")
    await user.send("/start")
    await user.press("Tiếng Việt")
    screen = user.last()
    for forged in (GiveConsent("vi", "00000000"), GiveConsent("vi", "old")):
        await user.press_data(screen, actions.encode(forged))
        assert t("vi", "consent")[:40] in user.last().text  # the current notice, to read again
    await user.press_data(screen, "1|ok:vi")  # the button as it was before versions: no notice named
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Resident)) == 0
    await user.press("✅")
    assert len(await residents(runtime)) == 1


def test_the_version_follows_the_text() -> None:
    assert notice_version("vi") != notice_version("en")
    assert len(notice_version("vi")) == 8
