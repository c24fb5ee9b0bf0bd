"""What the help desk says: to residents who ask a person, and to the helpers, officers and admins who
answer. Vietnamese first; English mirrors it. The disclosure (`ask_intro`) names everything a helper
sees, so it must change whenever the question message (`q_notice`) shows something new.
"""

from __future__ import annotations

HELPDESK: dict[str, dict[str, str]] = {
    "vi": {
        "role_helper": "người hướng dẫn",
        "cmd_ask": "Hỏi người hướng dẫn ở xã",
        "cmd_questions": "Câu hỏi bà con đang chờ",
        # residents
        "btn_ask": "🙋 Hỏi người hướng dẫn",
        "btn_ask_cancel": "↩️ Thôi, quay lại",
        "ask_intro": (
            "🙋 Bà con có thể hỏi một người trong tổ công nghệ số cộng đồng của xã mình.\n\n"
            "Người hướng dẫn chỉ thấy: tên gọi của bà con ({name}), nơi ở ({commune}), câu hỏi bà con gửi, "
            "và bà con đang học đến đâu ({where}). Họ không thấy số điện thoại hay tài khoản của bà con, "
            "và không thấy gì khác.\n\n"
            "✍️ Bà con gõ câu hỏi rồi gửi nhé (có thể gửi kèm ảnh chụp màn hình hoặc tin nhắn thoại)."
        ),
        "ask_open_intro": (
            "🙋 Bà con đang có một câu hỏi chờ trả lời. Bà con gõ thêm điều muốn hỏi, trợ lý sẽ gửi kèm "
            "vào câu hỏi đó cho người hướng dẫn."
        ),
        "ask_cancelled": "Không sao ạ. Khi cần, bà con bấm 🙋 Hỏi người hướng dẫn nhé.",
        "ask_need_words": "Bà con gõ câu hỏi bằng chữ, hoặc gửi ảnh hay tin nhắn thoại nhé.",
        "ask_sent": (
            "✅ Trợ lý đã gửi câu hỏi cho tổ công nghệ số của xã. Khi có người trả lời, trợ lý sẽ nhắn "
            "cho bà con ngay tại đây. Trong lúc chờ, bà con cứ học tiếp nhé."
        ),
        "ask_added": "✅ Trợ lý đã gửi thêm tin này cho người hướng dẫn.",
        "ask_offer": "Trợ lý vẫn chưa hiểu ý bà con 🙂 Bà con có muốn hỏi một người hướng dẫn ở xã mình không?",
        "relay_to_resident": "💬 {name} (tổ công nghệ số) trả lời:\n{text}",
        "relay_media_to_resident": "💬 {name} (tổ công nghệ số) gửi cho bà con:",
        "helper_default_name": "Người hướng dẫn",
        "help_done_rate": (
            "✅ Người hướng dẫn đã đánh dấu câu hỏi của bà con là xong. Bà con thấy được giúp có tốt không?"
        ),
        "btn_rate_up": "👍 Có ích",
        "btn_rate_down": "👎 Chưa ổn",
        "rated": "Cảm ơn bà con đã cho biết ý kiến! Khi cần, bà con cứ hỏi tiếp nhé.",
        "where_menu": "đang ở danh sách bài học",
        "where_step": "bài «{title}», bước {step}/{steps}",
        "where_quiz": "bài kiểm tra «{title}», câu {question}/{questions}",
        "where_result": "vừa làm xong bài kiểm tra «{title}»",
        "mydata_questions": "• Câu hỏi đã gửi người hướng dẫn: {count}",
        "mydata_question_line": "   – {day}: {text} ({status})",
        "question_open": "đang chờ",
        "question_closed": "đã xong",
        # helpers, officers and admins
        "q_notice": (
            "🙋 Câu hỏi #{id} của {name} ({commune})\n📍 {where}\n\n{text}\n\n"
            "Bấm ✋ Nhận, rồi trả lời (reply) tin này: trợ lý chuyển lời bạn cho bà con."
        ),
        "q_notice_escalated": "⏰ Chưa ai nhận sau {hours} giờ.\n",
        "q_media_only": "(bà con gửi ảnh hoặc tin nhắn thoại, ở tin tiếp theo)",
        "q_followup": "💬 {name} (câu hỏi #{id}) nhắn thêm:\n{text}",
        "q_followup_media": "💬 {name} (câu hỏi #{id}) gửi thêm:",
        "btn_claim": "✋ Nhận",
        "btn_close": "✅ Đã xong",
        "q_claimed_you": "✋ Bạn đã nhận câu hỏi #{id}. Trả lời (reply) tin câu hỏi để nhắn cho bà con.",
        "q_taken": "ℹ️ Câu hỏi #{id} đã có {name} nhận.",
        "q_taken_alert": "Câu hỏi #{id} đã có {name} nhận rồi.",
        "q_closed": "✅ Câu hỏi #{id} đã xong. Cảm ơn bạn!",
        "q_already_closed": "Câu hỏi #{id} đã xong rồi.",
        "q_not_yours": (
            "Câu hỏi này không thuộc xã bạn phụ trách, nên bạn không nhận hay trả lời được. Không có gì được gửi đi."
        ),
        "q_reply_unknown": "Tin bạn trả lời không phải một câu hỏi của bà con, nên không có gì được gửi đi.",
        "q_relayed": "📨 Đã chuyển cho bà con (câu hỏi #{id}).",
        "q_reply_need_content": "Trợ lý chỉ chuyển được chữ, ảnh hoặc tin nhắn thoại.",
        "q_rated": "Bà con đã đánh giá câu hỏi #{id}: {rating}",
        "q_list_title": "🙋 Câu hỏi đang chờ:",
        "q_list_line": "#{id} · {commune} · {status}",
        "q_list_empty": "Không có câu hỏi nào đang chờ. Cảm ơn bạn!",
        "q_status_waiting": "chưa ai nhận",
        "q_status_claimed": "{name} đã nhận",
        "q_someone": "một người hướng dẫn",
        # figures (/stats)
        "stats_help": "🙋 Hỏi người hướng dẫn: câu hỏi · được trả lời · trung vị đến câu trả lời đầu · trong 1 ngày",
        "stats_help_line": "• {commune}: {asked} · {answered} · {median} · {share}",
    },
    "en": {
        "role_helper": "helper",
        "cmd_ask": "Ask a helper from your commune",
        "cmd_questions": "Residents' questions waiting",
        "btn_ask": "🙋 Ask a helper",
        "btn_ask_cancel": "↩️ No, go back",
        "ask_intro": (
            "🙋 You can ask a person from your commune's community digital-technology team.\n\n"
            "The helper sees only: your first name ({name}), your commune ({commune}), the question you send, "
            "and where you are in the lessons ({where}). They do not see your phone number or your account, "
            "nor anything else.\n\n"
            "✍️ Type your question and send it (you may add a screenshot or a voice message)."
        ),
        "ask_open_intro": (
            "🙋 You already have a question waiting for an answer. Type what you want to add, and I will "
            "send it with that question to the helper."
        ),
        "ask_cancelled": "No problem. Whenever you need it, tap 🙋 Ask a helper.",
        "ask_need_words": "Please type your question, or send a photo or a voice message.",
        "ask_sent": (
            "✅ I sent your question to your commune's digital-technology team. When someone answers, I will "
            "message you right here. Meanwhile, keep learning."
        ),
        "ask_added": "✅ I sent this to the helper too.",
        "ask_offer": "I still don't understand 🙂 Would you like to ask a helper from your commune?",
        "relay_to_resident": "💬 {name} (digital-technology team) answers:\n{text}",
        "relay_media_to_resident": "💬 {name} (digital-technology team) sent you this:",
        "helper_default_name": "A helper",
        "help_done_rate": "✅ The helper marked your question as done. Did the help work for you?",
        "btn_rate_up": "👍 It helped",
        "btn_rate_down": "👎 Not yet",
        "rated": "Thank you for telling us! Ask again whenever you need.",
        "where_menu": "on the list of lessons",
        "where_step": "lesson «{title}», step {step}/{steps}",
        "where_quiz": "quiz «{title}», question {question}/{questions}",
        "where_result": "just finished the quiz «{title}»",
        "mydata_questions": "• Questions sent to a helper: {count}",
        "mydata_question_line": "   – {day}: {text} ({status})",
        "question_open": "waiting",
        "question_closed": "done",
        "q_notice": (
            "🙋 Question #{id} from {name} ({commune})\n📍 {where}\n\n{text}\n\n"
            "Tap ✋ Take, then reply to this message: I pass your words to the resident."
        ),
        "q_notice_escalated": "⏰ Nobody took it within {hours} hours.\n",
        "q_media_only": "(the resident sent a photo or a voice message, in the next message)",
        "q_followup": "💬 {name} (question #{id}) adds:\n{text}",
        "q_followup_media": "💬 {name} (question #{id}) sent:",
        "btn_claim": "✋ Take",
        "btn_close": "✅ Done",
        "q_claimed_you": "✋ You took question #{id}. Reply to the question message to write to the resident.",
        "q_taken": "ℹ️ {name} took question #{id}.",
        "q_taken_alert": "{name} already took question #{id}.",
        "q_closed": "✅ Question #{id} is done. Thank you!",
        "q_already_closed": "Question #{id} is already done.",
        "q_not_yours": (
            "This question is not from a commune you serve, so you cannot take or answer it. Nothing was sent."
        ),
        "q_reply_unknown": "The message you replied to is not a resident's question, so nothing was sent.",
        "q_relayed": "📨 Passed to the resident (question #{id}).",
        "q_reply_need_content": "I can pass on text, photos or voice messages only.",
        "q_rated": "The resident rated question #{id}: {rating}",
        "q_list_title": "🙋 Questions waiting:",
        "q_list_line": "#{id} · {commune} · {status}",
        "q_list_empty": "No question is waiting. Thank you!",
        "q_status_waiting": "nobody took it yet",
        "q_status_claimed": "taken by {name}",
        "q_someone": "a helper",
        "stats_help": "🙋 Asked a helper: questions · answered · median to the first answer · within a day",
        "stats_help_line": "• {commune}: {asked} · {answered} · {median} · {share}",
    },
}
