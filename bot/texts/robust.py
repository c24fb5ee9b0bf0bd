"""What residents read when something went wrong that is neither their fault nor an outage: the
database refused what an update carried (a bug on our side, logged as such). Kept apart from the
"system is busy" text, which promises that trying again later will work; here it may not."""

from __future__ import annotations

ROBUST: dict[str, dict[str, str]] = {
    "vi": {
        "data_refused": (
            "Xin lỗi, trợ lý chưa lưu được tin vừa rồi 🙏 Việc học của bà con vẫn được giữ nguyên. "
            "Bà con gõ /menu để học tiếp; trợ lý đã ghi lại lỗi để sửa."
        ),
        "flood_wait": "Trợ lý đang trả lời các tin trước của bà con, bà con chờ một chút rồi bấm tiếp nhé 🙏",
    },
    "en": {
        "data_refused": (
            "Sorry, I could not save that last message 🙏 Your learning is kept as it was. "
            "Type /menu to go on; the fault has been noted so it can be fixed."
        ),
        "flood_wait": "I am still answering your earlier messages; please wait a moment, then go on 🙏",
    },
}
