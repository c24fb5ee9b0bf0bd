"""The learner's rows, for the journey: one resident with their conversation state, their progress per
module, their answers. Every method works inside the caller's transaction (one per update).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from bot import clock
from bot.messages import UserKey
from bot.storage.fsm_sql import SqlFsmStorage
from bot.storage.models import (
    Answer,
    Broadcast,
    DirectMessage,
    FsmState,
    IssuedCertificate,
    ModuleProgress,
    Reminder,
    Resident,
    ReviewAnswer,
    ReviewCard,
)
from bot.storage.transactions import ERASED
from bot.storage.upsert import upsert_template
from bot.storage.vocabulary import ModuleStatus

ANSWER_KEY = ("resident_id", "module_id", "question_id", "attempt")  # a double tap inserts nothing


@functools.cache
def _load_statement(module_key: str) -> Select[Any]:
    """The resident, their conversation state and the progress row of the module they are in, in one
    query: most taps (next step, an answer) need exactly that row, and the identity map then serves it
    without another query. Built once with bound parameters, so no tap pays for building it."""
    return (
        select(Resident, FsmState.state, FsmState.data, ModuleProgress)
        .select_from(Resident)
        .outerjoin(
            FsmState,
            and_(
                FsmState.bot_id == bindparam("bot_id"),
                FsmState.chat_id == bindparam("chat_id"),
                FsmState.user_id == bindparam("user_id"),
            ),
        )
        .outerjoin(
            ModuleProgress,
            and_(
                ModuleProgress.resident_id == Resident.id,
                ModuleProgress.module_id == FsmState.data[module_key].as_string(),
            ),
        )
        .where(Resident.channel == bindparam("channel"), Resident.external_id == bindparam("user_id"))
    )


@dataclass
class Learners:
    """The learner's rows for one update, in its session."""

    session: Session
    _progress: dict[int, dict[str, ModuleProgress]] = field(default_factory=dict, repr=False)

    def load(self, key: UserKey, module_key: str) -> tuple[Resident | None, SqlFsmStorage, ModuleProgress | None]:
        """The resident (any row, consented or not), an FSM storage primed with their state, and the
        progress of the module named by `module_key` in their state data: one query."""
        row = self.session.execute(
            _load_statement(module_key),
            {"channel": key.channel, "user_id": key.user_id, "bot_id": key.bot_id, "chat_id": key.chat_id},
        ).first()
        if row is None:
            return None, SqlFsmStorage(self.session, {key: (None, {})}), None
        resident, state, data, current = row
        return resident, SqlFsmStorage(self.session, {key: (state, dict(data or {}))}), current

    def add(self, resident: Resident) -> None:
        self.session.add(resident)

    def progress(self, resident_id: int) -> dict[str, ModuleProgress]:
        """Every module this resident has opened, by module id (read once per update)."""
        if resident_id not in self._progress:
            rows = self.session.scalars(select(ModuleProgress).where(ModuleProgress.resident_id == resident_id))
            self._progress[resident_id] = {row.module_id: row for row in rows}
        return self._progress[resident_id]

    def progress_of(self, resident_id: int, module_id: str) -> ModuleProgress | None:
        if resident_id in self._progress:
            return self._progress[resident_id].get(module_id)
        return self.session.get(ModuleProgress, (resident_id, module_id))  # the identity map first

    def start_module(self, resident_id: int, module_id: str) -> ModuleProgress:
        now = clock.now()
        row = ModuleProgress(
            resident_id=resident_id,
            module_id=module_id,
            status=ModuleStatus.IN_PROGRESS,
            step_index=0,
            furthest_step=0,
            attempt=1,
            correct_count=0,
            started_at=now,
            updated_at=now,
        )
        self.session.add(row)
        if resident_id in self._progress:
            self._progress[resident_id][module_id] = row
        return row

    def record_answer(
        self, resident_id: int, module_id: str, question_id: str, attempt: int, chosen: int, correct: bool
    ) -> bool:
        """Store one answer; False when this (question, attempt) was answered already (a double tap)."""
        dialect = self.session.bind.dialect.name if self.session.bind is not None else "sqlite"
        inserted = self.session.connection().execute(  # Core execution: the result carries rowcount
            upsert_template(dialect, Answer, ANSWER_KEY),
            {
                "resident_id": resident_id,
                "module_id": module_id,
                "question_id": question_id,
                "attempt": attempt,
                "chosen": chosen,
                "correct": correct,
                "answered_at": clock.now(),
            },
        )
        return bool(inserted.rowcount)  # type: ignore[attr-defined]

    def answer_count(self, resident_id: int) -> int:
        return int(
            self.session.scalar(select(func.count()).select_from(Answer).where(Answer.resident_id == resident_id)) or 0
        )

    def forget(self, resident_id: int) -> None:
        """Delete everything about one resident, certificates included (their codes then read "not
        found"). Explicit deletes, not only FK cascades, so it holds even on a SQLite connection opened
        without foreign_keys=ON."""
        for table in (Answer, ModuleProgress, ReviewAnswer, ReviewCard, Reminder, DirectMessage, IssuedCertificate):
            self.session.execute(delete(table).where(table.resident_id == resident_id))
        # An officer's broadcasts stay (they went to others), without who sent them or the officer's chat
        # where their progress message was: both would identify the person who asked to be forgotten.
        chat_id = self.session.scalar(select(Resident.chat_id).where(Resident.id == resident_id))
        self.session.execute(update(Broadcast).where(Broadcast.created_by == resident_id).values(created_by=None))
        if chat_id is not None:
            self.session.execute(
                update(Broadcast)
                .where(Broadcast.report_chat_id == chat_id)
                .values(report_chat_id=None, report_message_id=None)
            )
        self.session.execute(delete(Resident).where(Resident.id == resident_id))
        self.session.info[ERASED] = True  # SQLite: checkpoint the WAL once committed (bot.storage.transactions)
        self._progress.pop(resident_id, None)
