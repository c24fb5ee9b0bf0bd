"""`GET /v/CODE`: the public page where anyone (an employer, the commune office, a relative) checks a
certificate, usually by scanning its QR with a phone.

The page says valid, revoked or not found, in Vietnamese and then English, with the module, the date,
the holder's masked name and the issuer. It is built so that it cannot be used to find people: the
name is masked, a code that was never issued gets the very same page (same status, same rows, dashes
for values), and each client may ask only a few times a minute. The page is self-contained (no script,
no outside font or picture) so it loads on a weak 3G connection.
"""

from __future__ import annotations

import html
import logging
import time
from collections import deque
from dataclasses import replace
from datetime import date

from aiohttp import web

from bot.certificates.service import Certificates
from bot.certificates.verification import Status, Verdict, issuer_name, title_of
from bot.texts import t
from bot.web.server import WebServer

log = logging.getLogger(__name__)
WINDOW = 60.0  # seconds
MAX_CLIENTS = 10_000  # remembered clients; beyond this the idle ones are forgotten
HEADERS = {
    "Cache-Control": "no-store",  # a revocation must show at once
    "X-Robots-Tag": "noindex, nofollow",  # certificates are not for search engines
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}
STATUS_COLOURS = {Status.VALID: "#2e7d32", Status.REVOKED: "#b3261e", Status.NOT_FOUND: "#5f6b76"}
STATUS_SIGNS = {Status.VALID: "✓", Status.REVOKED: "✕", Status.NOT_FOUND: "?"}  # in every font, unlike emoji


class RateLimit:
    """At most `per_minute` requests per client in any sliding minute (monotonic time: a wall-clock
    change must not open or close the gate)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if len(self._seen) > MAX_CLIENTS:
            self._seen = {key: hits for key, hits in self._seen.items() if hits and now - hits[-1] < WINDOW}
        hits = self._seen.setdefault(client, deque())
        while hits and now - hits[0] >= WINDOW:
            hits.popleft()
        if len(hits) >= self.per_minute:
            return False
        hits.append(now)
        return True


class VerifyPage:
    def __init__(self, certificates: Certificates) -> None:
        self.certificates = certificates
        settings = certificates.settings
        self.issuer = settings.cert_issuer
        self.limit = RateLimit(settings.verify_rate_per_minute)

    def install(self, server: WebServer) -> None:
        server.add_route("GET", "/v/{code}", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        # Behind a reverse proxy every request comes from the proxy: limit there too (see README).
        client = request.remote or "?"
        if not self.limit.allow(client):
            page = render_busy("verify_page_too_many")
            return web.Response(text=page, content_type="text/html", status=429, headers=HEADERS)
        typed = request.match_info.get("code", "")[:40]
        try:
            verdict = await self.certificates.verify(typed, "vi")
        except Exception:  # the database is down: a kind page, never a stack trace
            log.warning("certificate check failed", exc_info=False)
            page = render_busy("verify_busy")
            return web.Response(text=page, content_type="text/html", status=503, headers=HEADERS)
        english = verdict
        if verdict.module is not None:
            english = replace(verdict, title=title_of(self.certificates.catalog, verdict.module, "en"))
        return web.Response(text=render(verdict, english, self.issuer), content_type="text/html", headers=HEADERS)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _section(language: str, verdict: Verdict, issuer: str | None) -> str:
    status = verdict.status
    heading = t(language, f"verify_page_{status.value}")
    found = status is not Status.NOT_FOUND
    rows = [
        ("verify_page_code", verdict.code),
        ("verify_page_module", verdict.title if found else "—"),
        ("verify_page_score", f"{verdict.score}%" if found and status is Status.VALID else "—"),
        ("verify_page_issued", _day(verdict.issued)),
        ("verify_page_holder", verdict.holder if status is Status.VALID and verdict.holder else "—"),
        ("verify_page_issuer", issuer_name(issuer, language) if found else "—"),
        ("verify_page_revoked_on", _day(verdict.revoked_on)),
    ]
    cells = "".join(
        f"<tr><th>{html.escape(t(language, key))}</th><td>{html.escape(str(value or '—'))}</td></tr>"
        for key, value in rows
    )
    hint = t(language, "verify_page_not_found_hint") if not found else t(language, "verify_page_note")
    return (
        f'<section lang="{language}">'
        f'<h2 class="status" style="color:{STATUS_COLOURS[status]}">{STATUS_SIGNS[status]} {html.escape(heading)}</h2>'
        f"<table>{cells}</table>"
        f'<p class="note">{html.escape(hint)}</p>'
        "</section>"
    )


STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;background:#f4f6f8;
color:#1b3a5c;font-size:18px;line-height:1.45}
main{max-width:34rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.5rem 0 1rem}
section{background:#fff;border-radius:12px;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 3px #0002}
section[lang=en]{font-size:.92rem}
h2.status{font-size:1.2rem;margin:0 0 .75rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.35rem 0;border-bottom:1px solid #e3e7eb}
th{font-weight:600;width:42%;padding-right:.5rem;color:#5f6b76}
td{overflow-wrap:anywhere}
.note{font-size:.85rem;color:#5f6b76;margin:.75rem 0 0}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def render(vietnamese: Verdict, english: Verdict, issuer: str | None) -> str:
    """The whole page: Vietnamese first, English below; the same rows whatever the code."""
    title = f"{t('vi', 'verify_page_title')} · {t('en', 'verify_page_title')}"
    body = f"<h1>{html.escape(title)}</h1>" + _section("vi", vietnamese, issuer) + _section("en", english, issuer)
    return _page(title, body)


def render_busy(key: str) -> str:
    """Too many checks from one client, or the database not answering: try again later."""
    title = f"{t('vi', 'verify_page_title')} · {t('en', 'verify_page_title')}"
    body = (
        f"<h1>{html.escape(title)}</h1>"
        f'<section lang="vi"><p>{html.escape(t("vi", key))}</p></section>'
        f'<section lang="en"><p>{html.escape(t("en", key))}</p></section>'
    )
    return _page(title, body)
