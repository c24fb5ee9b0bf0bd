"""Kill -9 half-way, restart: `python -m bot run` as in production, a broadcast made with the CLI, and a
fake Bot API over loopback HTTP that allows only BROADCAST_RATE sends a second."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.broadcast.sender import default_workers
from bot.channels.telegram.testing.broadcast_harness import kill_and_resume, populate
from bot.storage.db import normalise_url

RESIDENTS = 240
RATE = 120.0


@pytest.mark.parametrize("concurrency", [None, 1], ids=["default-concurrency", "one-at-a-time"])
async def test_sigkill_half_way_then_restart_loses_nothing(
    database_url: str, tmp_path: Path, concurrency: int | None
) -> None:
    population = await populate(normalise_url(database_url), RESIDENTS, blocked_share=0.1)
    result = await kill_and_resume(population, RATE, workdir=tmp_path, patience=60, concurrency=concurrency)

    assert result.recipients == RESIDENTS  # the CLI's --json line
    assert 0 < result.sent_at_kill < result.reachable  # the kill did land half-way
    assert result.missing == 0, result.line()
    # Only messages in flight at the kill may go twice: at most one per concurrent send, so with
    # BROADCAST_CONCURRENCY=1 at most one message in all.
    assert result.duplicates <= (concurrency or default_workers(RATE)), result.line()
    assert result.marked_unreachable == result.blocked == 24
    assert result.throttled == 0, result.line()  # paced at the API's limit: no 429s
