"""The engine's replies as Zalo consultation messages, within Zalo's limits.

- Text: at most 2,000 characters a message; longer text is split at paragraph, line or word breaks.
- Buttons: `oa.query.hide` buttons in a template attachment, at most 5 a message, titles at most 100
  characters; the payload is the typed action (`bot.actions.encode`), which comes back as the user's
  text and is told apart from typed text by its form (`looks_like_action`).
- A screen with more than 5 choices (the menu has 8) is paged: its buttons are numbered and the
  choices after the fifth follow in further messages of at most 5, so every choice is one tap away;
  the numbers can also be typed ("gõ số"), see `bot/channels/zalo/words.py`.
- Zalo cannot edit a sent message: a reply meant to replace one is simply sent anew; the core answers
  an old button as stale.
- A picture is sent only when it is a public URL (a Telegram file id means nothing to Zalo), or, for
  a picture drawn for this person (a certificate), once uploaded to Zalo (`picture`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import actions
from bot.messages import Button, Reply

TEXT_MAX = 2000
BUTTONS_MAX = 5
TITLE_MAX = 100
PAYLOAD_MAX = 1000


@dataclass(frozen=True, slots=True)
class Composed:
    """The messages to send for one reply, and its buttons in order (what a typed number picks)."""

    messages: list[dict[str, Any]]
    buttons: list[Button]


def compose(reply: Reply) -> Composed:
    buttons = [button for row in reply.buttons for button in row]
    numbered = len(buttons) > BUTTONS_MAX
    messages: list[dict[str, Any]] = []
    if reply.media and reply.media.startswith(("https://", "http://")):
        messages.append(_image(reply.media))
    chunks = split_text(reply.text or "…")
    messages += [{"text": chunk} for chunk in chunks[:-1]]
    pages = [buttons[i : i + BUTTONS_MAX] for i in range(0, len(buttons), BUTTONS_MAX)] or [[]]
    for number, page in enumerate(pages):
        first = number * BUTTONS_MAX + 1
        text = chunks[-1] if number == 0 else f"👉 {first}–{first + len(page) - 1}"
        message: dict[str, Any] = {"text": text}
        if page:
            message["attachment"] = _buttons(page, first if numbered else None)
        messages.append(message)
    return Composed(messages, buttons)


def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    """Pieces of at most `limit` characters, cut at the last paragraph, line or word break that fits."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or max(window.rfind(" "), 0) or limit
        cut = min(cut, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return [piece for piece in pieces if piece] or [""]


def title(label: str, number: int | None = None) -> str:
    text = f"{number}. {label}" if number is not None else label
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1] + "…"


def _buttons(page: list[Button], first: int | None) -> dict[str, Any]:
    return {
        "type": "template",
        "payload": {
            "buttons": [
                {
                    "title": title(button.label, None if first is None else first + index),
                    "type": "oa.query.hide",
                    "payload": actions.encode(button.action, PAYLOAD_MAX),
                }
                for index, button in enumerate(page)
            ]
        },
    }


def picture(attachment_id: str) -> dict[str, Any]:
    """A message showing a picture uploaded to Zalo (its caption and buttons follow in the next one)."""
    element = {"media_type": "image", "attachment_id": attachment_id}
    return {"attachment": {"type": "template", "payload": {"template_type": "media", "elements": [element]}}}


def _image(url: str) -> dict[str, Any]:
    element = {"media_type": "image", "url": url}
    return {"attachment": {"type": "template", "payload": {"template_type": "media", "elements": [element]}}}
