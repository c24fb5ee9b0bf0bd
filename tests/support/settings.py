"""Settings for a test: the shipped lessons, a known admin, no real Telegram, no quiet hours."""

from __future__ import annotations

from typing import Any

from bot.channels.telegram.testing.fake_bot_api import TOKEN
from bot.config import PROJECT_ROOT, Settings

LESSONS = PROJECT_ROOT / "lessons"
ADMIN_ID = 9001


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": "https://api.telegram.invalid/bot",
        "database_url": database_url,
        "lessons_dir": LESSONS,
        "admin_ids": [ADMIN_ID],
        "telegram_rate_limiter": False,
        # Tests run at any hour; those about quiet hours set them. Otherwise CI at 22:00 would see the
        # broadcast sender wait for the morning.
        "quiet_hours": "",
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)
