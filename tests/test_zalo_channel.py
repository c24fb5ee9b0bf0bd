"""The Zalo channel end to end: signed events into the real web server and engine, messages out to a
fake Zalo API on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import select

from bot.channels.zalo import inbox
from bot.channels.zalo.testing.fake_zalo_api import APP_SECRET, OA_SECRET_KEY, FakeZaloApi
from bot.channels.zalo.testing.residents import event, signed
from bot.runtime import open_runtime
from bot.storage.models import ModuleProgress, Resident, ZaloEvent, ZaloToken
from bot.storage.vocabulary import Channel, ModuleStatus
from tests.support.journey import count, lesson_of, option
from tests.support.zalo import ZaloBot, zalo_bot, zalo_settings


@pytest.fixture
async def zalo_api() -> AsyncIterator[FakeZaloApi]:
    api = FakeZaloApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def bot(database_url: str, zalo_api: FakeZaloApi) -> AsyncIterator[ZaloBot]:
    async with zalo_bot(zalo_settings(database_url, zalo_api), zalo_api) as running:
        yield running


async def test_a_badly_signed_event_is_refused_and_changes_nothing(bot: ZaloBot) -> None:
    body = event("1876543210987654321", text="menu")
    raw, headers = signed(body, secret="not-the-oa-secret-key")
    async with aiohttp.ClientSession() as client:
        async with client.post(bot.webhook_url, data=raw, headers=headers) as response:
            assert response.status == 401
        async with client.post(bot.webhook_url, data=raw, headers={"Content-Type": "application/json"}) as response:
            assert response.status == 401  # no signature at all
        tampered = raw.replace(b"menu", b"xoa!")
        _, good = signed(body)
        async with client.post(bot.webhook_url, data=tampered, headers=good) as response:
            assert response.status == 401  # signed for another body
    await bot.channel.idle()
    assert bot.api.sent == [] and bot.api.calls == 0
    assert await count(bot.runtime, ZaloEvent) == 0
    assert await count(bot.runtime, Resident) == 0


async def test_the_signature_header_is_accepted_without_its_mac_prefix(bot: ZaloBot) -> None:
    raw, headers = signed(event("1876543210987654321", text="xin chào"))
    headers["X-ZEvent-Signature"] = headers["X-ZEvent-Signature"].removeprefix("mac=")
    async with aiohttp.ClientSession() as client, client.post(bot.webhook_url, data=raw, headers=headers) as r:
        assert r.status == 200
    await bot.channel.idle()
    assert "tiếng nào" in bot.api.sent[0].text


async def test_the_webhook_answers_zalo_before_the_work_is_done(bot: ZaloBot) -> None:
    bot.api.gate = asyncio.Event()  # Zalo's API hangs: the reply cannot go out yet
    raw, headers = signed(event("1876543210987654321", text="xin chào"))
    async with aiohttp.ClientSession() as client, client.post(bot.webhook_url, data=raw, headers=headers) as r:
        assert r.status == 200  # answered while the reply is still waiting on Zalo
    assert bot.api.sent == [] and bot.channel.handled == 0
    bot.api.gate.set()
    await bot.channel.idle()
    assert len(bot.api.sent) == 1 and bot.channel.handled == 1


async def test_a_resident_walks_onboarding_a_module_its_quiz_and_progress_on_zalo(bot: ZaloBot) -> None:
    lan = bot.resident()
    bot.api.names[lan.user_id] = "Lò Thị Lan"
    assert await lan.send("Xin chào") == 200
    assert "tiếng nào" in lan.last().text
    await lan.press("Tiếng Việt")
    assert "đồng ý" in lan.last().text
    assert await count(bot.runtime, Resident) == 0  # nothing stored before consent
    await lan.press("✅")
    assert "xã nào" in lan.texts()
    await lan.press("Nghĩa Tá")
    assert "Chọn một bài học" in lan.texts()

    # The menu has more choices than Zalo's 5 buttons: numbered, paged, every one a tap away.
    modules = bot.runtime.catalog.modules("vi")
    sent = lan.messages()
    first = max(i for i, message in enumerate(sent) if "Chọn một bài học" in message.text)
    titles = [button["title"] for message in sent[first:] for button in message.buttons]
    assert len(titles) >= len(modules) > 5
    assert all(len(message.buttons) <= 5 for message in sent)
    assert [title.split(". ")[0] for title in titles] == [str(n) for n in range(1, len(titles) + 1)]

    email = lesson_of(bot.runtime.catalog, "email")
    await lan.press("Thư điện tử")
    assert f"Bước 1/{len(email.steps)}" in lan.last().text
    for _ in range(len(email.steps) - 1):
        await lan.press("Tiếp tục")
    assert f"Bước {len(email.steps)}/{len(email.steps)}" in lan.last().text
    await lan.press("Làm bài kiểm tra")
    assert "Câu 1/" in lan.last().text
    for index, question in enumerate(email.quiz.questions):
        await lan.press_where(option(question.answer))
        await lan.press("Xem kết quả" if index + 1 == len(email.quiz.questions) else "Câu tiếp theo")
    assert "hoàn thành" in lan.texts()

    await lan.send("tiến độ")  # a typed word: Zalo has no "/" commands
    assert "✅ Thư điện tử (email): hoàn thành" in lan.last().text
    async with bot.runtime.sessions() as session:
        resident = await session.scalar(select(Resident))
        assert resident is not None and resident.channel == Channel.ZALO
        assert resident.display_name == "Lò Thị Lan"  # asked from Zalo once, at consent
        progress = await session.scalar(select(ModuleProgress).where(ModuleProgress.module_id == "email"))
        assert progress is not None and progress.status == ModuleStatus.COMPLETED
        assert progress.best_score == 100
    assert all(status == 200 for status in lan.statuses)

    # The certificate: the picture is uploaded to Zalo and shown, its caption (and the menu button) follow.
    await lan.press("🎓")
    assert len(bot.api.uploads) == 1 and bot.api.uploads[0].startswith(b"\x89PNG")
    pictures = [m.message["attachment"]["payload"] for m in lan.messages() if "attachment" in m.message]
    shown = [payload["elements"][0] for payload in pictures if "elements" in payload]
    assert shown[-1]["attachment_id"] == "img-1"
    assert "Thư điện tử" in lan.last().text and lan.last().buttons  # the caption, with the way back


async def test_typed_words_and_numbers_stand_for_commands_and_buttons(bot: ZaloBot) -> None:
    an = bot.resident("2876543210987654321")
    await an.send("/start")
    await an.send("1")  # the first button: Tiếng Việt
    assert "đồng ý" in an.last().text
    await an.press("✅")
    await an.press("Nghĩa Tá")
    await an.send("trợ giúp")
    assert "tiến độ" in an.last().text and "gõ số" in an.last().text  # Zalo's own words are explained
    await an.send("MENU")
    assert any("Chọn một bài học" in sent.text for sent in an.messages()[-3:])
    await an.send("2")
    assert "Bước 1/" in an.last().text
    await an.send("cái này là gì vậy")
    assert "chưa hiểu" in an.texts()


async def test_a_retried_event_is_answered_once_also_after_a_restart(database_url: str, zalo_api: FakeZaloApi) -> None:
    settings = zalo_settings(database_url, zalo_api)
    hello = event("1876543210987654321", text="xin chào")
    async with zalo_bot(settings, zalo_api) as running:
        resident = running.resident()
        assert await resident.post(hello) == 200
        assert await resident.post(hello) == 200  # Zalo retries: answered 200, handled once
        assert len(zalo_api.sent) == 1
    async with zalo_bot(settings, zalo_api) as running:
        assert await running.resident().post(hello) == 200
        assert len(zalo_api.sent) == 1


async def test_an_event_received_just_before_a_stop_is_handled_at_the_next_start(
    database_url: str, zalo_api: FakeZaloApi
) -> None:
    settings = zalo_settings(database_url, zalo_api)
    runtime = await open_runtime(settings)
    hello = event("1876543210987654321", text="xin chào")
    assert await inbox.record(runtime.sessions, inbox.key_of(hello) or "", hello)  # recorded, never handled
    await runtime.close()
    async with zalo_bot(settings, zalo_api) as running:
        await running.channel.idle()
        assert len(zalo_api.sent) == 1 and "tiếng nào" in zalo_api.sent[0].text
        async with running.runtime.sessions() as session:
            row = await session.scalar(select(ZaloEvent))
            assert row is not None and row.handled_at is not None and row.payload is None  # what they typed is gone


async def test_unfollow_marks_the_resident_unreachable_and_follow_brings_them_back(bot: ZaloBot) -> None:
    lan = bot.resident()
    await lan.send("xin chào")
    await lan.press("Tiếng Việt")
    await lan.press("✅")
    await lan.post(event(lan.user_id, "unfollow"))
    async with bot.runtime.sessions() as session:
        resident = await session.scalar(select(Resident))
        assert resident is not None and resident.unreachable_reason == "unfollowed"
    await lan.post(event(lan.user_id, "follow", timestamp="1764460900000"))
    async with bot.runtime.sessions() as session:
        resident = await session.scalar(select(Resident))
        assert resident is not None and resident.unreachable_at is None
    await lan.post(event(lan.user_id, "user_send_sticker"))
    assert "nhãn dán" in lan.texts()


async def test_a_dead_access_token_is_refreshed_once_and_the_message_still_goes(
    bot: ZaloBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # what a deployment logs (a driver's DEBUG output shows SQL parameters)
    lan = bot.resident()
    await lan.send("xin chào")
    assert zalo_api_refreshes(bot) == ["refresh-0"]
    bot.api.kill_access_tokens()
    before = len(lan.messages())
    await lan.send("menu")
    assert len(lan.messages()) > before and "tiếng nào" in lan.last().text
    assert zalo_api_refreshes(bot) == ["refresh-0", "refresh-1"]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "refused (error -216)" in logged
    for secret in ("access-", "refresh-", APP_SECRET, OA_SECRET_KEY):
        assert secret not in logged  # tokens and secrets never reach a log


async def test_after_a_restart_the_stored_rotated_refresh_token_is_used(
    database_url: str, zalo_api: FakeZaloApi
) -> None:
    settings = zalo_settings(database_url, zalo_api)  # ZALO_REFRESH_TOKEN stays refresh-0, spent after one use
    async with zalo_bot(settings, zalo_api) as running:
        await running.resident().send("xin chào")
    zalo_api.kill_access_tokens()
    async with zalo_bot(settings, zalo_api) as running:
        await running.resident().send("menu")
        async with running.runtime.sessions() as session:
            stored = await session.scalar(select(ZaloToken))
            assert stored is not None and stored.refresh_token == "refresh-2"
    assert zalo_api.refreshes == ["refresh-0", "refresh-1"]  # never the spent one from the settings again
    assert len(zalo_api.sent) == 3  # the welcome; then "agree first" and the welcome again
    assert "tiếng nào" in zalo_api.sent[-1].text


def zalo_api_refreshes(bot: ZaloBot) -> list[str]:
    return list(bot.api.refreshes)


async def test_a_retry_of_an_event_recorded_too_late_for_its_answer_is_handled(bot: ZaloBot) -> None:
    # The first delivery's record committed after the webhook had answered 503 (out of time): nobody took
    # the event up. Zalo's retry finds the key, and the event is handled then, once.
    hello = event("1876543210987654321", text="xin chào")
    assert await inbox.record(bot.runtime.sessions, inbox.key_of(hello) or "", hello)
    resident = bot.resident()
    assert await resident.post(hello) == 200
    assert await resident.post(hello) == 200
    assert len(bot.api.sent) == 1 and "tiếng nào" in bot.api.sent[0].text
