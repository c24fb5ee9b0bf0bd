"""Texts of certificates anyone can check (issue 14): the code on the picture, /verify, the public check
page, the passport, revoking and listing, and the passport figures."""

from __future__ import annotations

CERTIFICATES: dict[str, dict[str, str]] = {
    "vi": {
        "cmd_verify": "Kiểm tra giấy chứng nhận",
        "cmd_certificates": "Giấy chứng nhận: xem, thu hồi",
        "cert_code": "Mã kiểm tra: {code}",
        "cert_check_at": "Kiểm tra tại {url}",
        "cert_check_in_bot": "Kiểm tra: gửi /verify {code} cho trợ lý",
        "cert_caption_code": "Mã kiểm tra: {code} — ai cũng có thể kiểm tra giấy này bằng lệnh /verify {code}.",
        "passport_title": "HỘ CHIẾU KỸ NĂNG SỐ",
        "passport_subtitle": "Hoàn thành các bài kỹ năng số cơ bản",
        "passport_module_name": "Hộ chiếu kỹ năng số",
        "passport_completed": "đã học xong và làm đạt bài kiểm tra của các bài:",
        "passport_competences": "Các năng lực đã học:",
        "passport_score": "Điểm trung bình: {score}% · Ngày {day}",
        "passport_caption": (
            "🏅 Hộ chiếu kỹ năng số: bà con đã học xong tất cả các bài cơ bản. Xin chúc mừng! "
            "Bà con có thể lưu ảnh, gửi cho người thân hoặc in ra."
        ),
        "btn_passport": "🏅 Nhận hộ chiếu kỹ năng số",
        "verify_usage": "Để kiểm tra một giấy chứng nhận, bà con gửi: /verify MÃ (ví dụ /verify ABCDE-12345).",
        "verify_valid": (
            "✅ Giấy chứng nhận {code} là thật và còn hiệu lực.\n"
            "Bài: {title}\nKết quả: {score}%\nNgày cấp: {day}\nNgười được cấp: {holder}\nNơi cấp: {issuer}"
        ),
        "verify_revoked": (
            "⛔ Giấy chứng nhận {code} đã bị thu hồi ngày {revoked_day}, không còn giá trị.\n"
            "Bài: {title}\nNgày cấp: {day}\nNơi cấp: {issuer}"
        ),
        "verify_not_found": (
            "❓ Không tìm thấy giấy chứng nhận có mã {code}. Bà con xem lại từng chữ trong mã nhé; "
            "giấy không có trong hệ thống thì không phải do trợ lý cấp."
        ),
        "verify_busy": "Trợ lý đang bận, bà con thử lại sau ít phút nhé.",
        "verify_page_title": "Kiểm tra giấy chứng nhận",
        "verify_page_valid": "Giấy chứng nhận là thật và còn hiệu lực",
        "verify_page_revoked": "Giấy chứng nhận đã bị thu hồi, không còn giá trị",
        "verify_page_not_found": "Không tìm thấy giấy chứng nhận có mã này",
        "verify_page_code": "Mã",
        "verify_page_module": "Bài học",
        "verify_page_score": "Kết quả",
        "verify_page_issued": "Ngày cấp",
        "verify_page_revoked_on": "Ngày thu hồi",
        "verify_page_holder": "Người được cấp",
        "verify_page_issuer": "Nơi cấp",
        "verify_page_note": (
            "Giấy ghi nhận việc tự học trên trợ lý; không phải văn bằng, chứng chỉ của cơ quan nhà nước."
        ),
        "verify_page_not_found_hint": "Xem lại từng chữ trong mã. Giấy không có ở đây thì không phải do trợ lý cấp.",
        "verify_page_too_many": "Bạn kiểm tra quá nhiều lần; xin thử lại sau một phút.",
        "issuer_default": "Trợ lý học kỹ năng số · Thái Nguyên",
        "certs_not_admin": "Lệnh này chỉ dành cho quản trị viên.",
        "certs_header": "🎓 Giấy chứng nhận mới nhất ({count}):",
        "certs_line": "{code} · {title} · {score}% · {day} · {commune}{revoked}",
        "certs_line_revoked": " · ⛔ đã thu hồi",
        "certs_none": "Chưa có giấy chứng nhận nào.",
        "certs_usage": (
            "Quản trị viên: /certificates xem giấy mới nhất; /certificates revoke MÃ LÝ DO để thu hồi một giấy."
        ),
        "certs_revoked": "Đã thu hồi giấy {code}. Từ nay kiểm tra mã này sẽ thấy «đã thu hồi».",
        "certs_revoke_unknown": "Không có giấy chứng nhận mã {code}.",
        "certs_revoke_needs_reason": "Xin ghi lý do thu hồi: /certificates revoke MÃ LÝ DO",
        "stats_passport_header": "🏅 Hộ chiếu kỹ năng số: {holders}/{residents} bà con ({share})",
        "stats_passport_target": "Mục tiêu: {target}%",
        "stats_passport_competence": "• {name}: {share}",
        "stats_passport_competences": "Tỉ lệ bà con nắm vững từng năng lực:",
    },
    "en": {
        "cmd_verify": "Check a certificate",
        "cmd_certificates": "Certificates: list, revoke",
        "cert_code": "Check code: {code}",
        "cert_check_at": "Check it at {url}",
        "cert_check_in_bot": "To check it: send /verify {code} to the assistant",
        "cert_caption_code": "Check code: {code} — anyone can check this certificate with /verify {code}.",
        "passport_title": "DIGITAL-SKILLS PASSPORT",
        "passport_subtitle": "of completing the basic digital-skills lessons",
        "passport_module_name": "Digital-skills passport",
        "passport_completed": "has studied and passed the quizzes of the lessons:",
        "passport_competences": "Competences covered:",
        "passport_score": "Average score: {score}% · {day}",
        "passport_caption": (
            "🏅 Your digital-skills passport: you have finished every basic lesson. Congratulations! "
            "Save it, send it to your family or print it."
        ),
        "btn_passport": "🏅 Get my digital-skills passport",
        "verify_usage": "To check a certificate, send: /verify CODE (for example /verify ABCDE-12345).",
        "verify_valid": (
            "✅ Certificate {code} is genuine and valid.\n"
            "Lesson: {title}\nScore: {score}%\nIssued: {day}\nHolder: {holder}\nIssued by: {issuer}"
        ),
        "verify_revoked": (
            "⛔ Certificate {code} was revoked on {revoked_day} and is no longer valid.\n"
            "Lesson: {title}\nIssued: {day}\nIssued by: {issuer}"
        ),
        "verify_not_found": (
            "❓ No certificate has the code {code}. Please check each character of the code; "
            "a certificate not found here was not issued by the assistant."
        ),
        "verify_busy": "The assistant is busy; please try again in a few minutes.",
        "verify_page_title": "Certificate check",
        "verify_page_valid": "The certificate is genuine and valid",
        "verify_page_revoked": "The certificate was revoked and is no longer valid",
        "verify_page_not_found": "No certificate has this code",
        "verify_page_code": "Code",
        "verify_page_module": "Lesson",
        "verify_page_score": "Score",
        "verify_page_issued": "Issued",
        "verify_page_revoked_on": "Revoked",
        "verify_page_holder": "Holder",
        "verify_page_issuer": "Issued by",
        "verify_page_note": "It records self-study with the assistant; it is not a state diploma or certificate.",
        "verify_page_not_found_hint": (
            "Check each character of the code. One not found here was not issued by the assistant."
        ),
        "verify_page_too_many": "Too many checks; please try again in a minute.",
        "issuer_default": "Digital-skills assistant · Thái Nguyên",
        "certs_not_admin": "This command is for admins only.",
        "certs_header": "🎓 Latest certificates ({count}):",
        "certs_line": "{code} · {title} · {score}% · {day} · {commune}{revoked}",
        "certs_line_revoked": " · ⛔ revoked",
        "certs_none": "No certificates yet.",
        "certs_usage": "Admins: /certificates shows the latest; /certificates revoke CODE REASON revokes one.",
        "certs_revoked": "Certificate {code} is revoked. Checking this code now says «revoked».",
        "certs_revoke_unknown": "No certificate has the code {code}.",
        "certs_revoke_needs_reason": "Please give a reason: /certificates revoke CODE REASON",
        "stats_passport_header": "🏅 Digital-skills passport: {holders}/{residents} residents ({share})",
        "stats_passport_target": "Target: {target}%",
        "stats_passport_competence": "• {name}: {share}",
        "stats_passport_competences": "Residents who mastered each competence:",
    },
}
