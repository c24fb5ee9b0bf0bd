"""The conversation-state storage interface, shaped like aiogram's `BaseStorage`.

The engine only talks to this interface; `bot.storage.fsm_sql` backs it with SQLAlchemy, so a Redis or
in-memory storage could stand in without touching the journey.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from bot.learning.events import UserKey


class FsmStorage(ABC):
    @abstractmethod
    async def get_state(self, key: UserKey) -> str | None: ...

    @abstractmethod
    async def set_state(self, key: UserKey, state: str | None) -> None: ...

    @abstractmethod
    async def get_data(self, key: UserKey) -> dict[str, Any]: ...

    @abstractmethod
    async def set_data(self, key: UserKey, data: Mapping[str, Any]) -> None: ...

    async def update_data(self, key: UserKey, data: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        merged = {**await self.get_data(key), **(data or {}), **kwargs}
        await self.set_data(key, merged)
        return merged

    async def clear(self, key: UserKey) -> None:
        await self.set_state(key, None)
        await self.set_data(key, {})
