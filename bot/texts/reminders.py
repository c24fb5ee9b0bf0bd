"""What reminders and review say (issue 11). Warm and short, never guilt-tripping: a reminder is an
invitation, and says how to stop them. Three wordings of each reminder, rotated (bot/reminders/policy.py)."""

from __future__ import annotations

REMINDERS: dict[str, dict[str, str]] = {
    "vi": {
        "cmd_reminders": "Bật/tắt lời nhắc học",
        "reminder_module_0": (
            "🌱 Chào bà con! Bài “{title}” vẫn đang chờ ở đúng chỗ bà con dừng. "
            "Lúc nào rảnh, bấm nút dưới đây để học tiếp vài phút nhé."
        ),
        "reminder_module_1": (
            "☕ Trợ lý ghé hỏi thăm bà con! Bài “{title}” chỉ còn một chút nữa thôi. "
            "Bà con học tiếp khi tiện nhé, trợ lý mở đúng chỗ cũ."
        ),
        "reminder_module_2": (
            "👋 Bà con khoẻ không ạ? Khi có vài phút rảnh, mình cùng học tiếp bài “{title}” nhé. "
            "Học từng chút một cũng rất tốt."
        ),
        "reminder_review_0": ("🔁 Chào bà con! Có vài câu đã học cần ôn lại cho nhớ lâu. Chỉ mất vài phút thôi ạ."),
        "reminder_review_1": (
            "🌼 Ôn lại một chút cho chắc nhé bà con: vài câu hỏi ngắn về những điều đã học, nhất là cách tránh lừa đảo."
        ),
        "reminder_review_2": ("👋 Trợ lý có mấy câu ôn tập nhỏ cho bà con. Nhớ lâu thì dùng điện thoại an toàn hơn!"),
        "reminder_footer": "Không muốn nhận lời nhắc nữa? Bấm “Tắt lời nhắc” hoặc gõ /reminders off.",
        "btn_reminder_resume": "▶️ Học tiếp",
        "btn_reminder_review": "🔁 Ôn tập",
        "btn_reminders_off": "🔕 Tắt lời nhắc",
        "btn_reminders_on": "🔔 Bật lời nhắc",
        "reminders_on_status": (
            "🔔 Lời nhắc học đang bật. Khi bà con bỏ dở một bài hơn 2 ngày, trợ lý nhắn nhẹ một tin "
            "(nhiều nhất 2 tin một tuần, không nhắn ban đêm). Tắt: /reminders off"
        ),
        "reminders_off_status": "🔕 Lời nhắc học đang tắt. Trợ lý sẽ không nhắn nhắc bà con. Bật lại: /reminders on",
        "reminders_turned_on": "🔔 Đã bật lời nhắc học. Cảm ơn bà con!",
        "reminders_turned_off": "🔕 Đã tắt lời nhắc học. Bà con bật lại lúc nào cũng được bằng /reminders on.",
        "reminders_deployment_off": "Hiện trợ lý không gửi lời nhắc cho ai. Bà con cứ học theo nhịp của mình nhé.",
        "mydata_reminders": "• Lời nhắc học: {setting}",
        "mydata_review": "• Câu đang ôn tập: {cards}",
        "setting_on": "bật",
        "setting_off": "tắt",
        # spaced review
        "btn_review_due": "🔁 Ôn tập ({count})",
        "btn_review_next": "Câu tiếp ➡️",
        "btn_review_finish": "Xong ✅",
        "review_header": "🔁 Ôn tập · câu {number}/{total}",
        "review_intro": "Ôn lại vài câu đã học để nhớ lâu hơn. Điểm các bài không thay đổi. Dừng lúc nào cũng được.",
        "review_none": "Hiện chưa có câu nào cần ôn. Trợ lý sẽ báo khi đến lúc nhé 🙂",
        "review_done": "🎉 Xong phần ôn tập: đúng {correct}/{total} câu. Câu nào chưa nhớ sẽ quay lại sau 2 ngày.",
    },
    "en": {
        "cmd_reminders": "Turn study reminders on or off",
        "reminder_module_0": (
            "🌱 Hello! The lesson “{title}” is waiting right where you stopped. "
            "Whenever you have a moment, tap below to go on for a few minutes."
        ),
        "reminder_module_1": (
            "☕ Just checking in! Only a little is left of “{title}”. "
            "Carry on when it suits you; I'll open it where you were."
        ),
        "reminder_module_2": (
            "👋 How are you? When you have a few free minutes, let's go on with “{title}” together. "
            "A little at a time works very well."
        ),
        "reminder_review_0": "🔁 Hello! A few things you learned are due for a quick review, to remember them longer.",
        "reminder_review_1": (
            "🌼 A short review to keep it fresh: a few quick questions on what you learned, "
            "especially how to avoid scams."
        ),
        "reminder_review_2": "👋 I have a few small review questions for you. What we remember keeps our phones safer!",
        "reminder_footer": "Rather not get reminders? Tap “Turn reminders off” or type /reminders off.",
        "btn_reminder_resume": "▶️ Continue",
        "btn_reminder_review": "🔁 Review",
        "btn_reminders_off": "🔕 Turn reminders off",
        "btn_reminders_on": "🔔 Turn reminders on",
        "reminders_on_status": (
            "🔔 Study reminders are on. When you leave a lesson unfinished for more than 2 days, I send one "
            "gentle message (at most 2 a week, never at night). To turn them off: /reminders off"
        ),
        "reminders_off_status": "🔕 Study reminders are off: I send you none. To turn them on: /reminders on",
        "reminders_turned_on": "🔔 Study reminders are on. Thank you!",
        "reminders_turned_off": "🔕 Study reminders are off. Turn them on again any time with /reminders on.",
        "reminders_deployment_off": "I'm not sending reminders to anyone at the moment. Learn at your own pace!",
        "mydata_reminders": "• Study reminders: {setting}",
        "mydata_review": "• Questions in your review: {cards}",
        "setting_on": "on",
        "setting_off": "off",
        "btn_review_due": "🔁 Review ({count})",
        "btn_review_next": "Next question ➡️",
        "btn_review_finish": "Done ✅",
        "review_header": "🔁 Review · question {number}/{total}",
        "review_intro": "A few questions you learned, to remember them longer. Scores do not change. Stop any time.",
        "review_none": "Nothing to review right now. I'll tell you when it's time 🙂",
        "review_done": "🎉 Review done: {correct}/{total} right. Any you missed come back in 2 days.",
    },
}
