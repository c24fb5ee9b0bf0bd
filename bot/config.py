"""Settings from the environment or a `.env` file, in one validated object."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Commune(BaseModel):
    id: str
    name_vi: str
    name_en: str

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi


class Settings(BaseSettings):
    """Everything a deployment can change without touching code."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_url: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'bot.sqlite3'}"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    lessons_dir: Path = PROJECT_ROOT / "lessons"
    default_language: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    communes_file: Path = PROJECT_ROOT / "config" / "communes.yaml"
    telegram_connections: Annotated[int, Field(ge=1)] = 32  # HTTP connections to the Bot API for replies
    telegram_http: Literal["aiohttp", "httpx"] = "aiohttp"  # the HTTP client; httpx is PTB's default
    telegram_rate_limiter: bool = True  # PTB's AIORateLimiter for interactive traffic; off only in benchmarks
    broadcast_rate: Annotated[float, Field(gt=0)] = 25.0  # Telegram allows ~30/s, paid broadcasts 1000/s
    # Sends in flight at once; unset = enough for BROADCAST_RATE at a 200 ms round trip. Each one in flight
    # at a crash may go twice on restart, so 1 means "at most one duplicate", at up to 1/round trip a second.
    broadcast_concurrency: Annotated[int, Field(ge=1, le=64)] | None = None
    quiet_hours: str = "21:00-07:00"
    web_host: str = "127.0.0.1"  # the built-in web server (health, Zalo's webhook, certificate checks)
    web_port: Annotated[int, Field(ge=1, le=65535)] = 8080
    log_level: str = "INFO"
    # Zalo Official Account (issue 13): served when ZALO_APP_ID is set. The app secret signs token
    # refreshes, the OA secret key signs webhook events; the refresh token only fills an empty database.
    zalo_app_id: str | None = None
    zalo_app_secret: SecretStr | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_refresh_token: SecretStr | None = None
    zalo_api_base_url: str = "https://openapi.zalo.me"
    zalo_oauth_base_url: str = "https://oauth.zaloapp.com"
    zalo_rate: Annotated[float, Field(gt=0)] = 10.0  # outbox sends a second on Zalo (its limits are UNCONFIRMED)
    # Reminders and spaced review (issue 11; the rules are in bot/reminders/policy.py).
    reminders: bool = True  # REMINDERS=off: no reminder goes to anyone from this deployment
    reminder_idle_days: Annotated[float, Field(gt=0)] = 2.0  # a module untouched this long earns a nudge
    reminder_scan_minutes: Annotated[float, Field(gt=0, le=15)] = 15.0  # how often what is due is looked for
    # Certificates anyone can check (issue 14). PUBLIC_BASE_URL is where the web server is reached from
    # outside (e.g. https://hoc.nghiata.gov.vn): set, the certificate carries a QR to PUBLIC_BASE_URL/v/CODE.
    public_base_url: str | None = None
    cert_issuer: str | None = None  # printed on certificates, e.g. "UBND xã Nghĩa Tá"
    # The modules of the digital-skills passport: a resident who completed all of them holds it.
    core_modules: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["internet", "email", "e-payment", "public-services", "data-safety"]
    )
    basic_skills_target: Annotated[float, Field(gt=0, le=100)] | None = None  # percent of residents, for reports
    verify_rate_per_minute: Annotated[int, Field(ge=1)] = 20  # page requests per client a minute
    # Help from a person (bot/helpdesk): an unclaimed question goes to the officers, then the admins,
    # after this many hours counted inside the daytime window (local time; empty = every hour counts).
    help_escalate_hours: Annotated[float, Field(gt=0)] = 4.0
    help_daytime: str = "07:00-21:00"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        # ADMIN_IDS arrives as "123, 456" from the environment.
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("core_modules", mode="before")
    @classmethod
    def _split_modules(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("public_base_url", "cert_issuer", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("public_base_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("PUBLIC_BASE_URL must start with https:// (or http://)")
        return value.rstrip("/") if value is not None else None

    @field_validator("database_url")
    @classmethod
    def _usable_database_url(cls, value: str) -> str:
        from bot.storage.db import check_url  # SQLAlchemy only when settings are built, not on import

        check_url(value)
        return value  # kept as given: normalised where an engine is made

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("DEFAULT_LANGUAGE must be 'vi' or 'en'")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError) as error:  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone '{value}' (e.g. Asia/Ho_Chi_Minh)") from error
        return value

    @field_validator("help_daytime")
    @classmethod
    def _daytime_window(cls, value: str) -> str:
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value)
        if value.strip().lower() in ("", "off"):
            return value
        if match is None:
            raise ValueError("HELP_DAYTIME must look like 07:00-21:00 (or be empty for every hour)")
        start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
        if not (start_h * 60 + start_m < end_h * 60 + end_m < 24 * 60):
            raise ValueError("HELP_DAYTIME must start before it ends, on the same day")
        return value

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def communes(self) -> list[Commune]:
        return load_communes(self.communes_file)


def load_communes(path: Path) -> list[Commune]:
    """The commune list is deployment data: the merged communes of 2025 are edited per install."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    entries = (raw or {}).get("communes", [])
    communes = [Commune.model_validate(entry) for entry in entries]
    if not any(c.id == "other" for c in communes):
        communes.append(Commune(id="other", name_vi="Xã khác", name_en="Other commune"))
    return communes


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
