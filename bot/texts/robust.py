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
        "notice_changed": "Thông báo về dữ liệu vừa được cập nhật. Bà con đọc lại rồi bấm đồng ý nhé 🙏",
        "btn_copy_data": "📄 Nhận bản sao đầy đủ (tệp)",
        "copy_data_caption": (
            "📄 Đây là toàn bộ dữ liệu trợ lý đang lưu về bà con, trong một tệp (định dạng JSON) để giữ "
            "hoặc gửi cho người khác xem giúp. Tệp có tên và việc học của bà con: hãy giữ cẩn thận."
        ),
        "flood_wait": "Trợ lý đang trả lời các tin trước của bà con, bà con chờ một chút rồi bấm tiếp nhé 🙏",
    },
    "en": {
        "data_refused": (
            "Sorry, I could not save that last message 🙏 Your learning is kept as it was. "
            "Type /menu to go on; the fault has been noted so it can be fixed."
        ),
        "notice_changed": "The notice about your data has just been updated. Please read it again, then agree 🙏",
        "btn_copy_data": "📄 Get a complete copy (file)",
        "copy_data_caption": (
            "📄 Here is everything I store about you, in one file (JSON format) to keep or to show someone "
            "who can help you read it. It holds your name and your learning: keep it safe."
        ),
        "flood_wait": "I am still answering your earlier messages; please wait a moment, then go on 🙏",
    },
}
