"""The words the database stores, defined once. Every package that reads or writes these values (the
journey, reports, broadcasts, the demo seed, the channels) uses these enums, never the bare strings.

They are `StrEnum`s, so a member is the very string stored and compares equal to it.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """Where a person talks to the bot; residents are keyed by (channel, that channel's user id)."""

    TELEGRAM = "telegram"
    ZALO = "zalo"
    CONSOLE = "console"  # the terminal chat (`python -m bot chat`)
    DEMO = "demo"  # synthetic residents from `seed-demo`; never sent anything


class Role(StrEnum):
    RESIDENT = "resident"
    OFFICER = "officer"
    ADMIN = "admin"
    HELPER = "helper"  # a member of a commune's digital-technology team: answers residents' questions


class ModuleStatus(StrEnum):
    """Where a resident stands in one module. NEW is never stored: it is the absence of a progress row."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class BroadcastStatus(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    """One outbox row: one message to one resident."""

    PENDING = "pending"
    SENT = "sent"
    UNREACHABLE = "unreachable"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # Not sent: the channel lets free messages reach only people who wrote lately (Zalo: 7 days). The
    # resident is not unreachable: a message from them opens the window again.
    OUTSIDE_WINDOW = "outside_window"


class ReminderReason(StrEnum):
    """Why a resident was reminded: a module left half-way, or review cards that fell due."""

    MODULE = "module"
    REVIEW = "review"


class HelpStatus(StrEnum):
    """A resident's question to a person (help desk)."""

    OPEN = "open"
    CLOSED = "closed"
