"""/mydata offers a complete copy of everything stored, as a JSON file (issue 15, point 8; Law 91/2025
gives the right to see all of it). Real handlers, fake Bot API, both databases."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser
from bot.runtime import Runtime
from bot.storage.models import Base
from tests.support.journey import lesson_of, onboard, option, start_quiz


async def test_mydata_sends_everything_stored_as_a_json_file(
    make_user: Callable[..., FakeUser], api: FakeBotApi, runtime: Runtime
) -> None:
    user = make_user(7401, "Hoa 🌾")
    await onboard(user)
    lesson = lesson_of(runtime.catalog, "email")
    await start_quiz(user, lesson, lesson.title)
    await user.press_where(option(lesson.quiz.questions[0].answer))
    await user.send("/mydata")
    await user.press("Nhận bản sao đầy đủ")

    sent = user.last()
    assert sent.kind == "document" and (sent.file_name or "").endswith(".json")
    assert "toàn bộ dữ liệu" in sent.text
    copy = json.loads(sent.file_bytes or b"")
    assert copy["resident"]["display_name"] == "Hoa 🌾" and copy["resident"]["commune_id"] == "nghia-ta"
    assert copy["resident"]["consent_at"]
    assert [(a["module_id"], a["correct"]) for a in copy["answers"]] == [("email", True)]
    assert [p["module_id"] for p in copy["module_progress"]] == ["email"]
    assert copy["fsm_states"][0]["state"] == "Quiz:feedback"
    # Complete by construction: every table that refers to a resident is in the copy, even if empty.
    per_resident = {t.name for t in Base.metadata.sorted_tables if "resident_id" in t.c}
    assert per_resident <= set(copy)
    assert all(row["resident_id"] == copy["resident"]["id"] for name in per_resident for row in copy[name])


async def test_the_copy_holds_nobody_else(make_user: Callable[..., FakeUser], api: FakeBotApi) -> None:
    first, second = make_user(7402, "Một"), make_user(7403, "Hai")
    await onboard(first)
    await onboard(second)
    await second.send("/mydata")
    await second.press("Nhận bản sao đầy đủ")
    content = (second.last().file_bytes or b"").decode()
    assert "Hai" in content and "Một" not in content and "7402" not in content
