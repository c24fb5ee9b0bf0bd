"""What the bot says only about Zalo: how residents use it without Telegram's "/" commands, and, for
officers, the residents Zalo's 7-day window keeps a broadcast from."""

from __future__ import annotations

ZALO: dict[str, dict[str, str]] = {
    "vi": {
        # For officers: broadcasts on Zalo reach only residents who wrote within 7 days.
        "preview_outside_window": (
            "\n🕒 Trong đó {count} người dùng Zalo đã hơn 7 ngày không nhắn trợ lý: ngoài 7 ngày Zalo cho phép, "
            "tin sẽ không đến họ (họ vẫn học được khi nhắn lại)."
        ),
        "report_outside_window": "\n🕒 Ngoài 7 ngày Zalo cho phép, không gửi: {count}",
        "zalo_help": (
            "💬 Trên Zalo, bà con gõ chữ thay cho lệnh:\n"
            "• menu: danh sách bài học\n"
            "• tiến độ: xem tiến độ học\n"
            "• ngôn ngữ: đổi ngôn ngữ\n"
            "• dữ liệu: xem dữ liệu trợ lý lưu về bà con\n"
            "• xóa dữ liệu: xóa hết dữ liệu của bà con\n"
            "• trợ giúp: xem lại hướng dẫn này\n"
            "Khi có nhiều nút được đánh số, bà con cũng có thể gõ số (ví dụ 3) để chọn."
        ),
    },
    "en": {
        "preview_outside_window": (
            "\n🕒 Of these, {count} Zalo users have not written for over 7 days: outside the 7 days Zalo allows, "
            "it will not reach them (they can still learn when they write again)."
        ),
        "report_outside_window": "\n🕒 Outside the 7 days Zalo allows, not sent: {count}",
        "zalo_help": (
            "💬 On Zalo, type a word instead of a command:\n"
            "• menu: the list of lessons\n"
            "• progress: how far you are\n"
            "• language: change language\n"
            "• mydata: what I store about you\n"
            "• deleteme: delete all your data\n"
            "• help: these instructions again\n"
            "When the buttons are numbered, you can also type a number (for example 3) to choose."
        ),
    },
}
