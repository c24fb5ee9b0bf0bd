"""Callback data: a version prefix around an engine action, kept under Telegram's 64-byte limit.

The version lets a future change of the action vocabulary recognise buttons on old messages and
answer them as stale instead of misreading them. The data is never trusted: the engine checks every
action against the learner's state.
"""

from __future__ import annotations

VERSION = "1"
SEPARATOR = "|"
MAX_BYTES = 64


class CallbackTooLong(ValueError):
    pass


def encode(action: str) -> str:
    data = f"{VERSION}{SEPARATOR}{action}"
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise CallbackTooLong(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> str | None:
    """The action inside, or None for data from another version, another handler or a forgery."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    version, separator, action = data.partition(SEPARATOR)
    if version != VERSION or not separator or not action:
        return None
    return action


PATTERN = rf"^{VERSION}\{SEPARATOR}"
