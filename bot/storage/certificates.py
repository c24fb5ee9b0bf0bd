"""Certificate records: issuing one per pass, finding one by its code, revoking, listing, forgetting.

Every function works on a synchronous `Session` inside the caller's transaction: the journey calls them
in its update's transaction, and async callers (the command line, the web page, the chat's admin
commands) through `AsyncSession.run_sync`, so there is one implementation of each rule.

Codes are 10 random characters of Crockford's base32 (no I, L, O or U, so nothing reads as another
character), shown as ABCDE-12345: 50 random bits, so a guessed or mistyped code finds nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot import clock
from bot.storage.models import IssuedCertificate, Resident

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
PASSPORT = "passport"  # the module id of the digital-skills passport
# What people type for what they see: Crockford's own reading rules.
_TYPED = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def shown(code: str) -> str:
    """ABCDE12345 -> ABCDE-12345: two groups of five are easier to read out and type."""
    return f"{code[:5]}-{code[5:]}"


def normalise_code(typed: str) -> str | None:
    """The stored form of a code as someone typed it: any case, with or without the dash or spaces,
    I and L for 1, O for 0. None when it cannot be a code at all (wrong length, another character)."""
    cleaned = "".join(typed.split()).replace("-", "").upper().translate(_TYPED)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def issue(session: Session, resident_id: int, module_id: str, score: int, issued_at: datetime) -> IssuedCertificate:
    """The certificate of this pass: made the first time, the same row every time after (idempotent).

    INSERT ... ON CONFLICT DO NOTHING (no target: it covers both the (resident, module) key and, once in
    2^50, a code already taken), then read the row back. A taken code is tried again with a new one.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for _ in range(5):
        session.execute(
            insert(IssuedCertificate)
            .values(code=new_code(), resident_id=resident_id, module_id=module_id, score=score, issued_at=issued_at)
            .on_conflict_do_nothing()
        )
        found = session.scalar(
            select(IssuedCertificate).where(
                IssuedCertificate.resident_id == resident_id, IssuedCertificate.module_id == module_id
            )
        )
        if found is not None:
            return found
    raise RuntimeError("no free certificate code after 5 tries")  # 2^50 codes: never in practice


def of_resident(session: Session, resident_id: int, module_id: str) -> IssuedCertificate | None:
    return session.scalar(
        select(IssuedCertificate).where(
            IssuedCertificate.resident_id == resident_id, IssuedCertificate.module_id == module_id
        )
    )


def find(session: Session, code: str) -> tuple[IssuedCertificate, Resident] | None:
    """The certificate with this (normalised) code and its holder, or None."""
    row = session.execute(
        select(IssuedCertificate, Resident)
        .join(Resident, Resident.id == IssuedCertificate.resident_id)
        .where(IssuedCertificate.code == code)
    ).first()
    return (row[0], row[1]) if row is not None else None


def revoke(session: Session, code: str, reason: str, by: str) -> IssuedCertificate | None:
    """Mark a certificate revoked (when, why, by whom). Revoking it again keeps the first record."""
    found = session.scalar(select(IssuedCertificate).where(IssuedCertificate.code == code))
    if found is not None and found.revoked_at is None:
        found.revoked_at, found.revoked_reason, found.revoked_by = clock.now(), reason, by
    return found


@dataclass(frozen=True, slots=True)
class Listed:
    code: str
    module_id: str
    score: int
    issued_at: datetime
    commune_id: str | None
    holder: str | None
    revoked_at: datetime | None
    revoked_reason: str | None


def listing(session: Session, commune_id: str | None = None, limit: int = 500) -> Sequence[Listed]:
    """Certificates, newest first, for an admin: optionally those of one commune's residents."""
    query = (
        select(IssuedCertificate, Resident.commune_id, Resident.display_name)
        .join(Resident, Resident.id == IssuedCertificate.resident_id)
        .order_by(IssuedCertificate.issued_at.desc(), IssuedCertificate.id.desc())
        .limit(limit)
    )
    if commune_id is not None:
        query = query.where(Resident.commune_id == commune_id)
    return [
        Listed(c.code, c.module_id, c.score, c.issued_at, commune, name, c.revoked_at, c.revoked_reason)
        for c, commune, name in session.execute(query)
    ]


def forget(session: Session, resident_id: int) -> None:
    """Delete a resident's certificates (with the rest of their data, on /deleteme)."""
    session.execute(delete(IssuedCertificate).where(IssuedCertificate.resident_id == resident_id))
