"""One resident cannot stall everyone (issue 15, point 1): a resident's queued updates hold no global
slot, beyond a cap their new updates are dropped at the queue's door with one kind word, updates leave
the queue taking turns by resident, and a flooder gives way to other residents. The real Application
fetches updates from its queue and runs them through the real handlers against the fake Bot API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from telegram import Update
from telegram.ext import Application

from bot.channels.telegram.processor import PER_RESIDENT_QUEUE, PerUserUpdateProcessor
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser
from bot.channels.telegram.update_queue import FairUpdateQueue
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


async def test_at_a_0_ms_round_trip_another_resident_is_answered_before_the_flood_runs(
    make_user: Callable[..., FakeUser], api: FakeBotApi, app: Application
) -> None:
    """With no network wait to hide behind, the bot is bound by its CPU: the flooder's taps give way,
    so the other resident's reply is the first thing the bot sends after the burst (bar the kind word)."""
    flooder, other = make_user(7201, "Nhanh"), make_user(7202, "Chậm")
    await onboard(flooder)
    await onboard(other)
    menu_message, menu_data = flooder.find_button("Tiến độ")
    sent_before = len(api.calls)
    await app.start()
    try:
        for _ in range(FLOOD):
            await app.update_queue.put(
                Update.de_json(api.callback_update(flooder.user, menu_message, menu_data), app.bot)
            )
        await app.update_queue.put(Update.de_json(api.message_update(other.user, "/progress"), app.bot))
        await until(lambda: "Tiến độ học" in other.last().text, "the other resident's reply")
        await until(lambda: app.update_queue.empty(), "the queue drained")
        await app.update_queue.join()
    finally:
        await app.stop()
    calls = [call for call in api.calls[sent_before:] if "chờ một chút" not in str(call.params.get("text") or "")]
    to_other = [i for i, call in enumerate(calls) if str(call.params.get("chat_id")) == str(other.user["id"])]
    flooders = [i for i, call in enumerate(calls) if call.method == "answerCallbackQuery"]
    assert flooders, "the flooder's admitted taps ran too"
    assert to_other[0] < flooders[0], [call.method for call in calls[:5]]


def update_from(api: FakeBotApi, user_id: int, text: str) -> Update:
    user = {"id": user_id, "is_bot": False, "first_name": "X"}
    return Update.de_json(api.message_update(user, text), None)


async def test_the_queue_hands_out_updates_by_turns_and_its_stop_signal_last() -> None:
    api = FakeBotApi()
    queue = FairUpdateQueue()
    stop = object()  # PTB's stop signal is a bare object, as is anything else that is not an Update
    for user_id, text in ((1, "a1"), (1, "a2"), (1, "a3"), (2, "b1"), (3, "c1"), (2, "b2")):
        if text == "b1":
            queue.put_nowait(stop)
        queue.put_nowait(update_from(api, user_id, text))
    assert queue.qsize() == 7
    got = [queue.get_nowait() for _ in range(7)]
    assert [item.effective_message.text if isinstance(item, Update) else "stop" for item in got] == [
        "a1",
        "b1",
        "c1",
        "a2",
        "b2",
        "a3",
        "stop",
    ]
    assert queue.empty()


async def test_an_update_over_the_cap_is_turned_away_at_the_door_and_never_counted() -> None:
    api = FakeBotApi()
    processor = PerUserUpdateProcessor(per_resident_queue=2)
    queue = FairUpdateQueue(admit=processor.admit)
    for text in ("1", "2", "3", "4"):
        await queue.put(update_from(api, 5, text))
    await queue.put(update_from(api, 6, "other"))
    assert queue.qsize() == 3  # two of resident 5's, one of resident 6's
    for _ in range(3):
        queue.get_nowait()
        queue.task_done()
    await asyncio.wait_for(queue.join(), 1)  # the dropped ones left nothing for join() to wait on
    await processor.shutdown()  # a stop forgets what was admitted: the resident starts afresh
    assert processor.admit(update_from(api, 5, "again"))
