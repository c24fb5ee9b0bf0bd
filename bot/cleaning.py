"""Cleaning text that people send before it is stored or shown again: one place for every field.

Telegram and Zalo pass names and texts through as people typed them. Some bytes are fine on SQLite
and refused by PostgreSQL (NUL), some break a screen (control characters, a direction override), and
cutting a long name in the middle of an emoji or of a letter with its tone mark leaves half a
character. Here text is made safe once, so a database refusal never reaches a resident as "the system
is busy" and every channel stores the same thing.
"""

from __future__ import annotations

import unicodedata

import regex

# Control characters (Cc) except tab and newline, and format characters that reorder or hide text
# (Cf: bidi overrides and isolates). Zero-width joiners stay: they hold emoji and some scripts together.
_KEEP_FORMAT = {"\u200d", "\u200c"}
_GRAPHEME = regex.compile(r"\X")


def _allowed(character: str, keep_newlines: bool) -> bool:
    if character in "\n\t":
        return keep_newlines
    category = unicodedata.category(character)
    if category == "Cc":
        return False
    return not (category == "Cf" and character not in _KEEP_FORMAT)


def clean_text(text: str | None, limit: int, *, keep_newlines: bool = True) -> str:
    """`text` without control or hidden format characters, in NFC, cut to at most `limit` characters
    on a grapheme boundary (never half an emoji, never a letter without its tone mark)."""
    if not text:
        return ""
    if not keep_newlines:
        text = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    kept = "".join(ch for ch in unicodedata.normalize("NFC", text) if _allowed(ch, keep_newlines))
    if len(kept) <= limit:
        return kept.strip()
    cut, length = [], 0
    for grapheme in _GRAPHEME.findall(kept):
        if length + len(grapheme) > limit:
            break
        cut.append(grapheme)
        length += len(grapheme)
    return "".join(cut).strip()


def clean_name(name: str | None, limit: int = 64) -> str | None:
    """A display name on one line, or None when nothing printable is left."""
    cleaned = " ".join(clean_text(name, limit * 2, keep_newlines=False).split())
    return clean_text(cleaned, limit) or None
