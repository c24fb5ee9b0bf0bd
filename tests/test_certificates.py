"""Completion certificates: offered after a pass and in /progress, drawn after the transaction, refused
for a module not completed, and readable in the terminal chat too."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from pathlib import Path

from matplotlib.image import imread

from bot import actions
from bot.channels.console import render
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser
from bot.learning.consent_notice import notice_version
from bot.messages import Event, EventKind
from bot.reports.certificates import Certificate, printable_name, render_certificate
from bot.runtime import Runtime
from tests.support.journey import answer_quiz, lesson_of, onboard, start_quiz

PNG = b"\x89PNG\r\n\x1a\n"


async def test_a_resident_who_passes_gets_a_certificate_with_their_name(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi
) -> None:
    user = make_user(1001, "Hường")
    await onboard(user)
    email = lesson_of(runtime.catalog, "email")
    await start_quiz(user, email, "Thư điện tử")
    await answer_quiz(user, email)
    result = user.last()
    assert "hoàn thành" in result.text and any("Nhận giấy chứng nhận" in label for label, _ in result.buttons())

    await user.press("Nhận giấy chứng nhận")
    picture = user.last()
    assert picture.kind == "photo" and picture.file_name == "chung-nhan.png"
    assert picture.file_bytes is not None and picture.file_bytes.startswith(PNG)
    height, width, _ = imread(io.BytesIO(picture.file_bytes)).shape
    assert width > height > 600  # landscape, big enough to print
    assert "Thư điện tử" in picture.text  # the caption names the module
    assert user.messages()[-2].text == result.text  # the result screen stays as it was

    await user.send("/progress")
    assert any("Giấy chứng nhận: Thư điện tử" in label for label, _ in user.last().buttons())


async def test_no_certificate_for_a_module_not_completed(
    make_user: Callable[..., FakeUser], runtime: Runtime, api: FakeBotApi
) -> None:
    user = make_user(1002, "Bình")
    await onboard(user)
    menu = user.last()
    await user.press_data(menu, "1|cert:email")  # forged: email was never even opened
    assert not [m for m in user.messages() if m.kind == "photo"]
    assert "cũ" in (api.calls_of("answerCallbackQuery")[-1].params.get("text") or "")


def test_emoji_in_a_name_are_left_out_rather_than_drawn_as_boxes() -> None:
    assert printable_name("🌸 Hoa 🌸") == "Hoa"
    assert printable_name("Nguyễn Văn A.") == "Nguyễn Văn A."
    assert printable_name("🔥🔥") is None  # the certificate then says "Học viên"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would be a warning
        render_certificate(Certificate("vi", "Mai 💐✨", "Email", 100, "27/11/2026"))


def test_the_certificate_draws_every_vietnamese_letter() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font" otherwise
        picture = render_certificate(
            Certificate("vi", "Nguyễn Thị Hường", "An toàn thông tin cá nhân", 88, "27/11/2026")
        )
    assert picture.startswith(PNG)


async def test_the_terminal_chat_saves_the_certificate(runtime: Runtime, tmp_path: Path) -> None:
    from bot.channels.console import CONSOLE_KEY

    async def tap(packed: str) -> str:
        """Press a button by its packed action, as the terminal does when a number is typed."""
        out = io.StringIO()
        data = f"{actions.VERSION}{actions.ENVELOPE}{packed}"
        render(await runtime.engine.handle(Event(CONSOLE_KEY, EventKind.ACTION, data, "Console")), out, tmp_path)
        return out.getvalue()

    await runtime.engine.handle(Event(CONSOLE_KEY, EventKind.COMMAND, "start"))
    await tap("lang:vi")
    await tap(f"ok:vi:{notice_version('vi')}")
    await tap("com:nghia-ta")
    email = lesson_of(runtime.catalog, "email")
    await tap("open:email")
    for step in range(len(email.steps) - 1):
        await tap(f"next:email:{step}")
    await tap("quiz:email")
    for index, question in enumerate(email.quiz.questions):
        await tap(f"ans:email:{index}:1:{question.answer}")
        await tap(f"nq:email:{index}:1")
    printed = await tap("cert:email")
    saved = tmp_path / "chung-nhan.png"
    assert f"[{saved}]" in printed
    assert saved.read_bytes().startswith(PNG)


def test_every_shipped_module_title_fits_the_font() -> None:
    from bot.content import load_catalog
    from tests.support.settings import LESSONS

    catalog, faults = load_catalog(LESSONS, "vi")
    assert not faults
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for language in ("vi", "en"):
            for lesson in catalog.modules(language):
                render_certificate(Certificate(language, "Lan", lesson.title, 90, "27/11/2026"))
