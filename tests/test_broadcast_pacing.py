"""The send clock on a fake clock: the rate, a 429 pause, and giving way to residents' replies."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.request import BaseRequest

from bot.broadcast.pacing import Pacer
from bot.channels.telegram.traffic import CountingRequest


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def sends_in(pacer: Pacer, clock: FakeClock, seconds: float) -> int:
    end, sent = clock.now + seconds, 0
    while True:
        await pacer.acquire()
        if clock.now >= end:
            return sent
        sent += 1


async def test_the_rate_holds() -> None:
    clock = FakeClock()
    pacer = Pacer(25, clock=clock, sleep=clock.sleep)
    assert await sends_in(pacer, clock, 10) == pytest.approx(250, abs=3)


async def test_a_429_pauses_every_sender() -> None:
    clock = FakeClock()
    pacer = Pacer(25, clock=clock, sleep=clock.sleep)
    pacer.pause(5)
    await pacer.acquire()
    assert clock.now >= 1005


@pytest.mark.parametrize(("residents_per_second", "expected"), [(0, 250), (10, 150), (24, 50), (100, 50)])
async def test_broadcasts_give_way_to_residents_replies(residents_per_second: float, expected: int) -> None:
    """At 25/s with residents being sent 10 messages a second, the broadcast sends 15; it never stops
    altogether (a fifth of the rate at least)."""
    clock = FakeClock()
    pacer = Pacer(25, clock=clock, sleep=clock.sleep, yield_to=lambda: residents_per_second)
    assert await sends_in(pacer, clock, 10) == pytest.approx(expected, abs=3)


class Answers(BaseRequest):
    """The network, answering ok to anything; the counting layer is what is under test."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        self.urls.append(url)
        return 200, b'{"ok": true, "result": true}'


async def test_only_messages_to_residents_count_as_their_traffic() -> None:
    network, clock = Answers(), FakeClock()
    counting = CountingRequest(network, clock=clock)
    for method in ("sendMessage", "editMessageText", "answerCallbackQuery", "getUpdates", "sendPhoto"):
        await counting.do_request(f"https://api.telegram.invalid/botTOKEN/{method}", "POST", None)
    assert counting.rate() == 3  # answering a button and polling put nothing on a phone
    clock.now += 0.5
    await counting.do_request("https://api.telegram.invalid/botTOKEN/sendMessage", "POST", None)
    assert counting.rate() == 4
    clock.now += 0.6  # the first three are over a second old
    assert counting.rate() == 1
    assert len(network.urls) == 6  # every call went through, counted or not
