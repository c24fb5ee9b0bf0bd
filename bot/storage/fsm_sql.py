"""aiogram-shaped FSM storage on SQLAlchemy, bound to the current update's session.

Reads are cached for the life of the object (one update), so `get_state` and `get_data` together cost
one query; writes are upserts, so a retried update leaves one row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import clock
from bot.learning.events import UserKey
from bot.learning.fsm import FsmStorage
from bot.storage.models import FsmState
from bot.storage.upsert import upsert_template

_KEY = ("bot_id", "chat_id", "user_id")
_CHANGING = ("state", "data", "updated_at")


class SqlFsmStorage(FsmStorage):
    def __init__(self, session: Session) -> None:
        self._session = session
        self._cache: dict[UserKey, tuple[str | None, dict[str, Any]]] = {}

    def _load(self, key: UserKey) -> tuple[str | None, dict[str, Any]]:
        if key not in self._cache:
            row = (
                self._session.execute(
                    select(FsmState.state, FsmState.data).where(
                        FsmState.bot_id == key.bot_id,
                        FsmState.chat_id == key.chat_id,
                        FsmState.user_id == key.user_id,
                    )
                )
            ).first()
            self._cache[key] = (row.state, dict(row.data or {})) if row else (None, {})
        return self._cache[key]

    def prime(self, key: UserKey, state: str | None, data: dict[str, Any]) -> None:
        """Seed the cache from a row the caller already loaded (the engine joins it with the resident)."""
        self._cache[key] = (state, dict(data))

    def get_state(self, key: UserKey) -> str | None:
        return (self._load(key))[0]

    def get_data(self, key: UserKey) -> dict[str, Any]:
        return dict((self._load(key))[1])

    def set_state(self, key: UserKey, state: str | None) -> None:
        _, data = self._load(key)
        self._save(key, state, data)

    def set_data(self, key: UserKey, data: Mapping[str, Any]) -> None:
        state, _ = self._load(key)
        self._save(key, state, dict(data))

    def save(self, key: UserKey, state: str | None, data: Mapping[str, Any]) -> None:
        """State and data in one statement: what the engine uses once per update."""
        self._save(key, state, dict(data))

    def clear(self, key: UserKey) -> None:
        self._session.execute(
            delete(FsmState).where(
                FsmState.bot_id == key.bot_id,
                FsmState.chat_id == key.chat_id,
                FsmState.user_id == key.user_id,
            )
        )
        self._cache[key] = (None, {})

    def _save(self, key: UserKey, state: str | None, data: dict[str, Any]) -> None:
        if self._cache.get(key) == (state, data):
            return
        values = {
            "bot_id": key.bot_id,
            "chat_id": key.chat_id,
            "user_id": key.user_id,
            "state": state,
            "data": data,
            "updated_at": clock.now(),
        }
        dialect = self._session.bind.dialect.name if self._session.bind is not None else "sqlite"
        connection = self._session.connection()  # Core execution: no ORM bulk machinery for one row
        connection.execute(upsert_template(dialect, FsmState, _KEY, _CHANGING), values)
        self._cache[key] = (state, data)
