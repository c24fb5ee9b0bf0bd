"""Who may do what: a resident's role, checked on the server for every privileged command and button.

`ADMIN_IDS` bootstraps admins (a fresh deployment has nobody to grant the first role); everyone else's
role is the `residents.role` column, managed by `grant`/`revoke`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import OfficerCommune, Resident
from bot.storage.vocabulary import Channel, Role


@dataclass(frozen=True, slots=True)
class Actor:
    """The person behind a privileged request, with what they may reach."""

    external_id: int
    role: str
    resident_id: int | None
    communes: frozenset[str] | None  # None: every commune

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_officer(self) -> bool:
        return self.role in (Role.OFFICER, Role.ADMIN)

    @property
    def is_helper(self) -> bool:
        return self.role == Role.HELPER

    def may_reach(self, commune_id: str | None) -> bool:
        return self.communes is None or commune_id in self.communes

    def may_answer(self, commune_id: str | None) -> bool:
        """Whether this person may take and answer a question from a resident of `commune_id`: a helper
        or officer of that commune, or an admin."""
        return (self.is_helper or self.is_officer) and self.may_reach(commune_id)


async def actor_for(
    session: AsyncSession, admin_ids: Sequence[int], external_id: int, channel: str = Channel.TELEGRAM
) -> Actor:
    resident = await session.scalar(
        select(Resident).where(Resident.channel == channel, Resident.external_id == external_id)
    )
    role = resident.role if resident is not None else Role.RESIDENT
    if external_id in admin_ids:
        role = Role.ADMIN
    communes: frozenset[str] | None = None
    if role in (Role.OFFICER, Role.HELPER) and resident is not None:
        rows = await session.scalars(select(OfficerCommune.commune_id).where(OfficerCommune.resident_id == resident.id))
        limited = frozenset(rows)
        # A helper always has communes (grant insists); one whose rows are gone reaches none, not all.
        communes = limited if limited or role == Role.HELPER else None
    return Actor(external_id, role, resident.id if resident is not None else None, communes)
