"""Granting and revoking the officer, helper and admin roles, shared by `python -m bot grant` and `/grant`.

A role can be granted to someone who has never opened the bot (the office knows their Telegram id
before they do). They get a minimal row with the role and no `consent_at`: such a row is not a
resident (no audience, no statistics) until they agree in the bot themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import audit
from bot.storage.models import OfficerCommune, Resident
from bot.storage.roles import Actor
from bot.storage.upsert import upsert
from bot.storage.vocabulary import Channel, Role

CHANNEL = Channel.TELEGRAM
GRANTABLE = (Role.OFFICER, Role.HELPER, Role.ADMIN)


class GrantError(ValueError):
    """A grant or revoke that cannot be done; the message says why, for the CLI and the chat alike."""


@dataclass(frozen=True, slots=True)
class RoleChange:
    telegram_id: int
    role: str  # the role the person has now
    communes: tuple[str, ...]  # empty: every commune
    created: bool = False  # a role-only row was made for someone who never started the bot
    removed: bool = False  # a role-only row was deleted on revoke


@dataclass(frozen=True, slots=True)
class RoleHolder:
    telegram_id: int
    role: str
    communes: tuple[str, ...]
    display_name: str | None
    consented: bool
    from_env: bool  # an ADMIN_IDS admin: revoked by editing the setting, not by a command


async def grant(
    session: AsyncSession,
    *,
    role: str,
    telegram_id: int,
    communes: Sequence[str],
    known_communes: Collection[str],
    actor: Actor | None,
) -> RoleChange:
    """Give `role` to `telegram_id`, limited to `communes` (officers: none means every commune; helpers
    always name theirs, they are the commune's own team).
    Granting again replaces the commune list. `actor` None is the CLI, which runs with the server's
    own rights; a chat actor must be an admin."""
    _check_admin(actor)
    if role not in GRANTABLE:
        raise GrantError(f"role must be one of {', '.join(GRANTABLE)}")
    if telegram_id <= 0:
        raise GrantError("a Telegram user id is a positive number")
    wanted = tuple(dict.fromkeys(communes))  # keep order, drop repeats
    if role == Role.ADMIN and wanted:
        raise GrantError("admins reach every commune; --commune is for officers and helpers")
    if role == Role.HELPER and not wanted:
        raise GrantError("a helper answers the residents of their own commune(s): name them with --commune")
    unknown = [commune for commune in wanted if commune not in known_communes]
    if unknown:
        raise GrantError(f"unknown commune(s): {', '.join(unknown)}; known: {', '.join(sorted(known_communes))}")
    resident = await _resident(session, telegram_id)
    created = resident is None
    if resident is None:
        # on_conflict_do_nothing: a /start racing with the grant keeps its own (consented) row.
        await session.execute(
            upsert(
                session,
                Resident,
                {"channel": CHANNEL, "external_id": telegram_id, "chat_id": telegram_id, "role": role},
                index=["channel", "external_id"],
            )
        )
        resident = await _resident(session, telegram_id)
        assert resident is not None
    resident.role = role
    await session.execute(delete(OfficerCommune).where(OfficerCommune.resident_id == resident.id))
    session.add_all(OfficerCommune(resident_id=resident.id, commune_id=commune) for commune in wanted)
    audit.record(session, actor, "grant", role=role, telegram_id=telegram_id, communes=list(wanted))
    return RoleChange(telegram_id, role, wanted, created=created)


async def revoke(
    session: AsyncSession, *, role: str, telegram_id: int, admin_ids: Collection[int], actor: Actor | None
) -> RoleChange:
    _check_admin(actor)
    if role not in GRANTABLE:
        raise GrantError(f"role must be one of {', '.join(GRANTABLE)}")
    if role == Role.ADMIN and telegram_id in admin_ids:
        raise GrantError(f"{telegram_id} is an admin through ADMIN_IDS; remove the id there")
    if actor is not None and actor.external_id == telegram_id and role == Role.ADMIN:
        raise GrantError("an admin cannot revoke their own admin role; ask another admin")
    resident = await _resident(session, telegram_id)
    if resident is None or resident.role != role:
        raise GrantError(f"{telegram_id} is not {_article(role)} {role}")
    await session.execute(delete(OfficerCommune).where(OfficerCommune.resident_id == resident.id))
    removed = resident.consent_at is None
    if removed:
        # The row existed only to hold the role: nothing is kept about people who never consented.
        await session.delete(resident)
    else:
        resident.role = Role.RESIDENT
    audit.record(session, actor, "revoke", role=role, telegram_id=telegram_id)
    return RoleChange(telegram_id, Role.RESIDENT, (), removed=removed)


async def holders(session: AsyncSession, admin_ids: Collection[int]) -> list[RoleHolder]:
    """Everyone with a privilege: officers, helpers and admins in the database, and the ADMIN_IDS admins."""
    rows = list(
        await session.scalars(
            select(Resident)
            .where(Resident.channel == CHANNEL, Resident.role.in_(GRANTABLE))
            .order_by(Resident.role, Resident.external_id)
        )
    )
    communes: dict[int, list[str]] = {}
    if rows:
        pairs = await session.execute(
            select(OfficerCommune.resident_id, OfficerCommune.commune_id)
            .where(OfficerCommune.resident_id.in_([row.id for row in rows]))
            .order_by(OfficerCommune.commune_id)
        )
        for resident_id, commune_id in pairs:
            communes.setdefault(resident_id, []).append(commune_id)
    found = {row.external_id for row in rows}
    result = [
        RoleHolder(
            row.external_id,
            Role.ADMIN if row.external_id in admin_ids else row.role,
            tuple(communes.get(row.id, ())),
            row.display_name,
            row.consent_at is not None,
            row.external_id in admin_ids,
        )
        for row in rows
    ]
    result += [RoleHolder(i, Role.ADMIN, (), None, False, True) for i in sorted(admin_ids) if i not in found]
    return sorted(result, key=lambda holder: (holder.role != Role.ADMIN, holder.telegram_id))


async def _resident(session: AsyncSession, telegram_id: int) -> Resident | None:
    return await session.scalar(
        select(Resident).where(Resident.channel == CHANNEL, Resident.external_id == telegram_id)
    )


def _article(role: str) -> str:
    return "an" if role[0] in "aeiou" else "a"


def _check_admin(actor: Actor | None) -> None:
    if actor is not None and not actor.is_admin:
        raise PermissionError("only admins grant and revoke roles")
