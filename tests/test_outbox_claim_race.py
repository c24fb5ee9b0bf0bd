"""A direct message in flight is still pending in the database: claiming the next ones must go by who was
busy when the claim began, or a message whose send finished during the claim's query goes twice."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from bot import clock
from bot.broadcast import outbox
from bot.channels.telegram.testing.broadcasting import seed_residents
from bot.messages import Reply
from bot.runtime import Runtime
from bot.storage.models import Resident


class FinishesDuringTheQuery(set[int]):
    """The sender's busy set, whose one resident's message finishes (is released) once the set was read."""

    def __iter__(self) -> Iterator[int]:
        members = list(super().__iter__())
        self.clear()
        return iter(members)

    def __len__(self) -> int:
        size = super().__len__()
        self.clear()
        return size


async def test_a_resident_busy_when_the_claim_began_is_not_claimed_again(runtime: Runtime) -> None:
    await seed_residents(runtime.sessions, 1)
    async with runtime.sessions.begin() as session:
        resident_id = await session.scalar(select(Resident.id))
        assert resident_id is not None
        await outbox.enqueue(session, resident_id, "relay", "m0", Reply("tin 0"), clock.now())
    claimed = await outbox.claim_direct(runtime.sessions, clock.now(), 10, FinishesDuringTheQuery({resident_id}))
    assert claimed == []  # its message was in flight: it goes once, by the worker that holds it
