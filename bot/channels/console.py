"""The journey in a terminal: replies printed, buttons numbered, a number presses one.

It is how a lesson author previews a module, and how `make run` works before a bot token exists.
Everything typed that is not a button number (or a /command) is sent as text, like in a chat.
"""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import OperationalError

from bot import actions
from bot.config import PROJECT_ROOT, Settings
from bot.messages import Button, Event, EventKind, Outcome, UserKey
from bot.runtime import open_runtime
from bot.storage.vocabulary import Channel

CONSOLE_KEY = UserKey(channel=Channel.CONSOLE, bot_id=0, chat_id=1, user_id=1)
PICTURES = PROJECT_ROOT / "data" / "pictures"  # where the terminal chat saves pictures it cannot show


def render(outcome: Outcome, out: TextIO, pictures: Path = PICTURES) -> list[Button]:
    """Print the outcome; return the buttons of the last message, which the numbers refer to.
    A picture (a certificate) is saved under `pictures` and its path printed."""
    buttons: list[Button] = []
    if outcome.notice:
        out.write(f"  ({outcome.notice})\n")
    for reply in outcome.replies:
        out.write("\n" + "─" * 60 + "\n")
        if reply.attachment is not None:
            pictures.mkdir(parents=True, exist_ok=True)
            saved = pictures / reply.attachment.filename
            saved.write_bytes(reply.attachment.render())
            out.write(f"🖼  [{saved}]\n")
        for paragraph in reply.text.split("\n"):
            out.write(textwrap.fill(paragraph, width=78) + "\n" if paragraph else "\n")
        if reply.buttons:
            buttons = []
            out.write("\n")
            for row in reply.buttons:
                labels = []
                for button in row:
                    buttons.append(button)
                    labels.append(f"[{len(buttons)}] {button.label}")
                out.write("   ".join(labels) + "\n")
    out.flush()
    return buttons


def to_event(line: str, buttons: list[Button]) -> Event:
    text = line.strip()
    if text.isdigit() and 1 <= int(text) <= len(buttons):
        action = actions.encode(buttons[int(text) - 1].action)
        return Event(CONSOLE_KEY, EventKind.ACTION, action, display_name="Console")
    if text.startswith("/") and len(text) > 1:
        words = text[1:].split()
        argument = words[1].lower()[:16] if len(words) > 1 else ""
        return Event(CONSOLE_KEY, EventKind.COMMAND, words[0].split("@")[0], display_name="Console", argument=argument)
    return Event(CONSOLE_KEY, EventKind.TEXT, text, display_name="Console")


async def run_console(settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    try:
        runtime = await open_runtime(settings)
    except OperationalError as error:
        stdout.write(f"error: the database cannot be opened ({error.orig}). Check DATABASE_URL.\n")
        return 2
    try:
        for fault in runtime.faults:
            stdout.write(f"warning: {fault} (module left out)\n")
        stdout.write("Type a button's number, a /command, or any text. Ctrl-D to quit.\n")
        buttons = render(await runtime.engine.handle(Event(CONSOLE_KEY, EventKind.COMMAND, "start")), stdout)
        loop = asyncio.get_running_loop()
        while True:
            stdout.write("\n> ")
            stdout.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                stdout.write("\n")
                return 0
            if not line.strip():
                continue
            outcome = await runtime.engine.handle(to_event(line, buttons))
            buttons = render(outcome, stdout) or buttons
    finally:
        await runtime.close()
