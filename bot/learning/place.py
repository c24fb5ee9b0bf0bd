"""Where the learner is: the small JSON blob stored beside their state name in the FSM storage.

Stored under one-letter keys (rows already in databases use them); read and written only through
these named fields, so a stale-button check says `place.step`, never `data.get("s")`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(slots=True)
class Place:
    module: str | None = None  # the module being read or quizzed
    step: int | None = None  # the step on screen (Lesson:step)
    question: int | None = None  # the question asked or answered (Quiz:*)
    attempt: int | None = None  # the quiz attempt that question belongs to
    chosen: int | None = None  # the option chosen, while its feedback is on screen (Quiz:feedback)
    back: str | None = None  # the state to return to after typing a question to a helper (Ask:typing)
    misses: int | None = None  # messages in a row the bot could not understand (two: offer a helper)

    KEYS: ClassVar[dict[str, str]] = {
        "module": "m",
        "step": "s",
        "question": "q",
        "attempt": "a",
        "chosen": "c",
        "back": "b",
        "misses": "x",
    }
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("module", "back")
    MODULE_KEY: ClassVar[str] = "m"

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Place:
        """Anything that is not of the expected shape (a hand-edited row, an old format) reads as absent."""
        values = {name: data.get(key) for name, key in cls.KEYS.items()}
        return cls(
            **{
                name: value if (isinstance(value, str) if name in cls.TEXT_FIELDS else type(value) is int) else None
                for name, value in values.items()
            }
        )

    def to_data(self) -> dict[str, Any]:
        return {key: getattr(self, name) for name, key in self.KEYS.items() if getattr(self, name) is not None}
