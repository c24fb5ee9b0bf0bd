"""The command line, one module per concern. `PARTS` is the whole list: a new group of commands is a
module with `register(commands)` added here."""

from __future__ import annotations

from bot.cli import audit, broadcasts, certificates, core, reports

PARTS = (core, broadcasts, reports, audit, certificates)
