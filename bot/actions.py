"""Typed actions: the one codec for every button the bot makes.

Modelled on aiogram's `CallbackData`. Each kind of button is a small frozen dataclass with a prefix:

    @dataclass(frozen=True, slots=True)
    class NextStep(Action, prefix="next"):
        module: str
        step: int

    NextStep("email", 3).pack()        -> "next:email:3"
    encode(NextStep("email", 3))       -> "1|next:email:3"   (what a channel puts behind a button)
    decode("1|next:email:3")           -> NextStep(module="email", step=3)

Nothing from a button is trusted. `decode` answers None for another version, an unknown prefix, the
wrong number of fields, a field of the wrong shape (`int` fields are small non-negative numbers, `str`
fields short tokens of letters, digits, "-", "_" and ".", `Literal` fields one of their values). What
is left is checked against the learner's state by whoever handles the action.

The envelope carries a version, so a future change of this vocabulary can recognise buttons on old
messages and answer them as stale instead of misreading them. Each channel checks the packed size
against its own limit (Telegram's 64 bytes for callback data) where it builds its buttons.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from typing import Any, ClassVar, Literal, Self, get_args, get_origin

VERSION = "1"
ENVELOPE = "|"  # between the version and the packed action
SEPARATOR = ":"  # between an action's prefix and its fields
_TOKEN = re.compile(r"[A-Za-z0-9_.\-]{1,48}")
_NUMBER = re.compile(r"[0-9]{1,9}")

_REGISTRY: dict[tuple[str, int], type[Action]] = {}


class ActionTooLong(ValueError):
    """A button whose packed action would not fit a channel's limit: a bug (an id too long), not input."""


class Action:
    """Base of every typed action. Subclasses are frozen dataclasses declared with `prefix=...`.

    Two classes may share a prefix when their field counts differ ("del" and "del:yes"), which keeps
    the buttons already on residents' phones valid.
    """

    prefix: ClassVar[str]
    _fields: ClassVar[tuple[tuple[str, Any], ...]] = ()

    def __init_subclass__(cls, prefix: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if prefix is None:
            return  # an intermediate base class
        if not _TOKEN.fullmatch(prefix):
            raise TypeError(f"action prefix {prefix!r} must be a short token")
        cls.prefix = prefix

    @classmethod
    def _field_types(cls) -> tuple[tuple[str, Any], ...]:
        # Resolved on first use: subclasses are decorated with @dataclass after __init_subclass__ runs.
        if "_resolved" not in cls.__dict__:
            hints = typing.get_type_hints(cls)
            cls._fields = tuple((field.name, hints[field.name]) for field in dataclasses.fields(cls))  # type: ignore[arg-type]
            cls._resolved = True  # type: ignore[attr-defined]
        return cls._fields

    def pack(self) -> str:
        values = [_pack_value(getattr(self, name)) for name, _ in self._field_types()]
        return SEPARATOR.join((self.prefix, *values))

    @classmethod
    def unpack(cls, fields: list[str]) -> Self | None:
        types = cls._field_types()
        if len(fields) != len(types):
            return None
        values: dict[str, Any] = {}
        for (name, kind), text in zip(types, fields, strict=True):
            value = _unpack_value(kind, text)
            if value is None:
                return None
            values[name] = value
        return cls(**values)


def register(*classes: type[Action]) -> None:
    """Make actions decodable. Feature modules call this for the actions they define."""
    for cls in classes:
        key = (cls.prefix, len(cls._field_types()))
        known = _REGISTRY.get(key)
        if known is not None and known is not cls:
            raise TypeError(f"two actions are packed as {key}: {known.__name__} and {cls.__name__}")
        _REGISTRY[key] = cls


def encode(action: Action, limit: int | None = None) -> str:
    """What a channel puts behind a button; `limit` is the channel's size limit in UTF-8 bytes."""
    data = f"{VERSION}{ENVELOPE}{action.pack()}"
    if limit is not None and len(data.encode("utf-8")) > limit:
        raise ActionTooLong(f"button data over {limit} bytes: {data!r}")
    return data


def decode(data: str | None, limit: int | None = None) -> Action | None:
    """The action behind a button, or None for anything else: another version, a forgery, typed text."""
    if not data or (limit is not None and len(data.encode("utf-8")) > limit):
        return None
    version, envelope, packed = data.partition(ENVELOPE)
    if version != VERSION or not envelope or not packed:
        return None
    prefix, *fields = packed.split(SEPARATOR)
    cls = _REGISTRY.get((prefix, len(fields)))
    return cls.unpack(fields) if cls is not None else None


def looks_like_action(text: str) -> bool:
    """Whether a message is a button's payload rather than something a person typed (Zalo sends both
    as text). Only the envelope is looked at: a stale or forged payload is still a button press."""
    return text.startswith(VERSION + ENVELOPE)


def _pack_value(value: object) -> str:
    text = str(value)
    if isinstance(value, bool) or not (_NUMBER.fullmatch(text) if isinstance(value, int) else _TOKEN.fullmatch(text)):
        raise ValueError(f"cannot pack {value!r} into an action")
    return text


def _unpack_value(kind: Any, text: str) -> object | None:
    if kind is int:
        return int(text) if _NUMBER.fullmatch(text) else None
    if get_origin(kind) is Literal:
        return text if text in get_args(kind) else None
    if kind is str:
        return text if _TOKEN.fullmatch(text) else None
    raise TypeError(f"an action field cannot be of type {kind!r}")
