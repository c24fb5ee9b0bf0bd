"""Residents on Zalo for tests: each posts signed webhook events to the bot and reads what the fake Zalo
API recorded for them."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.channels.zalo import signature
from bot.channels.zalo.testing.fake_zalo_api import APP_ID, OA_SECRET_KEY, FakeZaloApi, Sent

OA_ID = "579745863508352884"
RETRIES = 5  # Zalo posts an event again when the answer was not 200 (its schedule is UNCONFIRMED)
_msg_ids = itertools.count(1)


def event(user_id: str, name: str = "user_send_text", text: str | None = None, **extra: Any) -> dict[str, Any]:
    """A webhook event as Zalo sends it (timestamp in epoch milliseconds, as a string)."""
    body: dict[str, Any] = {
        "app_id": APP_ID,
        "user_id_by_app": "9" + user_id[1:],
        "event_name": name,
        "timestamp": "1764460800000",
        "sender": {"id": user_id},
        "recipient": {"id": OA_ID},
    }
    if name in ("follow", "unfollow"):
        body.pop("sender")
        body["follower"] = {"id": user_id}
        body["oa_id"] = OA_ID
    else:
        body["message"] = {"msg_id": f"msg-{next(_msg_ids)}", "text": text or ""}
    body.update(extra)
    return body


def signed(body: dict[str, Any], secret: str = OA_SECRET_KEY) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    header = signature.header_for(APP_ID, raw, str(body["timestamp"]), secret)
    return raw, {"X-ZEvent-Signature": header, "Content-Type": "application/json"}


@dataclass
class ZaloResident:
    api: FakeZaloApi
    webhook_url: str
    settle: Callable[[], Awaitable[None]]  # waits until the bot has handled what it received
    user_id: str = "1876543210987654321"
    statuses: list[int] = field(default_factory=list)

    async def post(self, body: dict[str, Any]) -> int:
        """Post the event; like Zalo, post it again (the same event) while the bot answers 5xx."""
        raw, headers = signed(body)
        async with aiohttp.ClientSession() as client:
            for attempt in range(RETRIES + 1):
                async with client.post(self.webhook_url, data=raw, headers=headers) as response:
                    status = response.status
                if status < 500 or attempt == RETRIES:
                    break
                await asyncio.sleep(0.2 * (attempt + 1))
        self.statuses.append(status)
        await self.settle()
        return status

    async def send(self, text: str) -> int:
        return await self.post(event(self.user_id, text=text))

    async def press(self, label: str) -> int:
        """Tap the newest button whose title contains `label`: Zalo sends its payload as the user's text."""
        for sent in reversed(self.messages()):
            for button in sent.buttons:
                if label in button["title"]:
                    return await self.send(button["payload"])
        raise AssertionError(f"no button {label!r} in {[b['title'] for s in self.messages() for b in s.buttons]}")

    async def press_where(self, wanted: Callable[[str], bool]) -> int:
        """Tap the newest button whose payload `wanted` accepts."""
        for sent in reversed(self.messages()):
            for button in sent.buttons:
                if wanted(button["payload"]):
                    return await self.send(button["payload"])
        raise AssertionError("no such button")

    def messages(self) -> list[Sent]:
        return self.api.to(self.user_id)

    def last(self) -> Sent:
        return self.messages()[-1]

    def texts(self) -> str:
        return "\n".join(sent.text for sent in self.messages())
