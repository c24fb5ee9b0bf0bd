"""The audit log: who used a privilege, on what, with which detail. Written in the same transaction as
the change it describes, so a change without its audit row (or the reverse) cannot happen."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot import clock
from bot.storage.models import AuditLog
from bot.storage.roles import Actor

CLI = "cli"


def actor_label(actor: Actor | None) -> str:
    """ "telegram:<id>" for a person in the chat, "cli" for whoever runs `python -m bot` on the server."""
    return CLI if actor is None else f"telegram:{actor.external_id}"


def record(session: AsyncSession | Session, actor: Actor | None, action: str, **detail: Any) -> None:
    session.add(AuditLog(at=clock.now(), actor=actor_label(actor), action=action, detail=detail))


REFUSED = "refused"


def refused(session: AsyncSession, actor: str, **detail: Any) -> None:
    """A privileged request turned down: `actor` is who asked ("telegram:<id>"), even with no role."""
    session.add(AuditLog(at=clock.now(), actor=actor, action=REFUSED, detail=detail))
