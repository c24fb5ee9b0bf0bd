"""What the journey says to residents, in Vietnamese and English. Plain, warm, short: one phone screen."""

from __future__ import annotations

LEARNER: dict[str, dict[str, str]] = {
    "vi": {
        "cert_title": "GIẤY CHỨNG NHẬN",
        "cert_subtitle": "Hoàn thành bài học kỹ năng số",
        "cert_certifies": "Chứng nhận",
        "cert_completed": "đã học xong và làm đạt bài kiểm tra của bài",
        "cert_score": "Kết quả: {score}% · Ngày {day}",
        "cert_issuer": "Trợ lý học kỹ năng số · Thái Nguyên",
        "cert_note": "Ghi nhận việc tự học trên trợ lý; không phải văn bằng, chứng chỉ của cơ quan nhà nước.",
        "cert_nobody": "Học viên",
        "cmd_start": "Bắt đầu / quay lại menu",
        "cmd_menu": "Danh sách bài học",
        "cmd_progress": "Xem tiến độ học",
        "cmd_help": "Cách dùng",
        "cmd_language": "Đổi ngôn ngữ",
        "cmd_mydata": "Xem dữ liệu của tôi",
        "cmd_deleteme": "Xoá dữ liệu của tôi",
        "welcome": (
            "Xin chào! 👋 Đây là trợ lý học kỹ năng số.\n"
            "Trợ lý giúp bà con dùng Internet, email, thanh toán điện tử và dịch vụ công trực tuyến "
            "an toàn, qua những bài học ngắn.\n\n"
            "Bà con muốn học bằng tiếng nào?"
        ),
        "consent": (
            "🔒 Trước khi bắt đầu\n\n"
            "Để nhớ bà con học đến đâu, trợ lý cần lưu:\n"
            "• tên gọi trên Telegram, ngôn ngữ, xã;\n"
            "• bài đã học và câu trả lời bài kiểm tra (để chấm điểm và nhắc ôn lại).\n"
            "Không lưu số điện thoại, địa chỉ hay giấy tờ. Cán bộ chỉ xem số liệu tổng hợp.\n\n"
            "Theo Luật Bảo vệ dữ liệu cá nhân 91/2025 và Nghị định 356/2025, bà con có quyền xem, sửa, "
            "nhận bản sao, rút lại đồng ý và xoá dữ liệu: xem bằng /mydata, xoá hết bằng /deleteme. "
            "Dữ liệu được giữ cho đến khi bà con xoá.\n\n"
            "Bà con có đồng ý không?"
        ),
        "consent_yes": "✅ Tôi đồng ý",
        "consent_no": "Không đồng ý",
        "declined": "Không sao cả. Trợ lý không lưu gì về bà con.\nKhi nào muốn học, bà con chỉ cần gõ /start nhé.",
        "ask_commune": "Bà con đang sống ở xã nào? (Để cán bộ biết nơi nào cần hỗ trợ thêm.)",
        "registered": "Cảm ơn bà con! 🎉 Giờ mình cùng học nhé.",
        "menu": "📚 Chọn một bài học. Mỗi bài vài phút, có bài kiểm tra ngắn ở cuối.",
        "menu_resume": "📚 Chọn một bài học, hoặc bấm ▶️ để học tiếp chỗ đang dừng.",
        "module_new": "🆕 {title}",
        "module_progress": "▶️ {title} · {percent}%",
        "module_done": "✅ {title} · {score}%",
        "btn_continue": "Tiếp tục ➡️",
        "btn_back": "⬅️ Quay lại",
        "btn_menu": "🏠 Menu",
        "btn_start_quiz": "📝 Làm bài kiểm tra",
        "btn_next_question": "Câu tiếp theo ➡️",
        "btn_see_result": "Xem kết quả 🏁",
        "btn_retry": "🔁 Làm lại bài kiểm tra",
        "btn_certificate": "🎓 Nhận giấy chứng nhận",
        "btn_certificate_of": "🎓 Giấy chứng nhận: {title}",
        "certificate_caption": (
            "🎓 Giấy chứng nhận hoàn thành bài «{title}». Bà con có thể lưu ảnh, gửi cho người thân hoặc in ra."
        ),
        "btn_review": "📖 Đọc lại bài học",
        "btn_next_module": "➡️ Bài tiếp: {title}",
        "btn_progress": "📊 Tiến độ",
        "btn_help": "❓ Trợ giúp",
        "btn_resume": "▶️ Học tiếp: {title}",
        "btn_delete_yes": "🗑 Có, xoá hết",
        "btn_delete_no": "Không, giữ lại",
        "btn_delete_data": "🗑 Xoá dữ liệu của tôi",
        "btn_language": "🌐 Đổi ngôn ngữ",
        "btn_commune": "🏘 Đổi xã",
        "step_header": "📘 {title} · Bước {number}/{total}",
        "step_link": "🔗 {link}",
        "quiz_intro": "📝 Bài kiểm tra: {count} câu. Cần đúng {percent}% để hoàn thành bài.",
        "question_header": "📝 Câu {number}/{total}",
        "correct": "✅ Đúng rồi!",
        "wrong": "❌ Chưa đúng. Đáp án đúng: {answer}",
        "your_choice": "Đã chọn: {choice}",
        "result_pass": "🎉 Đúng {correct}/{total} câu ({score}%). Bà con đã hoàn thành bài «{title}»! ✅",
        "result_fail": (
            "Đúng {correct}/{total} câu ({score}%). Cần {percent}% để hoàn thành.\n"
            "Đừng lo, đọc lại bài rồi thử lần nữa nhé! 💪"
        ),
        "result_all_done": "🌟 Bà con đã hoàn thành tất cả các bài. Giỏi quá!",
        "progress_header": "📊 Tiến độ học",
        "progress_line_new": "▫️ {title}: chưa học",
        "progress_line_progress": "▶️ {title}: {percent}%",
        "progress_line_done": "✅ {title}: hoàn thành, điểm {score}%",
        "progress_summary": "Đã xong {done}/{total} bài.",
        "help": (
            "❓ Cách dùng\n"
            "• Bấm các nút bên dưới tin nhắn để học.\n"
            "• /menu: danh sách bài học\n"
            "• /progress: xem tiến độ và nhận giấy chứng nhận bài đã học xong 🎓\n"
            "• /language: đổi ngôn ngữ\n"
            "• /reminders: bật hoặc tắt lời nhắc học (/reminders on, /reminders off)\n"
            "• /mydata: xem dữ liệu trợ lý lưu về bà con\n"
            "• /deleteme: xoá toàn bộ dữ liệu\n"
            "Dừng lúc nào cũng được; lần sau trợ lý mở đúng chỗ đang học."
        ),
        "hint_text": "Trợ lý chưa hiểu tin nhắn này 🙂 Bà con hãy bấm một nút bên dưới nhé.",
        "hint_media": "Trợ lý chưa xem được ảnh, nhãn dán hay tin nhắn thoại 🙂 Bà con hãy bấm một nút bên dưới nhé.",
        "hint_unknown_command": "Không có lệnh này. Gõ /help để xem các lệnh.",
        "stale": "Nút này đã cũ. Trợ lý mở lại chỗ bà con đang học nhé.",
        "already_answered": "Câu này đã trả lời rồi, chỉ tính một lần.",
        "need_start": "Xin chào! Gõ /start để bắt đầu học nhé.",
        "need_consent": "Bà con cần đồng ý lưu tiến độ trước khi học. Gõ /start để bắt đầu.",
        "ask_language": "Bà con muốn dùng tiếng nào?",
        "language_set": "Đã chuyển sang tiếng Việt.",
        "commune_set": "Đã lưu xã.",
        "mydata": (
            "🔒 Dữ liệu trợ lý đang lưu về bà con\n"
            "• Tên gọi: {name}\n"
            "• Ngôn ngữ: {lang_name}\n"
            "• Xã: {commune}\n"
            "• Đồng ý lưu từ: {consent}\n"
            "• Lần cuối dùng: {last_seen}\n"
            "• Vai trò: {role}\n"
            "• Bài đã bắt đầu: {started}, đã hoàn thành: {completed}\n"
            "• Số câu trả lời đã lưu: {answers}\n\n"
            "Không lưu số điện thoại, địa chỉ hay giấy tờ. Theo Luật Bảo vệ dữ liệu cá nhân 91/2025, "
            "bà con có quyền xem, sửa, nhận bản sao và xoá dữ liệu. Muốn xoá hết: /deleteme"
        ),
        "delete_confirm": (
            "🗑 Xoá toàn bộ dữ liệu (tên, xã, tiến độ, câu trả lời, giấy chứng nhận)?\nViệc này không hoàn tác được."
        ),
        "deleted": "Đã xoá toàn bộ dữ liệu. Cảm ơn bà con đã học cùng trợ lý! Gõ /start nếu muốn học lại.",
        "delete_cancelled": "Dữ liệu vẫn giữ nguyên.",
        "module_missing": "Bài học này hiện không có. Bà con chọn bài khác nhé.",
        "role_resident": "người học",
        "role_officer": "cán bộ",
        "role_admin": "quản trị viên",
        "none": "chưa có",
        "error": "Xin lỗi, trợ lý gặp trục trặc nhỏ 🙏 Bà con thử lại sau ít phút, hoặc gõ /menu.",
        "db_down": "Xin lỗi, hệ thống đang bận 🙏 Tiến độ học vẫn được giữ. Bà con thử lại sau ít phút nhé.",
        "private_only": "Trợ lý chỉ dạy trong tin nhắn riêng. Bà con hãy nhắn riêng nhé: {link}",
    },
    "en": {
        "cert_title": "CERTIFICATE",
        "cert_subtitle": "of completing a digital-skills lesson",
        "cert_certifies": "This certifies that",
        "cert_completed": "has studied and passed the quiz of the lesson",
        "cert_score": "Score: {score}% · {day}",
        "cert_issuer": "Digital-skills assistant · Thái Nguyên",
        "cert_note": "A record of self-study with the assistant; not a state diploma or certificate.",
        "cert_nobody": "Learner",
        "cmd_start": "Start / back to the menu",
        "cmd_menu": "The list of lessons",
        "cmd_progress": "My progress",
        "cmd_help": "How to use the bot",
        "cmd_language": "Change language",
        "cmd_mydata": "What is stored about me",
        "cmd_deleteme": "Delete my data",
        "welcome": (
            "Hello! 👋 I'm a digital-skills helper.\n"
            "I help you use the internet, email, e-payment and online public services safely, "
            "in short lessons.\n\n"
            "Which language would you like?"
        ),
        "consent": (
            "🔒 Before we start\n\n"
            "To remember where you are, I need to store:\n"
            "• your Telegram first name, language and commune;\n"
            "• the lessons you took and your quiz answers (to score them and remind you to review).\n"
            "No phone number, address or documents. Officers only see totals.\n\n"
            "Under the Personal Data Protection Law 91/2025 and Decree 356/2025 you may see, correct, get a "
            "copy of, withdraw consent to and delete your data: see it with /mydata, delete it all with "
            "/deleteme. It is kept until you delete it.\n\n"
            "Do you agree?"
        ),
        "consent_yes": "✅ I agree",
        "consent_no": "I don't agree",
        "declined": "That's fine. I have stored nothing about you.\nWhenever you want to learn, just type /start.",
        "ask_commune": "Which commune do you live in? (So officers know where people need more help.)",
        "registered": "Thank you! 🎉 Let's learn together.",
        "menu": "📚 Pick a lesson. Each takes a few minutes and ends with a short quiz.",
        "menu_resume": "📚 Pick a lesson, or tap ▶️ to continue where you stopped.",
        "module_new": "🆕 {title}",
        "module_progress": "▶️ {title} · {percent}%",
        "module_done": "✅ {title} · {score}%",
        "btn_continue": "Continue ➡️",
        "btn_back": "⬅️ Back",
        "btn_menu": "🏠 Menu",
        "btn_start_quiz": "📝 Take the quiz",
        "btn_next_question": "Next question ➡️",
        "btn_see_result": "See result 🏁",
        "btn_retry": "🔁 Retake the quiz",
        "btn_certificate": "🎓 Get my certificate",
        "btn_certificate_of": "🎓 Certificate: {title}",
        "certificate_caption": (
            "🎓 Your certificate for completing «{title}». Save it, send it to your family or print it."
        ),
        "btn_review": "📖 Read the lesson again",
        "btn_next_module": "➡️ Next: {title}",
        "btn_progress": "📊 Progress",
        "btn_help": "❓ Help",
        "btn_resume": "▶️ Continue: {title}",
        "btn_delete_yes": "🗑 Yes, delete everything",
        "btn_delete_no": "No, keep it",
        "btn_delete_data": "🗑 Delete my data",
        "btn_language": "🌐 Change language",
        "btn_commune": "🏘 Change commune",
        "step_header": "📘 {title} · Step {number}/{total}",
        "step_link": "🔗 {link}",
        "quiz_intro": "📝 Quiz: {count} questions. Get {percent}% right to complete the lesson.",
        "question_header": "📝 Question {number}/{total}",
        "correct": "✅ Correct!",
        "wrong": "❌ Not quite. The right answer: {answer}",
        "your_choice": "You chose: {choice}",
        "result_pass": "🎉 You got {correct}/{total} right ({score}%). You completed «{title}»! ✅",
        "result_fail": (
            "You got {correct}/{total} right ({score}%). You need {percent}% to complete it.\n"
            "Don't worry: read the lesson again and have another go! 💪"
        ),
        "result_all_done": "🌟 You have completed every lesson. Well done!",
        "progress_header": "📊 Your progress",
        "progress_line_new": "▫️ {title}: not started",
        "progress_line_progress": "▶️ {title}: {percent}%",
        "progress_line_done": "✅ {title}: completed, score {score}%",
        "progress_summary": "{done}/{total} lessons completed.",
        "help": (
            "❓ How to use me\n"
            "• Tap the buttons under my messages to learn.\n"
            "• /menu: the list of lessons\n"
            "• /progress: your progress, and certificates for lessons you completed 🎓\n"
            "• /language: change language\n"
            "• /reminders: turn study reminders on or off (/reminders on, /reminders off)\n"
            "• /mydata: what I store about you\n"
            "• /deleteme: delete all your data\n"
            "Stop whenever you like; next time I open exactly where you left off."
        ),
        "hint_text": "I didn't understand that 🙂 Please tap one of the buttons below.",
        "hint_media": "I can't look at photos, stickers or voice messages 🙂 Please tap one of the buttons below.",
        "hint_unknown_command": "I don't know that command. Type /help to see what I can do.",
        "stale": "That button is old. Here is where you are now.",
        "already_answered": "You already answered this one; it counts once.",
        "need_start": "Hello! Type /start to begin.",
        "need_consent": "Please agree to saving your progress first. Type /start to begin.",
        "ask_language": "Which language would you like?",
        "language_set": "Switched to English.",
        "commune_set": "Your commune is saved.",
        "mydata": (
            "🔒 What I store about you\n"
            "• Name: {name}\n"
            "• Language: {lang_name}\n"
            "• Commune: {commune}\n"
            "• Consent given: {consent}\n"
            "• Last seen: {last_seen}\n"
            "• Role: {role}\n"
            "• Lessons started: {started}, completed: {completed}\n"
            "• Quiz answers stored: {answers}\n\n"
            "No phone number, address or documents. Under the Personal Data Protection Law 91/2025 you may "
            "see, correct, get a copy of and delete your data. To delete everything: /deleteme"
        ),
        "delete_confirm": (
            "🗑 Delete all your data (name, commune, progress, answers, certificates)?\nThis cannot be undone."
        ),
        "deleted": "All your data is deleted. Thank you for learning with me! Type /start to begin again.",
        "delete_cancelled": "Your data is kept as it was.",
        "module_missing": "This lesson is not available now. Please pick another one.",
        "role_resident": "learner",
        "role_officer": "officer",
        "role_admin": "admin",
        "none": "none",
        "error": "Sorry, something went wrong on my side 🙏 Please try again in a few minutes, or type /menu.",
        "db_down": "Sorry, the system is busy 🙏 Your progress is safe. Please try again in a few minutes.",
        "private_only": "I only teach in private messages. Please message me directly: {link}",
    },
}
