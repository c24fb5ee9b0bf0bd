"""Who a broadcast reaches: a short audience spec, validated, and turned into one SQL query.

Specs: `all`, `commune:ID`, `language:vi|en`, `not-completed:MODULE`, `inactive:DAYS`.
Broadcasts go out on Telegram and Zalo. Only residents who gave consent are an audience: a row created
by `grant` for someone who never started the bot has no `consent_at` and is never messaged. Residents
marked unreachable (blocked the bot, chat gone, unfollowed the OA) are skipped until they come back,
and so are synthetic demo residents.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import ModuleProgress, Resident
from bot.storage.vocabulary import Channel, ModuleStatus

ALL = "all"
COMMUNE = "commune"
LANGUAGE = "language"
NOT_COMPLETED = "not-completed"
INACTIVE = "inactive"
KINDS = (ALL, COMMUNE, LANGUAGE, NOT_COMPLETED, INACTIVE)
LANGUAGES = ("vi", "en")
MAX_INACTIVE_DAYS = 3650
CHANNELS = (Channel.TELEGRAM, Channel.ZALO)  # where broadcasts go out (not the terminal, not demo rows)
# A channel whose free messages reach only people who wrote to the bot lately: Zalo's consultation
# messages need an interaction within 7 days (else error -230). Anyone older is counted apart and sent
# nothing; reaching them takes Zalo's paid template messages (ZNS), not built.
FREE_WINDOW: dict[str, timedelta] = {Channel.ZALO: timedelta(days=7)}


class AudienceError(ValueError):
    """A spec that cannot be parsed or names something unknown; the message says which."""


@dataclass(frozen=True, slots=True)
class Audience:
    kind: str
    value: str | None = None

    @property
    def spec(self) -> str:
        return self.kind if self.value is None else f"{self.kind}:{self.value}"

    @property
    def days(self) -> int:
        assert self.kind == INACTIVE and self.value is not None
        return int(self.value)


def parse(spec: str, *, communes: Collection[str], modules: Collection[str]) -> Audience:
    """Parse and validate a spec against the deployment's communes and the lesson catalogue."""
    kind, _, value = spec.strip().partition(":")
    kind = kind.lower()
    if kind == ALL:
        if value:
            raise AudienceError("'all' takes no value")
        return Audience(ALL)
    if kind not in KINDS:
        raise AudienceError(f"unknown audience '{kind}'; use one of {', '.join(KINDS)}")
    if not value:
        raise AudienceError(f"'{kind}' needs a value, e.g. {kind}:{_example(kind)}")
    if kind == COMMUNE and value not in communes:
        raise AudienceError(f"unknown commune '{value}'; known: {', '.join(sorted(communes))}")
    if kind == LANGUAGE and value not in LANGUAGES:
        raise AudienceError(f"unknown language '{value}'; use vi or en")
    if kind == NOT_COMPLETED and value not in modules:
        raise AudienceError(f"unknown module '{value}'; known: {', '.join(sorted(modules))}")
    if kind == INACTIVE:
        if not value.isdigit() or not 1 <= int(value) <= MAX_INACTIVE_DAYS:
            raise AudienceError(f"'inactive' takes a number of days from 1 to {MAX_INACTIVE_DAYS}")
        value = str(int(value))
    return Audience(kind, value)


def _example(kind: str) -> str:
    return {COMMUNE: "nghia-ta", LANGUAGE: "vi", NOT_COMPLETED: "e-payment", INACTIVE: "30"}.get(kind, "")


def conditions(audience: Audience, scope: Collection[str] | None, now: datetime) -> list[ColumnElement[bool]]:
    """The WHERE clauses on `residents` for this audience, limited to `scope` communes when given."""
    where: list[ColumnElement[bool]] = [
        Resident.channel.in_(CHANNELS),
        Resident.consent_at.is_not(None),
        Resident.unreachable_at.is_(None),
        Resident.is_demo.is_(False),
    ]
    if scope is not None:
        # An officer limited to communes reaches residents there only, whatever audience they chose.
        where.append(Resident.commune_id.in_(sorted(scope)) if scope else false())
    if audience.kind == COMMUNE:
        where.append(Resident.commune_id == audience.value)
    elif audience.kind == LANGUAGE:
        where.append(Resident.language == audience.value)
    elif audience.kind == NOT_COMPLETED:
        completed = exists().where(
            and_(
                ModuleProgress.resident_id == Resident.id,
                ModuleProgress.module_id == audience.value,
                ModuleProgress.status == ModuleStatus.COMPLETED,
            )
        )
        where.append(~completed)
    elif audience.kind == INACTIVE:
        where.append(Resident.last_seen_at < now - timedelta(days=audience.days))
    return where


def recipients(audience: Audience, scope: Collection[str] | None, now: datetime) -> Select[tuple[int]]:
    """SELECT residents.id of everyone this audience reaches now."""
    return select(Resident.id).where(*conditions(audience, scope, now))


async def count(session: AsyncSession, audience: Audience, scope: Collection[str] | None, now: datetime) -> int:
    statement = select(func.count()).select_from(Resident).where(*conditions(audience, scope, now))
    return int(await session.scalar(statement) or 0)


def outside_window(at: datetime) -> ColumnElement[bool]:
    """Residents whom a windowed channel would not let a free message reach at `at`."""
    return or_(
        *(
            and_(Resident.channel == channel, Resident.last_seen_at < at - window)
            for channel, window in FREE_WINDOW.items()
        )
    )


async def count_outside_window(
    session: AsyncSession, audience: Audience, scope: Collection[str] | None, now: datetime, at: datetime
) -> int:
    """How many of the audience are outside their channel's window at `at` (when the broadcast goes)."""
    statement = select(func.count()).select_from(Resident).where(*conditions(audience, scope, now), outside_window(at))
    return int(await session.scalar(statement) or 0)
