"""What a resident receives: the broadcast rendered as an engine `Reply`, in the resident's language.

A lesson invitation carries a "Học ngay" button whose action is the engine's own `open:<module>`, so
the tap opens the module through the normal journey (state checks included). An announcement carries
a button back to the lessons, so no message is a dead end.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content import Catalog
from bot.learning.actions import OpenModule, ShowMenu
from bot.messages import Button, Reply

LESSON = "lesson"
TEXT = "text"
PHOTO = "photo"
KINDS = (LESSON, TEXT, PHOTO)
TEXT_MAX = 3500  # Telegram allows 4096; leave room for the header
CAPTION_MAX = 1000  # Telegram allows 1024 for a photo caption

_LABELS = {
    "vi": {"invite": "📚 Bài học mới: {title}", "learn_now": "▶️ Học ngay", "lessons": "📚 Xem các bài học"},
    "en": {"invite": "📚 New lesson: {title}", "learn_now": "▶️ Learn now", "lessons": "📚 See the lessons"},
}


@dataclass(frozen=True, slots=True)
class Content:
    """The part of a broadcast that decides what is sent (a row of `broadcasts`, or a draft)."""

    kind: str
    module_id: str | None = None
    text: str | None = None
    photo: str | None = None


class ContentError(ValueError):
    pass


def validate(content: Content, catalog: Catalog) -> None:
    if content.kind not in KINDS:
        raise ContentError(f"unknown kind {content.kind!r}")
    if content.kind == LESSON:
        if not content.module_id or content.module_id not in catalog:
            raise ContentError(f"unknown module {content.module_id!r}")
        return
    text = (content.text or "").strip()
    if content.kind == TEXT and not text:
        raise ContentError("the announcement text is empty")
    if content.kind == TEXT and len(text) > TEXT_MAX:
        raise ContentError(f"the announcement is {len(text)} characters; at most {TEXT_MAX}")
    if content.kind == PHOTO:
        if not content.photo:
            raise ContentError("a photo broadcast needs a photo")
        if len(text) > CAPTION_MAX:
            raise ContentError(f"the caption is {len(text)} characters; at most {CAPTION_MAX}")


def render(content: Content, language: str, catalog: Catalog) -> Reply:
    labels = _LABELS.get(language, _LABELS["vi"])
    if content.kind == LESSON:
        assert content.module_id is not None
        lesson = catalog.get(content.module_id, language)
        if lesson is None:  # the module was removed after the broadcast was made
            raise ContentError(f"unknown module {content.module_id!r}")
        text = labels["invite"].format(title=lesson.title)
        if lesson.summary:
            text += f"\n{lesson.summary.strip()}"
        return Reply(text, ((Button(labels["learn_now"], OpenModule(lesson.id)),),))
    buttons = ((Button(labels["lessons"], ShowMenu()),),)
    return Reply((content.text or "").strip(), buttons, media=content.photo if content.kind == PHOTO else None)
