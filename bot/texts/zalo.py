"""What the bot says only on Zalo: how to use it without Telegram's "/" commands."""

from __future__ import annotations

ZALO: dict[str, dict[str, str]] = {
    "vi": {
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
