"""The conversation-state storage interface, shaped like aiogram's `BaseStorage`.

The journey talks to this interface only; `bot.storage.fsm_sql` backs it with SQLAlchemy, so a Redis or
in-memory storage could stand in without touching the flows. The methods are aiogram's, but
synchronous: each update's whole transaction runs in one call (on SQLite, on a thread of its own), so
the storage is called inside that transaction rather than awaited piece by piece. One method is ours:
`flush`, which writes what changed once at the end of the update, so that setting the state and the
data costs one statement, not two.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from bot.messages import UserKey


class FsmStorage(ABC):
    @abstractmethod
    def get_state(self, key: UserKey) -> str | None: ...

    @abstractmethod
    def set_state(self, key: UserKey, state: str | None) -> None: ...

    @abstractmethod
    def get_data(self, key: UserKey) -> dict[str, Any]: ...

    @abstractmethod
    def set_data(self, key: UserKey, data: Mapping[str, Any]) -> None: ...

    def update_data(self, key: UserKey, data: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        merged = {**self.get_data(key), **(data or {}), **kwargs}
        self.set_data(key, merged)
        return merged

    @abstractmethod
    def clear(self, key: UserKey) -> None: ...

    @abstractmethod
    def flush(self) -> None:
        """Write what changed since it was read (a storage that writes at once does nothing here)."""
