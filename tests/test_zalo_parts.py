"""The Zalo channel's small parts: ids, the webhook signature, Zalo's message limits, typed words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import actions
from bot.channels.zalo import signature
from bot.channels.zalo.compose import BUTTONS_MAX, TEXT_MAX, TITLE_MAX, compose, split_text
from bot.channels.zalo.ids import NotAZaloId, to_key, to_zalo_id
from bot.channels.zalo.words import command_of, number_of
from bot.learning.actions import OpenModule, ShowMenu
from bot.messages import Button, Reply


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_every_zalo_id_below_2_to_the_64_fits_a_bigint_and_comes_back(number: int) -> None:
    key = to_key(str(number))
    assert -(2**63) <= key < 2**63
    assert to_zalo_id(key) == str(number)


@pytest.mark.parametrize("text", ["", "abc", "-5", "12 3", str(2**64), "１２３", "1" * 21])
def test_what_is_not_a_zalo_id_is_refused(text: str) -> None:
    with pytest.raises(NotAZaloId):
        to_key(text)


def test_the_signature_is_sha256_of_app_id_body_timestamp_and_oa_key_with_or_without_mac() -> None:
    body = b'{"event_name":"user_send_text"}'
    header = signature.header_for("app", body, "1700", "key")
    assert header.startswith("mac=")
    assert signature.verify(header, "app", body, "1700", "key")
    assert signature.verify(header.removeprefix("mac="), "app", body, "1700", "key")
    assert signature.verify(header.upper().replace("MAC=", "mac="), "app", body, "1700", "key")
    assert not signature.verify(header, "app", body + b" ", "1700", "key")
    assert not signature.verify(header, "app", body, "1701", "key")
    assert not signature.verify(header, "app", body, "1700", "other key")
    assert not signature.verify(None, "app", body, "1700", "key")
    assert not signature.verify("mac=", "app", body, "1700", "key")


def test_long_text_is_split_within_2000_characters_at_a_break_and_nothing_is_lost() -> None:
    paragraph = "Bà con nhớ giữ mật khẩu cẩn thận. " * 30
    text = "\n\n".join([paragraph] * 5)
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(len(piece) <= TEXT_MAX for piece in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert all(len(piece) <= TEXT_MAX for piece in split_text("x" * 4500))  # no break at all: hard cut


@given(st.text(min_size=0, max_size=6000))
def test_any_text_splits_into_pieces_zalo_accepts(text: str) -> None:
    assert all(len(piece) <= TEXT_MAX for piece in split_text(text))


def test_buttons_go_with_the_last_piece_at_most_five_a_message_numbered_when_paged() -> None:
    buttons = tuple((Button("📘 " + "Một bài học rất dài " * 8, OpenModule(f"m{i}")),) for i in range(8))
    composed = compose(Reply("Chọn một bài học " * 200, buttons))
    assert all(len(m.get("text", "")) <= TEXT_MAX for m in composed.messages)
    pages = [m["attachment"]["payload"]["buttons"] for m in composed.messages if "attachment" in m]
    assert [len(page) for page in pages] == [BUTTONS_MAX, 3]
    titles = [button["title"] for page in pages for button in page]
    assert all(len(title) <= TITLE_MAX for title in titles)
    assert [title.split(". ")[0] for title in titles] == [str(n) for n in range(1, 9)]
    payloads = [button["payload"] for page in pages for button in page]
    assert [actions.decode(payload) for payload in payloads] == [OpenModule(f"m{i}") for i in range(8)]
    assert all(actions.looks_like_action(payload) for payload in payloads)
    assert [b.action for b in composed.buttons] == [OpenModule(f"m{i}") for i in range(8)]


def test_a_few_buttons_are_not_numbered_and_a_telegram_file_id_is_not_sent_as_a_picture() -> None:
    composed = compose(Reply("Menu", ((Button("📚 Bài học", ShowMenu()),),), media="AgACAgIAAxkBAAI"))
    assert len(composed.messages) == 1
    assert composed.messages[0]["attachment"]["payload"]["buttons"][0]["title"] == "📚 Bài học"
    with_url = compose(Reply("Ảnh", (), media="https://example.org/a.jpg"))
    assert with_url.messages[0]["attachment"]["payload"]["elements"][0]["url"] == "https://example.org/a.jpg"


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("menu", "menu"),
        ("Menu ", "menu"),
        ("tiến độ", "progress"),
        ("Tien do!", "progress"),
        ("XÓA DỮ LIỆU", "deleteme"),
        ("xoá dữ liệu", "deleteme"),
        ("dữ liệu", "mydata"),
        ("trợ giúp", "help"),
        ("ngôn ngữ", "language"),
        ("/start", "start"),
        ("/progress@oa", "progress"),
        ("bắt đầu", "start"),
        ("hôm nay trời đẹp", None),
        ("1|menu", None),
    ],
)
def test_typed_words_stand_for_commands(typed: str, command: str | None) -> None:
    found = command_of(typed)
    assert (found[0] if found else None) == command


def test_a_typed_command_keeps_what_follows_it() -> None:
    assert command_of("/reminders off") == ("reminders", "off")
    assert command_of("/Verify ABCDE-12345") == ("verify", "ABCDE-12345")
    assert command_of("tiến độ") == ("progress", "")


def test_typed_numbers() -> None:
    assert number_of("3") == 3 and number_of(" 10. ") == 10
    assert number_of("0") is None and number_of("123") is None and number_of("ba") is None
