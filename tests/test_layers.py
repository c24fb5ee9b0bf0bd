"""The layers hold: no package cycle under bot/, storage imports no feature, only the Telegram channel
imports python-telegram-bot, the core never imports a channel, the runtime or the command line."""

from __future__ import annotations

from bot.config import PROJECT_ROOT
from tests.support.import_graph import build, cycles

GRAPH = build(PROJECT_ROOT / "bot")
CORE = ("bot.content", "bot.learning", "bot.storage", "bot.broadcast", "bot.reports")
# bot.cleaning is pure text handling (unicodedata, regex): storage cleans people's text with it.
NEUTRAL = {"bot.clock", "bot.config", "bot.messages", "bot.actions", "bot.cleaning"}


def test_no_package_imports_itself_round_about() -> None:
    assert cycles(GRAPH) == []


def test_storage_imports_nothing_but_neutral_ground() -> None:
    assert GRAPH["bot.storage"] <= NEUTRAL


def test_only_the_telegram_channel_imports_telegram() -> None:
    assert {source for source, targets in GRAPH.items() if "telegram" in targets} == {"bot.channels.telegram"}


def test_the_core_never_imports_a_channel_the_runtime_or_the_command_line() -> None:
    for package in CORE:
        outward = {t for t in GRAPH[package] if t.startswith(("bot.channels", "bot.runtime", "bot.cli", "bot.status"))}
        assert not outward, (package, outward)


def test_the_graph_sees_function_level_imports_too() -> None:
    # bot.serve imports the Telegram channel only inside a function; the walk must still see it.
    assert "bot.channels.telegram" in GRAPH["bot.serve"]
