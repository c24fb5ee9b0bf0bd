"""What the command line accepts, checked by argparse before any command runs.

Numbers that end up in a BIGINT column (Telegram ids, row ids) are bounded here: Python's int has no
limit, and a value past 2**63 would otherwise surface as an OverflowError traceback from the driver.
Every parser error is one line on stderr and exit code 2, like every other mistake the CLI reports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn

BIGINT_MAX = 2**63 - 1


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake is one line naming the command, not the whole usage block."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def bounded_int(low: int, high: int = BIGINT_MAX, what: str = "a whole number") -> Callable[[str], int]:
    """An argparse `type` for whole numbers in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not {what}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range: {what} from {low} to {high}")
        return value

    parse.__name__ = what  # argparse names the type in its message when the value is refused
    return parse


telegram_id = bounded_int(1, what="a Telegram id")
row_id = bounded_int(1, what="an id")
at_least_one = bounded_int(1, what="a count")
