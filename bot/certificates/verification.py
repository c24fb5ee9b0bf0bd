"""What a certificate code says, the same in the three places it can be checked: `/verify` in the
bot, `python -m bot certificates verify` and the public page `/v/CODE`.

The holder's name is always masked ("Lê Hường" -> "L* H****"): enough to see that a certificate matches
the person showing it, never enough to look someone up. A code that is not well formed and a code
that was never issued (or was erased with /deleteme) give the same "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import regex
from sqlalchemy.orm import Session

from bot.content import Catalog
from bot.storage import certificates as records
from bot.storage.certificates import PASSPORT
from bot.texts import t


class Status(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    code: str  # as shown (ABCDE-12345) when well formed, else as typed (cut short)
    module: str | None = None
    title: str | None = None
    score: int | None = None
    issued: date | None = None  # local date
    holder: str | None = None  # masked
    revoked_on: date | None = None

    @property
    def valid(self) -> bool:
        return self.status is Status.VALID

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "revoked": self.status is Status.REVOKED,
            "found": self.status is not Status.NOT_FOUND,
            "code": self.code,
            "module": self.module,
            "title": self.title,
            "score": self.score,
            "issued": self.issued.isoformat() if self.issued else None,
            "holder": self.holder,
            "revoked_on": self.revoked_on.isoformat() if self.revoked_on else None,
        }


def mask_name(name: str | None) -> str:
    """Each word's first letter, then one star per further letter: "Lan Hường" -> "L** H****"."""
    if not name or not name.strip():
        return "—"
    words = []
    for word in name.split():
        letters = regex.findall(r"\X", word)  # by grapheme: "ư" with its mark counts as one letter
        words.append(letters[0] + "*" * (len(letters) - 1))
    return " ".join(words)


def title_of(catalog: Catalog, module_id: str, language: str) -> str:
    if module_id == PASSPORT:
        return t(language, "passport_module_name")
    lesson = catalog.get(module_id, language)
    return lesson.title if lesson is not None else module_id


def check(session: Session, typed: str, catalog: Catalog, tz: ZoneInfo, language: str = "vi") -> Verdict:
    """What the code says, read in the caller's transaction."""
    code = records.normalise_code(typed)
    if code is None:
        return Verdict(Status.NOT_FOUND, typed.strip()[:20])
    found = records.find(session, code)
    if found is None:
        return Verdict(Status.NOT_FOUND, records.shown(code))
    certificate, holder = found
    return Verdict(
        Status.REVOKED if certificate.revoked_at is not None else Status.VALID,
        records.shown(code),
        module=certificate.module_id,
        title=title_of(catalog, certificate.module_id, language),
        score=certificate.score,
        issued=_local_day(certificate.issued_at, tz),
        holder=mask_name(holder.display_name),
        revoked_on=_local_day(certificate.revoked_at, tz) if certificate.revoked_at else None,
    )


def _local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def issuer_name(configured: str | None, language: str) -> str:
    return configured or t(language, "issuer_default")


def verdict_text(language: str, verdict: Verdict, issuer: str | None) -> str:
    """The answer in the chat and on the command line."""
    by = issuer_name(issuer, language)
    if verdict.status is Status.NOT_FOUND:
        return t(language, "verify_not_found", code=verdict.code)
    day = verdict.issued.strftime("%d/%m/%Y") if verdict.issued else "-"
    if verdict.status is Status.REVOKED:
        revoked = verdict.revoked_on.strftime("%d/%m/%Y") if verdict.revoked_on else "-"
        values = {"code": verdict.code, "title": verdict.title, "day": day, "revoked_day": revoked, "issuer": by}
        return t(language, "verify_revoked", **values)
    return t(
        language,
        "verify_valid",
        code=verdict.code,
        title=verdict.title,
        score=verdict.score,
        day=day,
        holder=verdict.holder,
        issuer=by,
    )
