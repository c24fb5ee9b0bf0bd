"""The webhook's signature: `X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp + OA
secret key)>`, a plain SHA-256 of the concatenation (not an HMAC), computed on the raw bytes as received.
`app_id` and `timestamp` are read from the body itself."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "mac="


def mac(app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    digest = hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret_key.encode())
    return digest.hexdigest()


def header_for(app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    """What Zalo puts in the header (and what the fake Zalo sends in tests)."""
    return PREFIX + mac(app_id, body, timestamp, secret_key)


def verify(header: str | None, app_id: str, body: bytes, timestamp: str, secret_key: str) -> bool:
    """Whether `header` signs `body`; with or without the `mac=` prefix, compared in constant time."""
    if not header:
        return False
    given = header.strip()
    if given.lower().startswith(PREFIX):
        given = given[len(PREFIX) :]
    expected = mac(app_id, body, timestamp, secret_key)
    return hmac.compare_digest(given.lower().encode(), expected.encode())
