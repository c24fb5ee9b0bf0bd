"""What a resident types on Zalo, read as the bot's commands.

Zalo has no "/" command menu and residents type with or without diacritics, so a few plain words stand
for the commands ("menu", "tiến độ", "xóa dữ liệu", ...; the Zalo help text lists them). A typed
"/command" works as well, and a number picks that button of the last screen ("gõ số").
"""

from __future__ import annotations

import re
import unicodedata

# Words as residents type them, without diacritics, lower case -> the core's command.
WORDS: dict[str, str] = {
    "start": "start",
    "bat dau": "start",
    "xin chao": "start",
    "chao": "start",
    "hello": "start",
    "menu": "menu",
    "danh sach": "menu",
    "bai hoc": "menu",
    "hoc": "menu",
    "progress": "progress",
    "tien do": "progress",
    "ket qua": "progress",
    "help": "help",
    "huong dan": "help",
    "tro giup": "help",
    "giup": "help",
    "giup do": "help",
    "?": "help",
    "mydata": "mydata",
    "du lieu": "mydata",
    "du lieu cua toi": "mydata",
    "xem du lieu": "mydata",
    "deleteme": "deleteme",
    "xoa du lieu": "deleteme",
    "xoa": "deleteme",
    "language": "language",
    "ngon ngu": "language",
    "doi ngon ngu": "language",
}
_SPACES = re.compile(r"\s+")
_TRAILING = re.compile(r"[.!,;:…]+$")
COMMAND_NAME = re.compile(r"[a-z]{1,32}")


def plain(text: str) -> str:
    """Lower case, no diacritics (đ -> d), single spaces, no closing punctuation: 'Tiến độ!' -> 'tien do'."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    bare = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return _TRAILING.sub("", _SPACES.sub(" ", bare)).strip() or bare.strip()


def command_of(text: str) -> tuple[str, str] | None:
    """The command a typed message stands for and what followed it ("/reminders off" -> ("reminders",
    "off")), or None when it is ordinary text."""
    stripped = text.strip()
    if stripped.startswith("/"):
        parts = stripped[1:].split(None, 1) or [""]
        name = parts[0].split("@")[0].lower()
        if COMMAND_NAME.fullmatch(name):
            return name, parts[1].strip() if len(parts) > 1 else ""
    command = WORDS.get(plain(stripped))
    return (command, "") if command is not None else None


def number_of(text: str) -> int | None:
    """A typed button number (1-99), or None."""
    stripped = text.strip().rstrip(".")
    if not (stripped.isascii() and stripped.isdigit() and 0 < len(stripped) <= 2):
        return None
    return int(stripped) or None  # buttons count from 1
