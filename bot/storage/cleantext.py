"""The column type for text that came from people: cleaned on its way into the database, whoever writes it.

Flows clean what they know (a display name is collapsed to one line by `bot.cleaning.clean_name`), but
"every stored input is cleaned" must not depend on each new flow, channel or CLI command remembering
to. So the columns that hold people's text (names, broadcast texts, error descriptions relayed from an
API) use `CleanText`: NUL and other control characters removed, NFC, cut to the column's length on a
grapheme boundary. PostgreSQL refuses NUL (SQLite stores it), and an over-long value would fail on
PostgreSQL only: both are data errors that would otherwise reach a resident as a failed update. It
works for ORM writes and for Core statements (upserts) alike, as it is the column's bind processing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, Text, TypeDecorator

from bot.cleaning import clean_text

TEXT_LIMIT = 10_000  # a Text column's cut: longer than any message Telegram or Zalo lets through


class CleanString(TypeDecorator[str]):
    """A String(length) whose values are cleaned, and cut to `length` on a grapheme boundary, when bound."""

    impl = String
    cache_ok = True

    def __init__(self, length: int, *, one_line: bool = False) -> None:
        super().__init__(length)
        # Attributes named after __init__'s parameters: SQLAlchemy builds the statement cache key from them.
        self.length, self.one_line = length, one_line
        self.limit = length

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return clean_text(value, self.limit, keep_newlines=not self.one_line)

    @property
    def python_type(self) -> type[str]:
        return str


class CleanText(CleanString):
    """Text (no length in the database) cleaned the same way, cut at TEXT_LIMIT."""

    impl = Text
    cache_ok = True

    def __init__(self) -> None:
        TypeDecorator.__init__(self)
        self.limit = TEXT_LIMIT
        self.one_line = False
