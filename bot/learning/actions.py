"""The action strings behind buttons: short, positional, and checked against the state when pressed.

An action names where it was made ("next from step 3 of email"), so a button from an old message no
longer matches the learner's state and is refused instead of moving them somewhere unexpected.
Channels wrap these in their own envelope (Telegram adds a version prefix); all must stay < 60 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

MENU = "menu"
PROGRESS = "progress"
HELP = "help"
RESUME = "resume"
ASK_LANGUAGE = "asklang"
ASK_COMMUNE = "askcom"
DELETE_ASK = "del"
DELETE_YES = "del:yes"
DELETE_NO = "del:no"


def choose_language(code: str) -> str:
    return f"lang:{code}"


def set_language(code: str) -> str:
    return f"setlang:{code}"


def consent_yes(language: str) -> str:
    return f"ok:{language}"


def consent_no(language: str) -> str:
    return f"no:{language}"


def commune(commune_id: str) -> str:
    return f"com:{commune_id}"


def open_module(module_id: str) -> str:
    return f"open:{module_id}"


def review(module_id: str) -> str:
    return f"review:{module_id}"


def next_step(module_id: str, current: int) -> str:
    return f"next:{module_id}:{current}"


def previous_step(module_id: str, current: int) -> str:
    return f"prev:{module_id}:{current}"


def start_quiz(module_id: str) -> str:
    return f"quiz:{module_id}"


def answer(module_id: str, question: int, attempt: int, option: int) -> str:
    return f"ans:{module_id}:{question}:{attempt}:{option}"


def next_question(module_id: str, question: int, attempt: int) -> str:
    return f"nq:{module_id}:{question}:{attempt}"


def certificate(module_id: str) -> str:
    return f"cert:{module_id}"


@dataclass(frozen=True, slots=True)
class Parsed:
    verb: str
    args: tuple[str, ...]

    def number(self, position: int) -> int | None:
        """A numeric argument, or None when missing or not a small non-negative integer (a forgery)."""
        if position >= len(self.args):
            return None
        value = self.args[position]
        return int(value) if value.isdigit() and len(value) < 6 else None


def parse(action: str) -> Parsed:
    verb, *args = action.split(":")
    return Parsed(verb, tuple(args))
