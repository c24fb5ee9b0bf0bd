"""`python -m bot broadcast`, `broadcasts` and `broadcast-control`: broadcasts from the server's shell.

Only the arguments live here: the work (and its imports of the database and the catalogue) is loaded
when one of these commands runs, so every other `python -m bot` command starts fast.
"""

from __future__ import annotations

import argparse

from bot.cli.arguments import at_least_one, row_id
from bot.config import Settings

CONTROLS = ("pause", "resume", "cancel", "resend", "report")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    send = commands.add_parser("broadcast", help="send a lesson invitation or an announcement to residents")
    what = send.add_mutually_exclusive_group(required=True)
    what.add_argument("--lesson", metavar="MODULE_ID", help="invite to this module (a 'Học ngay' button)")
    what.add_argument("--text", help="a text announcement")
    send.add_argument(
        "--audience",
        default="all",
        help="all | commune:ID | language:vi|en | not-completed:MODULE | inactive:DAYS (default all)",
    )
    send.add_argument("--at", metavar="ISO-TIME", help="when, e.g. 2026-12-25T08:00 (local time); default now")
    send.add_argument("--dry-run", action="store_true", help="only count the recipients")
    send.add_argument("--json", action="store_true", help='last line: {"id": ..., "recipients": N}')
    send.set_defaults(handler=_broadcast)

    listing = commands.add_parser("broadcasts", help="list broadcasts with their status and counts")
    listing.add_argument("--limit", type=at_least_one, default=20)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_broadcasts)

    control = commands.add_parser("broadcast-control", help="pause, resume, cancel, resend failed, or report")
    control.add_argument("action", choices=CONTROLS)
    control.add_argument("id", type=row_id)
    control.add_argument("--json", action="store_true")
    control.set_defaults(handler=_control)


def _broadcast(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import broadcast_commands as commands

    return commands.broadcast(args, settings)


def _broadcasts(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import broadcast_commands as commands

    return commands.broadcasts(args, settings)


def _control(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import broadcast_commands as commands

    return commands.control(args, settings)
