"""One table of texts per language: the same keys, the same placeholders, so no screen is missing or
breaks in either language."""

from __future__ import annotations

import string

import pytest

from bot.texts import LANGUAGES, TEXTS, t
from bot.texts.admin import ADMIN
from bot.texts.certificates import CERTIFICATES
from bot.texts.helpdesk import HELPDESK
from bot.texts.learner import LEARNER
from bot.texts.officer import OFFICER
from bot.texts.reminders import REMINDERS
from bot.texts.robust import ROBUST
from bot.texts.zalo import ZALO


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


TABLES = {
    "learner": LEARNER,
    "officer": OFFICER,
    "admin": ADMIN,
    "helpdesk": HELPDESK,
    "reminders": REMINDERS,
    "robust": ROBUST,
    "certificates": CERTIFICATES,
    "zalo": ZALO,
}


@pytest.mark.parametrize("table", list(TABLES.values()), ids=list(TABLES))
def test_every_text_exists_in_both_languages_with_the_same_placeholders(table: dict[str, dict[str, str]]) -> None:
    assert set(table) == set(LANGUAGES)
    assert set(table["vi"]) == set(table["en"])
    for key, template in table["vi"].items():
        assert placeholders(template) == placeholders(table["en"][key]), key


def test_keys_are_unique_across_the_tables() -> None:
    sizes = sum(len(table["vi"]) for table in TABLES.values())
    assert len(TEXTS["vi"]) == sizes


def test_an_unknown_language_reads_vietnamese() -> None:
    assert t("fr", "btn_menu") == t("vi", "btn_menu")


def test_a_template_may_have_language_and_key_slots() -> None:
    """`t()` takes `language` and `key` positionally only, so values of those names fill slots instead."""
    assert t("en", "audience_language", language="English") == "residents using English"
    assert t("vi", "audience_language", language="Anh") == "người dùng tiếng Anh"
