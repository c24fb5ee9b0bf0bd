"""The command line: `python -m bot COMMAND`. The commands themselves live in `bot.cli`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from pydantic import ValidationError

from bot.cli import PARTS
from bot.config import Settings, get_settings

Command = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Digital-skills lessons bot.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for part in PARTS:
        part.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as error:
        for issue in error.errors():
            print(f"error: setting {'.'.join(map(str, issue['loc'])).upper()}: {issue['msg']}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request URL, and a Bot API URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("transitions").setLevel(logging.WARNING)  # it logs every state change at INFO
    logging.getLogger("alembic").setLevel(logging.WARNING)
    handler: Command = args.handler
    return handler(args, settings)


if __name__ == "__main__":
    sys.exit(main())
