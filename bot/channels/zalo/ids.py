"""Zalo user ids as the database's integers.

Zalo's ids are decimal strings of up to 19-20 digits (an OA-scoped id, `sender.id`), which may exceed a
signed 64-bit integer. The residents table and the conversation state key people by BigInteger, so an id
is stored as its 64-bit two's complement: reversible for every id below 2**64, no lookup table, no
extra query per message. Anything else is not an id Zalo makes and is refused.
"""

from __future__ import annotations

BITS = 64
_WRAP = 1 << BITS
_HALF = 1 << (BITS - 1)
MAX_DIGITS = 20


class NotAZaloId(ValueError):
    """A sender id that is not a decimal number below 2**64."""


def to_key(zalo_id: str) -> int:
    text = zalo_id.strip()
    if not text.isascii() or not text.isdigit() or len(text) > MAX_DIGITS:
        raise NotAZaloId("not a Zalo user id")
    value = int(text)
    if value >= _WRAP:
        raise NotAZaloId("not a Zalo user id")
    return value - _WRAP if value >= _HALF else value


def to_zalo_id(key: int) -> str:
    return str(key + _WRAP if key < 0 else key)
