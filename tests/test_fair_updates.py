"""One resident cannot stall everyone (issue 15, point 1): a resident's queued updates hold no global
slot, and beyond a cap their new updates are dropped with one kind word. The real Application fetches
updates from its queue and runs them through the real handlers against the fake Bot API, at a 50 ms
round trip."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from telegram import Update
from telegram.ext import Application

from bot.channels.telegram.processor import PER_RESIDENT_QUEUE
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journey import onboard, until

FLOOD = 300


async def test_a_flooding_resident_neither_stalls_another_nor_gets_all_taps_run(
    make_user: Callable[..., FakeUser], api: FakeBotApi, app: Application
) -> None:
    flooder, other = make_user(7101, "Nhanh"), make_user(7102, "Chậm")
    await onboard(flooder)
    await onboard(other)
    menu_message, menu_data = flooder.find_button("Tiến độ")
    api.latency = 0.05
    handled_before = len(api.calls_of("answerCallbackQuery"))
    await app.start()
    try:
        for _ in range(FLOOD):  # pushed at once, before any is handled, as long polling delivers a burst
            tap = api.callback_update(flooder.user, menu_message, menu_data)
            await app.update_queue.put(Update.de_json(tap, app.bot))
        await asyncio.sleep(0)
        asked = time.monotonic()
        await app.update_queue.put(Update.de_json(api.message_update(other.user, "/progress"), app.bot))
        await until(lambda: "Tiến độ học" in other.last().text, "the other resident's reply")
        waited = time.monotonic() - asked
        await until(lambda: app.update_queue.empty(), "the queue drained")
        await asyncio.sleep(0.5)
    finally:
        await app.stop()

    # Two round trips (the reply and nothing else queued before it) at 50 ms, not a wait behind the flood.
    assert waited < 1.0, waited
    answered = api.calls_of("answerCallbackQuery")[handled_before:]  # all the flooder's: the other typed
    kind_words = [call for call in answered if "chờ một chút" in str(call.params.get("text") or "")]
    assert len(kind_words) == 1  # once per burst, not once per dropped tap
    handled = len(answered) - len(kind_words)  # each tap that ran answered its button once
    assert 1 <= handled <= PER_RESIDENT_QUEUE  # the rest of the burst was dropped
