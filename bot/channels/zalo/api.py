"""Zalo's HTTP API, the few calls the bot makes: a consultation message to one user, with the token pair
refreshed once when Zalo says the access token is no longer valid.

Zalo answers HTTP 200 with `{"error": <int>, "message": ...}`; 0 is success. The codes the bot acts on
are named here (see the README's "Zalo" section for which are confirmed).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.channels.zalo.tokens import Tokens

log = logging.getLogger(__name__)

OK = 0
INVALID_TOKEN = -216
EXPIRED_TOKEN = -220
NOT_FOLLOWING = -213  # the user does not follow the OA (unfollowed, or never did)
OUTSIDE_WINDOW = -230  # no interaction in the last 7 days: a free consultation message cannot reach them
OUTSIDE_WINDOW_TOO = -232
RATE_LIMITED = -32
OUT_OF_QUOTA = -211
USER_QUOTA = -218  # this user has received as many messages as Zalo allows for now
TOKEN_ERRORS = (INVALID_TOKEN, EXPIRED_TOKEN)
TIMEOUT = aiohttp.ClientTimeout(total=15, connect=10)


@dataclass(frozen=True, slots=True)
class Answer:
    """What Zalo said to one call: `error` 0 is success; `status` is the HTTP status."""

    error: int
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    retry_after: float | None = None  # from an HTTP 429's Retry-After, when there is one

    @property
    def ok(self) -> bool:
        return self.error == OK and self.status == 200


class ZaloApi:
    """One aiohttp session for the OA's calls; `Tokens` shares it for refreshes."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None
        self.tokens: Tokens | None = None

    def http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send_cs(self, message: dict[str, Any]) -> Answer:
        """POST /v3.0/oa/message/cs. Network trouble raises aiohttp.ClientError or TimeoutError; a token
        Zalo refuses is refreshed once and the message sent again; TokenError when no token can be had."""
        assert self.tokens is not None
        token = await self.tokens.access_token()
        answer = await self._post("/v3.0/oa/message/cs", token, message)
        if answer.error in TOKEN_ERRORS:
            log.warning("zalo: the access token was refused (error %d); refreshing once", answer.error)
            token = await self.tokens.refresh(spent=token)
            answer = await self._post("/v3.0/oa/message/cs", token, message)
        return answer

    async def display_name(self, user_id: str) -> str | None:
        """The person's Zalo name (GET /v3.0/oa/user/detail, UNCONFIRMED beyond third-party code), for
        the greeting and the certificate; None when Zalo does not say."""
        assert self.tokens is not None
        token = await self.tokens.access_token()
        answer = await self._get_user(token, user_id)
        if answer.error in TOKEN_ERRORS:
            token = await self.tokens.refresh(spent=token)
            answer = await self._get_user(token, user_id)
        name = answer.data.get("display_name") if answer.ok else None
        return name if isinstance(name, str) and name.strip() else None

    async def _get_user(self, token: str, user_id: str) -> Answer:
        params = {"data": json.dumps({"user_id": user_id})}
        url = self.base_url + "/v3.0/oa/user/detail"
        async with self.http().get(url, params=params, headers={"access_token": token}) as response:
            return await _answer(response)

    async def upload_image(self, picture: bytes, filename: str) -> Answer:
        """POST /v2.0/oa/upload/image (multipart `file`): `data.attachment_id` names the picture in a
        message. UNCONFIRMED beyond third-party code; a caller treats any failure as "send no picture"."""
        assert self.tokens is not None
        token = await self.tokens.access_token()
        answer = await self._upload(token, picture, filename)
        if answer.error in TOKEN_ERRORS:
            token = await self.tokens.refresh(spent=token)
            answer = await self._upload(token, picture, filename)
        return answer

    async def _upload(self, token: str, picture: bytes, filename: str) -> Answer:
        form = aiohttp.FormData()
        form.add_field("file", picture, filename=filename, content_type="image/png")
        return await self._post("/v2.0/oa/upload/image", token, None, data=form)

    async def _post(self, path: str, token: str, body: dict[str, Any] | None, data: Any = None) -> Answer:
        headers = {"access_token": token}
        async with self.http().post(self.base_url + path, json=body, data=data, headers=headers) as response:
            return await _answer(response)

    async def probe(self) -> bool:
        """Whether Zalo's API answers at all (any HTTP answer will do): asked after a network failure."""
        try:
            async with self.http().get(self.base_url + "/v2.0/oa/getoa") as response:
                await response.read()
        except (aiohttp.ClientError, TimeoutError):
            return False
        return True


async def _answer(response: aiohttp.ClientResponse) -> Answer:
    """Zalo's answer: HTTP 200 with `error` 0 on success, `error` < 0 otherwise."""
    retry_after = _retry_after(response.headers.get("Retry-After"))
    try:
        payload = await response.json(content_type=None)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return Answer(OK if response.status == 200 else -1, "", {}, response.status, retry_after)
    error = payload.get("error", OK)
    return Answer(
        int(error) if isinstance(error, int | str) and str(error).lstrip("-").isdigit() else -1,
        str(payload.get("message") or "")[:200],
        payload.get("data") if isinstance(payload.get("data"), dict) else {},
        response.status,
        retry_after,
    )


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
