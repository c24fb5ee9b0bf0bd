"""What reaches the log when the database refuses something: the statement, never the personal data
it carried (a resident's name, a chat id), whatever the database."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from bot import clock
from bot.runtime import Runtime
from bot.storage.models import Resident

NAME = "Nguyễn Thị Riêng Tư"


async def test_database_errors_carry_no_sql_parameters(runtime: Runtime) -> None:
    now = clock.now()
    row = {
        "channel": "telegram", "external_id": 77_000_001, "chat_id": 77_000_001, "display_name": NAME,
        "language": "vi", "role": "resident", "consent_at": now, "created_at": now, "last_seen_at": now,
    }  # fmt: skip
    async with runtime.sessions.begin() as session:
        await session.execute(insert(Resident).values(**row))
    with pytest.raises(IntegrityError) as refused:  # the same person twice: a unique key says no
        async with runtime.sessions.begin() as session:
            await session.execute(insert(Resident).values(**row))
    message = str(refused.value)
    assert "INSERT INTO residents" in message  # enough to find the bug
    assert NAME not in message and "77000001" not in message
