"""aiogram-shaped FSM storage on SQLAlchemy, bound to the current update's session.

Reads are cached for the life of the object (one update), and may be primed from a row the caller
already loaded (the learner's repository joins the state with the resident); writes wait in the cache
until `flush`, then go as one upsert per changed key, so a retried update leaves one row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import clock
from bot.messages import UserKey
from bot.storage.fsm import FsmStorage
from bot.storage.models import FsmState
from bot.storage.upsert import upsert_template

_KEY = ("bot_id", "chat_id", "user_id")
_CHANGING = ("state", "data", "updated_at")
Record = tuple[str | None, dict[str, Any]]


class SqlFsmStorage(FsmStorage):
    def __init__(self, session: Session, primed: Mapping[UserKey, Record] | None = None) -> None:
        self._session = session
        primed = primed or {}
        self._stored: dict[UserKey, Record] = {key: (state, dict(data)) for key, (state, data) in primed.items()}
        self._current: dict[UserKey, Record] = dict(self._stored)

    def _load(self, key: UserKey) -> Record:
        if key not in self._current:
            row = self._session.execute(
                select(FsmState.state, FsmState.data).where(
                    FsmState.bot_id == key.bot_id, FsmState.chat_id == key.chat_id, FsmState.user_id == key.user_id
                )
            ).first()
            record = (row.state, dict(row.data or {})) if row else (None, {})
            self._stored[key] = self._current[key] = record
        return self._current[key]

    def get_state(self, key: UserKey) -> str | None:
        return self._load(key)[0]

    def get_data(self, key: UserKey) -> dict[str, Any]:
        return dict(self._load(key)[1])

    def set_state(self, key: UserKey, state: str | None) -> None:
        self._current[key] = (state, self._load(key)[1])

    def set_data(self, key: UserKey, data: Mapping[str, Any]) -> None:
        self._current[key] = (self._load(key)[0], dict(data))

    def clear(self, key: UserKey) -> None:
        self._session.execute(
            delete(FsmState).where(
                FsmState.bot_id == key.bot_id, FsmState.chat_id == key.chat_id, FsmState.user_id == key.user_id
            )
        )
        self._stored[key] = self._current[key] = (None, {})

    def flush(self) -> None:
        dialect = self._session.bind.dialect.name if self._session.bind is not None else "sqlite"
        for key, record in self._current.items():
            if self._stored.get(key) == record:
                continue
            state, data = record
            values = {
                "bot_id": key.bot_id,
                "chat_id": key.chat_id,
                "user_id": key.user_id,
                "state": state,
                "data": data,
                "updated_at": clock.now(),
            }
            # Core execution: no ORM bulk machinery for one row.
            self._session.connection().execute(upsert_template(dialect, FsmState, _KEY, _CHANGING), values)
            self._stored[key] = record
