"""Certificates anyone can check: a pass gives a record whose code verifies the same way in the bot
(/verify), on the command line and on the public page; a changed code, a revoked certificate and one
erased by /deleteme read as they should in all three; the QR leads to the page; the page never shows
the holder's full name."""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator, Callable
from html.parser import HTMLParser
from typing import Any

import aiohttp
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from bot.certificates.service import Certificates
from bot.certificates.verification import mask_name
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser
from bot.config import Settings
from bot.reports.certificates import Certificate, qr_matrix, render_certificate
from bot.runtime import Runtime
from bot.storage.certificates import ALPHABET, new_code, normalise_code, shown
from bot.storage.models import AuditLog, IssuedCertificate, Resident
from bot.web.server import WebServer
from bot.web.verify_page import RateLimit, VerifyPage
from tests.support.cli import run_cli
from tests.support.journey import answer_quiz, count, lesson_of, onboard, start_quiz
from tests.support.settings import make_settings

BASE_URL = "https://hoc.nghiata.example.vn"
ISSUER = "UBND xã Nghĩa Tá"
CODE = re.compile(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b")


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, public_base_url=BASE_URL, cert_issuer=ISSUER)


@pytest.fixture
async def page(runtime: Runtime) -> AsyncIterator[WebServer]:
    server = WebServer(runtime, "127.0.0.1", 0)
    VerifyPage(Certificates(runtime.sessions, runtime.catalog, runtime.settings)).install(server)
    await server.start()
    yield server
    await server.stop()


async def fetch(server: WebServer, code: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as client, client.get(f"{server.url}/v/{code}") as response:
        return response.status, await response.text()


def cli(settings: Settings, *args: str) -> tuple[int, dict[str, Any] | list[Any] | None, str]:
    env = {"DATABASE_URL": settings.database_url, "CERT_ISSUER": ISSUER, "PUBLIC_BASE_URL": BASE_URL}
    done = run_cli("certificates", *args, env=env)
    lines = done.stdout.strip().splitlines()
    last = json.loads(lines[-1]) if "--json" in args and lines else None
    return done.returncode, last, done.stdout + done.stderr


async def pass_email(user: FakeUser, runtime: Runtime) -> str:
    """Onboard, pass the email module, ask for the certificate: its code, from the caption."""
    await onboard(user)
    email = lesson_of(runtime.catalog, "email")
    await start_quiz(user, email, "Thư điện tử")
    await answer_quiz(user, email)
    await user.press("Nhận giấy chứng nhận")
    picture = user.last()
    assert picture.kind == "photo"
    found = CODE.search(picture.text)
    assert found, picture.text
    return found.group()


def changed(code: str) -> str:
    """The same code with one character replaced by another of the alphabet."""
    first = code[0]
    return ALPHABET[(ALPHABET.index(first) + 1) % len(ALPHABET)] + code[1:]


async def test_a_passed_module_verifies_in_the_bot_the_command_line_and_the_page(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, page: WebServer, settings: Settings
) -> None:
    holder = make_user(1001, "Lan Hường")
    code = await pass_email(holder, runtime)
    assert await count(runtime, IssuedCertificate) == 1

    stranger = make_user(5005, "Khách")  # never opened the bot: nothing about them is stored
    await stranger.send(f"/verify {code}")
    answer = stranger.last().text
    assert "là thật" in answer and "Thư điện tử" in answer and ISSUER in answer and "L** H****" in answer
    assert "Hường" not in answer

    status, verdict, printed = cli(settings, "verify", code, "--json")
    assert status == 0, printed
    assert verdict == {
        "valid": True,
        "revoked": False,
        "found": True,
        "code": code,
        "module": "email",
        "title": "Thư điện tử (email)",
        "score": 100,
        "issued": verdict["issued"],  # type: ignore[index]
        "holder": "L** H****",
        "revoked_on": None,
    }

    http_status, html = await fetch(page, code)
    assert http_status == 200
    assert "là thật" in html and "genuine" in html and "Thư điện tử" in html and ISSUER in html
    assert "L** H****" in html and "Hường" not in html
    assert html.index('lang="vi"') < html.index('lang="en"')  # Vietnamese first, English below

    # Typed loosely: lower case, no dash, O for 0 and I/L for 1 still find it.
    loose = code.replace("-", "").lower().replace("0", "o").replace("1", "l")
    await stranger.send(f"/verify {loose}")
    assert "là thật" in stranger.last().text
    assert cli(settings, "verify", loose)[0] == 0
    assert "là thật" in (await fetch(page, loose))[1]

    # One character changed: not found, everywhere.
    other = changed(code)
    await stranger.send(f"/verify {other}")
    assert "Không tìm thấy" in stranger.last().text
    status, verdict, _ = cli(settings, "verify", other, "--json")
    assert status == 1 and verdict is not None and verdict["found"] is False  # type: ignore[call-overload]
    assert "Không tìm thấy" in (await fetch(page, other))[1]


async def test_asking_again_gives_the_same_certificate(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi
) -> None:
    user = make_user(1002, "Bình")
    code = await pass_email(user, runtime)
    await user.send("/progress")
    await user.press("Giấy chứng nhận: Thư điện tử")
    assert CODE.search(user.last().text).group() == code  # type: ignore[union-attr]
    assert await count(runtime, IssuedCertificate) == 1


async def test_a_revoked_certificate_says_revoked_in_all_three_and_the_audit_log_records_it(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, page: WebServer, settings: Settings
) -> None:
    code = await pass_email(make_user(1003, "Lan"), runtime)
    status, _, printed = cli(settings, "revoke", code, "--reason", "cấp nhầm")
    assert status == 0 and "revoked" in printed

    checker = make_user(5006, "Khách")
    await checker.send(f"/verify {code}")
    assert "thu hồi" in checker.last().text and "là thật" not in checker.last().text
    status, verdict, _ = cli(settings, "verify", code, "--json")
    assert status == 1 and verdict is not None
    assert verdict["revoked"] is True and verdict["valid"] is False  # type: ignore[call-overload]
    http_status, html = await fetch(page, code)
    assert http_status == 200 and "thu hồi" in html and "revoked" in html and "là thật" not in html

    async with runtime.sessions() as session:
        entries = (await session.scalars(select(AuditLog).where(AuditLog.action == "certificate_revoke"))).all()
    assert [(e.actor, e.detail["code"], e.detail["reason"]) for e in entries] == [("cli", code, "cấp nhầm")]
    listed = cli(settings, "list", "--json")
    assert listed[0] == 0 and listed[1] is not None
    assert [(row["code"], row["revoked"]) for row in listed[1]] == [(code, True)]  # type: ignore[index, union-attr]


async def test_an_admin_revokes_and_lists_in_the_chat_and_a_resident_may_not(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi
) -> None:
    from tests.support.settings import ADMIN_ID

    code = await pass_email(make_user(1004, "Lan"), runtime)
    resident = make_user(1005, "Bình")
    await resident.send(f"/certificates revoke {code} thử")
    assert "quản trị" in resident.last().text
    admin = make_user(ADMIN_ID, "Quản trị")
    await admin.send("/certificates")
    assert code in admin.last().text and "Thư điện tử" in admin.last().text
    await admin.send(f"/certificates revoke {code.lower()} cấp nhầm")
    assert "Đã thu hồi" in admin.last().text
    await admin.send(f"/verify {code}")
    assert "thu hồi" in admin.last().text
    async with runtime.sessions() as session:
        entry = await session.scalar(select(AuditLog).where(AuditLog.action == "certificate_revoke"))
    assert entry is not None and entry.actor == f"telegram:{ADMIN_ID}"


async def test_deleteme_makes_the_code_not_found(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, page: WebServer, settings: Settings
) -> None:
    user = make_user(1006, "Lan")
    code = await pass_email(user, runtime)
    await user.send("/deleteme")
    await user.press("Có, xoá hết")
    assert await count(runtime, IssuedCertificate) == 0
    await user.send(f"/verify {code}")
    assert "Không tìm thấy" in user.last().text
    assert cli(settings, "verify", code)[0] == 1
    assert "Không tìm thấy" in (await fetch(page, code))[1]


class Shape(HTMLParser):
    """What a parser sees: the tags in order, the row labels, the texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.meta: list[dict[str, str | None]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "meta":
            self.meta.append(dict(attrs))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append(data.strip())


async def test_the_page_has_the_same_shape_for_every_code_and_never_the_full_name(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi, page: WebServer
) -> None:
    code = await pass_email(make_user(1007, "Nguyễn Thị Hường"), runtime)
    shapes = {}
    for typed in (code, changed(code), "not-a-code", "<img src=x onerror=alert(1)>"):
        status, html = await fetch(page, typed)
        assert status == 200
        parsed = Shape()
        parsed.feed(html)
        shapes[typed] = parsed
        assert "<img" not in html and "<script" not in html
        assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in parsed.meta
        assert "Hường" not in html and "Nguyễn" not in html
    assert len({tuple(shape.tags) for shape in shapes.values()}) == 1  # unknown codes look the same
    assert "N***** T** H****" in shapes[code].texts


async def test_requests_per_client_are_limited(runtime: Runtime, settings: Settings) -> None:
    limited = make_settings(settings.database_url, public_base_url=BASE_URL, verify_rate_per_minute=3)
    server = WebServer(runtime, "127.0.0.1", 0)
    VerifyPage(Certificates(runtime.sessions, runtime.catalog, limited)).install(server)
    await server.start()
    try:
        statuses = [(await fetch(server, "ABCDE-12345"))[0] for _ in range(4)]
    finally:
        await server.stop()
    assert statuses == [200, 200, 200, 429]


def test_the_rate_limit_slides_with_time() -> None:
    limit = RateLimit(2)
    assert limit.allow("a", 0.0) and limit.allow("a", 1.0) and not limit.allow("a", 2.0)
    assert limit.allow("b", 2.0)  # per client
    assert limit.allow("a", 60.5)  # the first hit left the window


def test_the_qr_on_the_certificate_decodes_to_the_page_address() -> None:
    url = f"{BASE_URL}/v/ABCDE-12345"
    certificate = Certificate("vi", "Lan", "Thư điện tử (email)", 90, "30/11/2026", "ABCDE-12345", ISSUER, url)
    picture = render_certificate(certificate)
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(picture)))
    assert [(result.format, result.text) for result in found] == [(zxingcpp.BarcodeFormat.QRCode, url)]


def test_the_qr_matrix_is_segnos_own() -> None:
    import segno

    url = f"{BASE_URL}/v/ABCDE-12345"
    expected = [[int(bool(cell)) for cell in row] for row in segno.make(url, error="m").matrix_iter(border=4)]
    assert qr_matrix(url) == expected


def test_no_qr_without_a_public_address_but_the_code_and_the_way_to_check() -> None:
    picture = render_certificate(Certificate("vi", "Lan", "Email", 90, "30/11/2026", "ABCDE-12345", None, None))
    assert zxingcpp.read_barcodes(Image.open(io.BytesIO(picture))) == []


def test_typed_codes_are_read_leniently_but_never_loosely() -> None:
    code = new_code()
    assert len(code) == 10 and set(code) <= set(ALPHABET)
    assert normalise_code(shown(code)) == code
    assert normalise_code(code.lower()) == code
    assert normalise_code(" abcde 12345 ") == "ABCDE12345"
    assert normalise_code("OIL0O-ILIL1") == "01100" + "11111"
    assert normalise_code("ABCDE-1234") is None  # one short
    assert normalise_code("ABCDE-12345X") is None  # one long
    assert normalise_code("ABCDU-12345") is None  # U is not in Crockford's alphabet
    assert normalise_code("ABCDÉ-12345") is None


def test_names_are_masked_letter_by_letter() -> None:
    assert mask_name("Lan Hường") == "L** H****"
    assert mask_name("Nguyễn Thị Hường") == "N***** T** H****"
    assert mask_name(None) == "—"


async def test_verify_is_a_command_of_the_journey_for_every_channel(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi
) -> None:
    """Zalo and the terminal reach /verify through the engine: for a stranger and for a resident alike."""
    from bot.messages import Event, EventKind, UserKey
    from bot.storage.vocabulary import Channel

    code = await pass_email(make_user(1008, "Lan Hường"), runtime)
    stranger = UserKey(Channel.ZALO, 1, 424242, 424242)
    said = await runtime.engine.handle(Event(stranger, EventKind.COMMAND, "verify", argument=code.lower()))
    assert "là thật" in said.replies[0].text and "L** H****" in said.replies[0].text
    assert await count(runtime, Resident) == 1  # the stranger was not stored
    other = await runtime.engine.handle(Event(stranger, EventKind.COMMAND, "verify", argument=changed(code)))
    assert "Không tìm thấy" in other.replies[0].text
    usage = await runtime.engine.handle(Event(stranger, EventKind.COMMAND, "verify"))
    assert "/verify" in usage.replies[0].text


def test_the_passport_qr_decodes_to_the_page_address_too() -> None:
    from bot.reports.certificates import Passport, render_passport

    url = f"{BASE_URL}/v/7KQ3M-X9P2D"
    modules = [("Thư điện tử (email)", 100), ("Dùng Internet an toàn", 86)]
    competences = ["DigComp 1.1 · Duyệt, tìm kiếm"]
    passport = Passport("vi", "Lan", modules, competences, 93, "30/11/2026", "7KQ3M-X9P2D", ISSUER, url)
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(render_passport(passport))))
    assert [result.text for result in found] == [url]
