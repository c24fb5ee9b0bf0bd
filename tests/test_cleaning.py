"""Text from people is made safe once, before it is stored: no NUL or control characters, no hidden
direction overrides, names cut between characters (never inside an emoji or a toned letter)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot.channels.telegram.testing.fake_bot_api import FakeUser
from bot.cleaning import clean_name, clean_text
from bot.runtime import Runtime
from bot.storage.models import Resident
from tests.support.journey import onboard


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("Lan", "Lan"),
        ("  Lan  ", "Lan"),
        ("An\x00Lan", "AnLan"),  # PostgreSQL refuses NUL in text; SQLite would store it
        ("\u202eLan", "Lan"),  # a right-to-left override would turn the name around on screen
        ("Lan\nHoa", "Lan Hoa"),  # a name is one line
        ("\x00\x01", None),
        (None, None),
        ("Nguye\u0302\u0303n", "Nguyễn"),  # decomposed tone marks become one letter (NFC)
        ("👨‍👩‍👧 Mai", "👨‍👩‍👧 Mai"),  # joiners inside an emoji stay
    ],
)
def test_names(raw: str | None, cleaned: str | None) -> None:
    assert clean_name(raw) == cleaned


def test_a_long_name_is_cut_between_characters() -> None:
    family = "👨‍👩‍👧"  # five code points that are one character on screen
    name = "x" * 62 + family
    assert clean_name(name) == "x" * 62  # not "xx...x👨" with the rest of the family cut off
    assert len(clean_name("Hồng " * 30) or "") <= 64


def test_texts_keep_their_lines() -> None:
    assert clean_text("Dòng một\nDòng hai\x07", 100) == "Dòng một\nDòng hai"


async def test_the_stored_name_is_cleaned_and_follows_the_profile(
    make_user: Callable[..., FakeUser], runtime: Runtime
) -> None:
    user = make_user(6101, "Lan\x00\u202e")
    await onboard(user)
    renamed = make_user(6101, "Lan Hoa")  # the same person, renamed in Telegram
    await renamed.send("/menu")
    async with runtime.sessions() as session:
        names = list(await session.scalars(select(Resident.display_name)))
    assert names == ["Lan Hoa"]
