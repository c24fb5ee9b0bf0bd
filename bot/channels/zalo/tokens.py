"""The Official Account's token pair, kept in the database.

An access token lasts about 25 hours; a refresh token works once, and every refresh returns a new pair.
So the rotated pair is committed to `zalo_tokens` before the new access token is used (a crash right
after a refresh must not lose the only valid refresh token), the commit is shielded from cancellation,
and refreshes in this process go one at a time. ZALO_REFRESH_TOKEN is read only while the table holds
nothing for this app: after the first refresh the stored token is the one that works.

No token or secret is ever logged; failures name Zalo's error code only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import aiohttp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import clock
from bot.storage.db import uninterruptible
from bot.storage.models import ZaloToken
from bot.storage.upsert import upsert

log = logging.getLogger(__name__)
Sessions = async_sessionmaker[AsyncSession]
EARLY = timedelta(minutes=10)  # refresh this long before Zalo says the access token ends
DEFAULT_LIFETIME = 90000  # seconds, what Zalo answers as `expires_in`


class TokenError(RuntimeError):
    """No usable token: the OA must be authorised again. The message names no token."""


class Tokens:
    def __init__(
        self,
        sessions: Sessions,
        http: Callable[[], aiohttp.ClientSession],
        *,
        oauth_base_url: str,
        app_id: str,
        app_secret: str,
        bootstrap_refresh_token: str | None,
    ) -> None:
        self.sessions = sessions
        self._http = http
        self.url = oauth_base_url.rstrip("/") + "/v4/oa/access_token"
        self.app_id = app_id
        self._app_secret = app_secret
        self._bootstrap = bootstrap_refresh_token or None
        self._lock = asyncio.Lock()
        self.refreshes = 0  # how many refreshes this process made (health and tests)

    async def access_token(self) -> str:
        """A valid access token: the stored one, or a fresh one when it is missing or about to end."""
        row = await self._load()
        if row is not None and _usable(row):
            assert row.access_token is not None
            return row.access_token
        return await self.refresh(spent=row.access_token if row is not None else None)

    async def refresh(self, *, spent: str | None) -> str:
        """Rotate the pair because `spent` no longer works (or there is none); store it, then return the
        new access token. A caller who waited for another refresh gets that one instead of refreshing twice."""
        async with self._lock:
            row = await self._load()
            if row is not None and _usable(row) and row.access_token != spent:
                assert row.access_token is not None
                return row.access_token
            refresh_token = row.refresh_token if row is not None else self._bootstrap
            if not refresh_token:
                raise TokenError("no Zalo refresh token: set ZALO_REFRESH_TOKEN once (the database keeps it after)")
            answer = await self._ask(refresh_token)
            access, rotated = answer.get("access_token"), answer.get("refresh_token")
            if not isinstance(access, str) or not isinstance(rotated, str) or not access or not rotated:
                code = answer.get("error", "?")
                raise TokenError(f"Zalo refused the refresh token (error {code}); authorise the OA again")
            lifetime = _seconds(answer.get("expires_in"))
            await _store(self.sessions, self.app_id, access, rotated, lifetime)
            self.refreshes += 1
            log.info("zalo: access token rotated (valid for %d s)", lifetime)
            return access

    async def _ask(self, refresh_token: str) -> dict[str, Any]:
        form = {"app_id": self.app_id, "grant_type": "refresh_token", "refresh_token": refresh_token}
        async with self._http().post(self.url, data=form, headers={"secret_key": self._app_secret}) as response:
            try:
                answer = await response.json(content_type=None)
            except ValueError:
                answer = None
        return answer if isinstance(answer, dict) else {"error": f"HTTP {response.status}"}

    async def _load(self) -> ZaloToken | None:
        return await _load(self.sessions, self.app_id)


def _usable(row: ZaloToken) -> bool:
    expires = row.access_expires_at
    return bool(row.access_token) and expires is not None and expires - EARLY > clock.now()


def _seconds(value: object) -> int:
    try:
        seconds = int(str(value))
    except ValueError:
        return DEFAULT_LIFETIME
    return seconds if seconds > 0 else DEFAULT_LIFETIME


@uninterruptible
async def _load(sessions: Sessions, app_id: str) -> ZaloToken | None:
    async with sessions() as session:
        return await session.scalar(select(ZaloToken).where(ZaloToken.app_id == app_id))


@uninterruptible
async def _store(sessions: Sessions, app_id: str, access: str, refresh: str, lifetime: int) -> None:
    now = clock.now()
    values = {
        "app_id": app_id,
        "access_token": access,
        "access_expires_at": now + timedelta(seconds=lifetime),
        "refresh_token": refresh,
        "rotated_at": now,
    }
    async with sessions.begin() as session:
        await session.execute(
            upsert(session, ZaloToken, values, index=["app_id"], update=[k for k in values if k != "app_id"])
        )
