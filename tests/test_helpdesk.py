"""Help from a person, end to end through the real handlers, the fake Bot API and the real outbox
sender: a resident asks, only their commune's helpers hear of it, the first claim wins, a reply to the
question message reaches the resident, the resident's follow-ups reach the helper, closing and rating;
forged claims and replies relay nothing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import actions
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser
from bot.helpdesk.actions import ClaimQuestion, CloseQuestion
from bot.runtime import Runtime
from bot.storage.db import create_engine, session_factory
from bot.storage.models import AuditLog, DirectMessage, FsmState, HelpMessage, HelpQuestion
from bot.storage.roles import Actor, actor_for
from bot.storage.vocabulary import HelpStatus
from tests.support.cli import run_cli
from tests.support.helpdesk import alerts, delivered, find, give, question, reply_to, sending, texts
from tests.support.journey import onboard
from tests.support.settings import ADMIN_ID

RESIDENT, HELPER, HELPER_2, HELPER_ELSEWHERE, OFFICER = 1001, 2001, 2002, 2003, 2004


async def team(runtime: Runtime, make_user: Callable[..., FakeUser]) -> dict[str, FakeUser]:
    """Two helpers and an officer in Nghĩa Tá, a helper in example-a; everyone has opened the bot."""
    people = {
        "an": make_user(RESIDENT, "An"),
        "hanh": make_user(HELPER, "Hạnh"),
        "binh": make_user(HELPER_2, "Bình"),
        "cuong": make_user(HELPER_ELSEWHERE, "Cường"),
        "dung": make_user(OFFICER, "Dũng"),
    }
    for user in people.values():
        await onboard(user)
    await give(runtime, "helper", HELPER, "nghia-ta")
    await give(runtime, "helper", HELPER_2, "nghia-ta")
    await give(runtime, "helper", HELPER_ELSEWHERE, "example-a")
    await give(runtime, "officer", OFFICER, "nghia-ta")
    return people


async def test_a_question_reaches_only_the_helpers_of_the_residents_commune(
    runtime: Runtime, api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    people = await team(runtime, make_user)
    an = people["an"]
    await an.press("Thư điện tử")
    await an.press("Tiếp tục")
    await an.press("🙋 Hỏi người hướng dẫn")
    intro = an.last().text
    # The disclosure names everything the helper will see, and says nothing else is shared.
    assert "(An)" in intro and "Xã Nghĩa Tá" in intro and "bước 2/" in intro
    assert "không thấy số điện thoại" in intro

    await an.send("Làm sao gửi kèm ảnh vào thư ạ?")
    sent, screen = an.messages()[-2:]
    assert sent.text.startswith("✅ Trợ lý đã gửi câu hỏi")
    assert "Bước 2/" in screen.text  # back where they were
    async with runtime.sessions() as session:
        assert await session.scalar(select(FsmState.state).where(FsmState.user_id == RESIDENT)) == "Lesson:step"

    async with sending(runtime, api) as sender:
        await delivered(runtime, sender)
    for name in ("hanh", "binh"):
        notice = find(people[name], "🙋 Câu hỏi #1")
        assert "An (Xã Nghĩa Tá)" in notice.text and "Làm sao gửi kèm ảnh vào thư ạ?" in notice.text
        assert "bước 2/" in notice.text
        assert str(RESIDENT) not in notice.text  # never the resident's account
        assert [label for label, _ in notice.buttons()] == ["✋ Nhận", "✅ Đã xong"]
    assert not any(text.startswith("🙋 Câu hỏi") for text in texts(people["cuong"]))  # another commune
    assert not any(text.startswith("🙋 Câu hỏi") for text in texts(people["dung"]))  # helpers first
    found = await question(runtime)
    assert found.level == 0 and found.status == HelpStatus.OPEN and found.commune_id == "nghia-ta"


async def test_claim_reply_follow_up_close_and_rate(
    runtime: Runtime, api: FakeBotApi, make_user: Callable[..., FakeUser], deliver: Callable[..., object]
) -> None:
    people = await team(runtime, make_user)
    an, hanh, binh = people["an"], people["hanh"], people["binh"]
    await an.send("/ask")
    await an.send("Con tôi gửi mã OTP, có nên đọc cho người gọi không?")
    async with sending(runtime, api) as sender:
        await delivered(runtime, sender)
        await hanh.press("✋ Nhận")
        assert hanh.last().text.startswith("✋ Bạn đã nhận câu hỏi #1")
        await delivered(runtime, sender)
        assert binh.last().text == "ℹ️ Câu hỏi #1 đã có Hạnh nhận."  # the others see who took it
        await binh.press("✋ Nhận")
        assert "đã có Hạnh nhận rồi" in alerts(api)[-1]  # the first claim won

        # Hạnh answers by replying to the question message; the same update twice relays once.
        notice = find(hanh, "🙋 Câu hỏi #1")
        update = api.message_update(hanh.user, None, extra=reply_to(api, notice, text="Không đọc cho ai cả nhé!"))
        await deliver(update)
        await deliver(update)
        assert hanh.last().text == "📨 Đã chuyển cho bà con (câu hỏi #1)."
        await delivered(runtime, sender)
        answers = [text for text in texts(an) if text.startswith("💬")]
        assert answers == ["💬 Hạnh (tổ công nghệ số) trả lời:\nKhông đọc cho ai cả nhé!"]
        assert str(HELPER) not in answers[0]

        # While the question is open, what An writes goes to Hạnh (only), not to the "use the buttons" hint.
        await an.send("Vâng, còn nếu họ gọi lại thì sao?")
        assert an.last().text.startswith("✅ Trợ lý đã gửi thêm")
        await an.send_extra({"voice": {"file_id": "voice-of-an", "file_unique_id": "v", "duration": 3}})
        await delivered(runtime, sender)
        follow_up = find(hanh, "💬 An (câu hỏi #1) nhắn thêm")
        assert follow_up.text.endswith("còn nếu họ gọi lại thì sao?")
        assert hanh.last().kind == "voice" and hanh.last().media == "voice-of-an"
        assert not any(text.startswith("💬 An") for text in texts(binh))

        # A photo in reply to the follow-up reaches An as a photo (a copy, never a forward).
        await hanh.send_extra(
            reply_to(
                api,
                follow_up,
                photo=[{"file_id": "screen-1", "file_unique_id": "s", "width": 1, "height": 1}],
                caption="Bấm chặn số như hình",
            )
        )
        await delivered(runtime, sender)
        assert an.last().kind == "photo" and an.last().media == "screen-1"
        assert "Bấm chặn số như hình" in an.last().text
        assert not api.calls_of("forwardMessage")

        await hanh.press("✅ Đã xong")
        assert hanh.last().text == "✅ Câu hỏi #1 đã xong. Cảm ơn bạn!"
        await delivered(runtime, sender)
        assert an.last().text.startswith("✅ Người hướng dẫn đã đánh dấu")
        await an.press("👍")
        assert an.last().text.startswith("Cảm ơn bà con")
        await delivered(runtime, sender)
        assert hanh.last().text == "Bà con đã đánh giá câu hỏi #1: 👍"

    # Closed: An's words are no longer relayed, they get the usual hint.
    await an.send("xin chào")
    assert "chưa hiểu" in an.messages()[-2].text
    found = await question(runtime)
    assert found.status == HelpStatus.CLOSED and found.rating == "up"
    assert found.answered_at is not None and found.claimed_by_name == "Hạnh"
    async with runtime.sessions() as session:
        stored = list(await session.scalars(select(HelpMessage.text).order_by(HelpMessage.id)))
        audit = list(await session.execute(select(AuditLog.action, AuditLog.detail).order_by(AuditLog.id)))
    assert len(stored) == 5  # question, answer, follow-up, voice, photo: each once
    help_audit = [(action, detail) for action, detail in audit if action.startswith("help")]
    # Claims and closes are audited by number and commune, never with the words.
    assert help_audit == [
        ("help_claim", {"question": 1, "commune": "nghia-ta"}),
        ("help_close", {"question": 1, "commune": "nghia-ta"}),
    ]


async def test_forged_claims_and_replies_relay_nothing_and_say_so(
    runtime: Runtime, api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    people = await team(runtime, make_user)
    an, hanh, cuong = people["an"], people["hanh"], people["cuong"]
    mallory = make_user(3001, "Mallory")
    await onboard(mallory)
    await an.send("/ask")
    await an.send("Mạng chậm quá, làm sao?")
    async with sending(runtime, api) as sender:
        await delivered(runtime, sender)
        for person in (mallory, cuong):  # a resident, and a helper of another commune
            for forged in (ClaimQuestion(1), CloseQuestion(1)):
                await person.press_data(person.last(), actions.encode(forged))
                assert "không thuộc xã bạn phụ trách" in alerts(api)[-1]
        found = await question(runtime)
        assert found.claimed_by is None and found.status == HelpStatus.OPEN

        # Hạnh moves to another commune: her old copy of the question no longer lets her answer.
        await give(runtime, "helper", HELPER, "example-a")
        notice = find(hanh, "🙋 Câu hỏi #1")
        await hanh.send_extra(reply_to(api, notice, text="Tắt bật lại wifi"))
        assert "không thuộc xã bạn phụ trách" in hanh.last().text
        # A resident replying to a message of the bot is just writing to the bot.
        await mallory.send_extra(reply_to(api, mallory.last(), text="Tắt bật lại wifi"))
        assert "chưa hiểu" in mallory.messages()[-2].text
        await delivered(runtime, sender)
    assert not any(text.startswith("💬") for text in texts(an))
    async with runtime.sessions() as session:
        assert list(await session.scalars(select(HelpMessage.from_resident))) == [True]
    assert (await question(runtime)).claimed_by is None


async def test_one_open_question_at_a_time_and_the_offer_after_two_misunderstandings(
    runtime: Runtime, api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    people = await team(runtime, make_user)
    an = people["an"]
    await an.send("alo alo")
    assert "chưa hiểu" in an.messages()[-2].text
    await an.send("ai đó giúp với")
    assert an.last().text.startswith("Trợ lý vẫn chưa hiểu ý bà con")
    await an.press("🙋 Hỏi người hướng dẫn")
    await an.send_extra(
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "width": 1,
                "height": 1,
                "type": "regular",
                "is_animated": False,
                "is_video": False,
            }
        }
    )
    assert an.last().text.startswith("Bà con gõ câu hỏi bằng chữ")
    await an.send_extra(
        {"photo": [{"file_id": "screen-of-an", "file_unique_id": "p", "width": 1, "height": 1}], "caption": "Lỗi này"}
    )
    assert an.messages()[-2].text.startswith("✅ Trợ lý đã gửi câu hỏi")
    await an.send("/ask")
    assert an.last().text.startswith("🙋 Bà con đang có một câu hỏi chờ trả lời")
    await an.send("Máy báo lỗi khi mở Zalo")
    assert an.messages()[-2].text.startswith("✅ Trợ lý đã gửi thêm")
    async with sending(runtime, api) as sender:
        await delivered(runtime, sender)
    hanh = people["hanh"]
    notice = find(hanh, "🙋 Câu hỏi #1")
    assert notice.kind == "photo" and notice.media == "screen-of-an" and "Lỗi này" in notice.text
    assert find(hanh, "💬 An (câu hỏi #1) nhắn thêm").text.endswith("Máy báo lỗi khi mở Zalo")
    async with runtime.sessions() as session:
        assert list(await session.scalars(select(HelpMessage.question_id))) == [1, 1]


async def test_helpers_list_the_questions_waiting(
    runtime: Runtime, api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    people = await team(runtime, make_user)
    await people["hanh"].send("/questions")
    assert people["hanh"].last().text.startswith("Không có câu hỏi nào đang chờ")
    await people["an"].send("/ask")
    await people["an"].send("Cho tôi hỏi về VNeID")
    await people["hanh"].send("/questions")
    assert people["hanh"].last().text == "🙋 Câu hỏi đang chờ:\n#1 · Xã Nghĩa Tá · chưa ai nhận"
    await people["cuong"].send("/questions")
    assert people["cuong"].last().text.startswith("Không có câu hỏi nào")  # another commune's
    admin = make_user(ADMIN_ID, "Admin")
    await admin.send("/questions")
    assert "#1 · Xã Nghĩa Tá" in admin.last().text
    await people["an"].send("/questions")
    assert "không thuộc xã bạn phụ trách" in people["an"].last().text


async def test_mydata_shows_the_questions_and_deleteme_erases_them_with_every_copy(
    runtime: Runtime, api: FakeBotApi, make_user: Callable[..., FakeUser], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # as deployed (LOG_LEVEL=INFO), libraries included
    caplog.set_level(logging.DEBUG, logger="bot")  # and everything the bot itself says
    people = await team(runtime, make_user)
    an, hanh = people["an"], people["hanh"]
    await an.send("/ask")
    await an.send("Bí mật nhà tôi: mật khẩu là hoa-sen-42")
    async with sending(runtime, api) as sender:
        await delivered(runtime, sender)
        notice = find(hanh, "🙋 Câu hỏi #1")
        await hanh.send_extra(reply_to(api, notice, text="Đổi ngay mật khẩu hoa-sen-42 nhé"))
        await delivered(runtime, sender)
        await an.send("Dạ, mật khẩu mới là sen-hong-7")  # queued for Hạnh: erased before it is even sent
        await sender.stop()
    await an.send("/mydata")
    mine = an.last().text
    assert "• Câu hỏi đã gửi người hướng dẫn: 1" in mine and "Bí mật nhà tôi" in mine and "(đang chờ)" in mine

    await an.send("/deleteme")
    await an.press("Có, xoá hết")
    async with runtime.sessions() as session:
        assert list(await session.scalars(select(HelpQuestion.id))) == []
        assert list(await session.scalars(select(HelpMessage.id))) == []
        payloads = [str(payload) for payload in await session.scalars(select(DirectMessage.payload))]
        audit = list(await session.scalars(select(AuditLog.action)))
    assert not any("hoa-sen" in payload or "sen-hong" in payload for payload in payloads)
    assert "help_claim" in audit  # what helpers did stays accountable, without anyone's words
    # Question texts and answers never reached the logs.
    assert "hoa-sen" not in caplog.text and "sen-hong" not in caplog.text
    assert any("help question 1 asked" in record.getMessage() for record in caplog.records)


def test_a_commune_sets_up_its_team_from_the_command_line(tmp_path: Path) -> None:
    """The README's commands, as an office would type them: a helper of commune A (Nghĩa Tá) and an
    officer of commune B (example-b), among others."""
    url = f"sqlite:///{tmp_path}/team.sqlite3"
    commands = [
        ("grant", "helper", "111111111", "--commune", "nghia-ta"),
        ("grant", "helper", "222222222", "--commune", "nghia-ta"),
        ("grant", "officer", "333333333", "--commune", "example-b"),
        ("grant", "helper", "444444444", "--commune", "nghia-ta", "--commune", "example-a"),
        ("revoke", "helper", "222222222"),
    ]
    for command in commands:
        result = run_cli(*command, env={"DATABASE_URL": url})
        assert result.returncode == 0, result.stderr
    assert run_cli("grant", "helper", "555", env={"DATABASE_URL": url}).returncode == 1  # no commune named

    async def roles() -> dict[int, Actor]:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                return {i: await actor_for(session, [], i) for i in (111111111, 222222222, 333333333, 444444444)}
        finally:
            await engine.dispose()

    found = asyncio.run(roles())
    assert found[111111111].is_helper and found[111111111].communes == frozenset({"nghia-ta"})
    assert found[333333333].is_officer and found[333333333].communes == frozenset({"example-b"})
    assert found[444444444].communes == frozenset({"nghia-ta", "example-a"})
    assert found[222222222].role == "resident"  # left the team
    assert found[111111111].may_answer("nghia-ta") and not found[111111111].may_answer("example-b")
    assert found[333333333].may_answer("example-b") and not found[333333333].may_answer("nghia-ta")
