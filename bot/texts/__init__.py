"""Everything the bot says, in one table per language with the same keys in each: the residents'
journey (`learner`), officers' broadcasts and roles (`officer`), figures for officers and admins
(`admin`), the help desk between residents and their commune's helpers (`helpdesk`), reminders and
review (`reminders`), what the bot says when input is refused (`robust`), certificates anyone can
check (`certificates`), and what only Zalo residents read (`zalo`). One `t()` for all; keys are unique
across the tables, checked when this module loads.
"""

from __future__ import annotations

from typing import Any

from bot.texts.admin import ADMIN
from bot.texts.certificates import CERTIFICATES
from bot.texts.helpdesk import HELPDESK
from bot.texts.learner import LEARNER
from bot.texts.officer import OFFICER
from bot.texts.reminders import REMINDERS
from bot.texts.robust import ROBUST
from bot.texts.zalo import ZALO

LANGUAGES = ("vi", "en")
LANGUAGE_NAMES = {"vi": "🇻🇳 Tiếng Việt", "en": "🇬🇧 English"}


def _merge(*tables: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
    for table in tables:
        for language in LANGUAGES:
            clash = set(merged[language]) & set(table[language])
            if clash:
                raise ValueError(f"text keys defined twice: {sorted(clash)}")
            merged[language].update(table[language])
    return merged


TEXTS = _merge(LEARNER, OFFICER, ADMIN, HELPDESK, REMINDERS, ROBUST, CERTIFICATES, ZALO)


def t(language: str, key: str, /, **values: Any) -> str:
    """The text `key` in `language` (Vietnamese when the language is unknown), filled with `values`.

    `language` and `key` are positional-only so a template may itself have a `{language}` or `{key}` slot
    (the "one language" audience does): a keyword of that name fills the slot instead of clashing.
    """
    table = TEXTS.get(language) or TEXTS["vi"]
    template = table.get(key) or TEXTS["vi"][key]
    return template.format(**values) if values else template
