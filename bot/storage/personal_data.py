"""Everything stored about one resident, as plain data: the complete copy `/mydata` offers (Law
91/2025 gives the right to see all of it, not a summary).

Complete by construction rather than by a list kept up to date: every table with a `resident_id`
column is read whole for this resident, so a table added by a later feature is in the copy without
anyone remembering to add it here. Beside those: the resident row itself, the conversation state, the
broadcasts an officer created and the audit entries naming them.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from bot import clock
from bot.storage.models import AuditLog, Base, Broadcast, FsmState, Resident

FORMAT_VERSION = 1


def collect(session: Session, resident: Resident) -> dict[str, Any]:
    """The copy, as a JSON-ready dict; read in the caller's transaction, so it is one consistent moment."""
    copy: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "made_at": clock.now().isoformat(),
        "resident": _row(session, Resident.__table__, Resident.__table__.c.id == resident.id)[0],
    }
    for table in Base.metadata.sorted_tables:
        if table.name != Resident.__tablename__ and "resident_id" in table.c:
            copy[table.name] = _row(session, table, table.c.resident_id == resident.id)
    fsm = FsmState.__table__
    copy[fsm.name] = _row(session, fsm, (fsm.c.user_id == resident.external_id) & (fsm.c.chat_id == resident.chat_id))
    broadcasts = Broadcast.__table__
    copy["broadcasts_created"] = _row(session, broadcasts, broadcasts.c.created_by == resident.id)
    audit = AuditLog.__table__
    copy[audit.name] = _row(session, audit, audit.c.actor == f"{resident.channel}:{resident.external_id}")
    return copy


def to_json(copy: dict[str, Any]) -> bytes:
    return json.dumps(copy, ensure_ascii=False, indent=1, default=_plain).encode("utf-8")


def _row(session: Session, table: Table, where: Any) -> list[dict[str, Any]]:
    ordered = select(table).where(where).order_by(*table.primary_key.columns)
    return [dict(row._mapping) for row in session.execute(ordered)]


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
