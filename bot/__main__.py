"""The command line: `python -m bot COMMAND`. The commands themselves live in `bot.cli`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from pydantic import ValidationError

from bot.cli import PARTS
from bot.cli.arguments import OneLineParser
from bot.config import Settings, get_settings

Command = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m bot", description="Digital-skills lessons bot.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)
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
            name, message = ".".join(map(str, issue["loc"])).upper(), issue["msg"].removeprefix("Value error, ")
            print(f"error: setting {name}: {message}", file=sys.stderr)
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
    try:
        return handler(args, settings)
    except Exception as error:
        from bot.cli.failures import explain  # SQLAlchemy loads only on this rare path

        message = explain(error, settings.database_url)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
