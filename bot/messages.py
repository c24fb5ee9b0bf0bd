"""The plain values a channel hands to the core and gets back: who is talking, what they did, what to
say. Neutral ground: the learning journey, the broadcast sender, storage and every channel import it,
and it imports none of them (only the action codec's base type)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from bot import actions
from bot.actions import Action


@dataclass(frozen=True, slots=True)
class UserKey:
    """Who is talking, shaped like aiogram's StorageKey plus the channel name."""

    channel: str
    bot_id: int
    chat_id: int
    user_id: int


class EventKind(StrEnum):
    COMMAND = "command"  # payload: the command name without slash, e.g. "start"
    ACTION = "action"  # payload: a button's data as it came back (bot.actions.encode), decoded by the core
    TEXT = "text"  # payload: what the person typed
    MEDIA = "media"  # payload: what kind (sticker, photo, voice, ...)


@dataclass(frozen=True, slots=True)
class Event:
    key: UserKey
    kind: EventKind
    payload: str = ""
    display_name: str | None = None
    language_hint: str | None = None  # the platform's idea of the person's language
    argument: str = ""  # what followed a command ("/reminders off" -> "off"); empty for other kinds
    # What a relay to a person needs (bot/helpdesk): the photo or voice note itself, and which platform
    # message this was, so a retried update is relayed once.
    media_id: str | None = None  # the platform's id of the photo or voice note (MEDIA events)
    message_ref: str | None = None  # "<chat>:<message id>" on the platform
    caption: str | None = None  # the words sent with a photo or voice note


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: Action  # typed; each channel packs it with bot.actions.encode


@dataclass(frozen=True, slots=True)
class Attachment:
    """A picture made for this person (a certificate). `render` draws it; channels call it after the
    update's transaction has committed, off the event loop, so drawing never holds the database."""

    filename: str
    render: Callable[[], bytes]
    kind: Literal["picture", "document"] = "picture"  # a document is sent as a file to keep (a data copy)


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    media: str | None = None  # a file id or URL of a picture (or, with media_kind "voice", a voice note)
    edit: bool = False  # replace the message whose button was pressed, instead of sending anew
    attachment: Attachment | None = None  # a picture to upload, with `text` as its caption
    media_kind: str = "photo"  # photo | voice: what `media` is (a helper may answer with a voice note)


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """A reply as stored in the outbox (no attachment: pictures drawn on demand are never queued)."""
    if reply.attachment is not None:
        raise ValueError("a reply with an attachment cannot be queued")
    stored: dict[str, Any] = {
        "text": reply.text,
        "buttons": [[[button.label, actions.encode(button.action)] for button in row] for row in reply.buttons],
        "media": reply.media,
    }
    if reply.media_kind != "photo":
        stored["media_kind"] = reply.media_kind
    return stored


def reply_from_json(data: dict[str, Any]) -> Reply:
    """The stored reply again; a button whose action no longer decodes is left out."""
    rows = []
    for row in data.get("buttons") or []:
        buttons = tuple(
            Button(label, action) for label, packed in row if (action := actions.decode(packed)) is not None
        )
        if buttons:
            rows.append(buttons)
    kind = "voice" if data.get("media_kind") == "voice" else "photo"
    return Reply(str(data.get("text") or ""), tuple(rows), data.get("media"), media_kind=kind)


@dataclass(slots=True)
class Outcome:
    """What the engine says back: messages, and a short notice for the button press itself."""

    replies: list[Reply] = field(default_factory=list)
    notice: str | None = None
    stale: bool = False  # the pressed button was old or forged; nothing changed
