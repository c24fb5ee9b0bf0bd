"""The update queue, fair between residents: updates leave it taking turns by resident, not in arrival
order, and a resident over their cap is turned away at the door.

PTB's Application takes updates from this queue one after the other and makes each a task. With a
plain FIFO queue, 500 taps from one resident that arrive in one long-polling batch all become tasks
before the next resident's message does; even when all but 20 are dropped at once, making and running
those tasks put another resident's reply 7 times slower at a 0 ms API round trip (bench/bench_flood.py).
Here the processor's admission check (bot.channels.telegram.processor) runs as an update is put in, so a
dropped update never becomes a task, and the lanes hand out one update per resident in turn, so the
next resident's message is the second to leave, whatever queued before it.

Anything that is not an Update (PTB's own stop signal) leaves only once no resident's update waits:
stopping still handles everything that came before it, as with PTB's queue.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator

from telegram import Update

from bot.channels.telegram.processor import resident_key

Admit = Callable[[object], bool]


class _Lanes:
    """One FIFO lane per resident, served in turn; the container asyncio.Queue keeps as `_queue`."""

    def __init__(self) -> None:
        self._lanes: OrderedDict[int, deque[object]] = OrderedDict()  # in the order they are served
        self._last: deque[object] = deque()  # not updates: after every resident's
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, item: object) -> None:
        if isinstance(item, Update):
            self._lanes.setdefault(resident_key(item), deque()).append(item)
        else:
            self._last.append(item)
        self._size += 1

    def popleft(self) -> object:
        if not self._size:
            raise IndexError("pop from an empty queue")
        self._size -= 1
        if not self._lanes:
            return self._last.popleft()
        key, lane = next(iter(self._lanes.items()))
        item = lane.popleft()
        if lane:
            self._lanes.move_to_end(key)  # their next update waits for everyone else's turn
        else:
            del self._lanes[key]
        return item

    def __iter__(self) -> Iterator[object]:  # asyncio.Queue's repr walks it
        for lane in self._lanes.values():
            yield from lane
        yield from self._last


class FairUpdateQueue(asyncio.Queue[object]):
    """asyncio.Queue with per-resident turns; `admit` (the processor's) may turn an update away."""

    def __init__(self, admit: Admit | None = None) -> None:
        super().__init__()
        self.admit = admit

    def _init(self, maxsize: int) -> None:
        self._queue = _Lanes()

    def put_nowait(self, item: object) -> None:
        if self.admit is not None and isinstance(item, Update) and not self.admit(item):
            return  # dropped: never queued, never a task, not counted by join()
        super().put_nowait(item)
