"""Reports as short Vietnamese text: for Telegram (one phone screen or two) and the terminal.

Admins report upward in Vietnamese, so the admin side speaks Vietnamese only, with Vietnamese number
formatting (1.234 thousands, 36,6% decimals).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.reports.figures import Funnel, ModuleFigures, Report

HARDEST_SHOWN = 3


def number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", ".")


def decimal(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return text.replace(".", ",")


def percent(share: float | None) -> str:
    return "—" if share is None else f"{decimal(100 * share)}%"


def share(part: int, whole: int) -> str:
    return percent(part / whole) if whole else "—"


def duration(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    if minutes < 90:
        return f"{decimal(minutes, 0)} phút"
    if minutes < 48 * 60:
        return f"{decimal(minutes / 60)} giờ"
    return f"{decimal(minutes / 1440)} ngày"


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M")


def short_date(day: date) -> str:
    return day.strftime("%d/%m")


def summary(report: Report, tz: ZoneInfo) -> str:
    """The /stats and `stats` summary: who is learning, which modules, where, what is hard."""
    head = report.headline
    lines = [
        f"📊 Thống kê học kỹ năng số · {report.scope_name}",
        f"🕒 {local_time(report.generated_at, tz)}",
        "",
        f"👥 Người học (đã đồng ý): {number(head.residents)}",
    ]
    if report.suppressed:
        lines += ["", f"🔒 Dưới {report.k} người học: không hiển thị chi tiết để bảo vệ riêng tư."]
        return "\n".join(lines)
    lines += [
        f"🟢 Hoạt động 7 ngày: {number(head.active_7d)} · 30 ngày: {number(head.active_30d)}",
        f"🆕 Mới trong 7 ngày: {number(head.new_7d)}",
        f"📵 Không liên lạc được: {number(head.unreachable)}",
        "",
        "📚 Bài học: bắt đầu → hoàn thành (tỉ lệ) · điểm TB",
    ]
    lines += [_module_line(module) for module in report.modules]
    if report.communes:
        lines += ["", "🏘 Theo xã: người học · lượt hoàn thành"]
        lines += [f"• {c.name}: {number(c.residents)} · {number(sum(c.completions.values()))}" for c in report.communes]
    hardest = report.hardest(HARDEST_SHOWN)
    if hardest:
        lines += ["", "❓ Câu khó nhất (tỉ lệ trả lời đúng):"]
        for question in hardest:
            lines.append(f"• {question.module_title}, câu {question.number}: {percent(question.share_right)} đúng")
            if question.wrong_option_text:
                lines.append(f"   hay chọn nhầm: «{question.wrong_option_text}»")
    return "\n".join(lines)


def _module_line(module: ModuleFigures) -> str:
    score = f" · {decimal(module.avg_score)}" if module.avg_score is not None else ""
    return (
        f"• {module.title}: {number(module.started)} → {number(module.completed)} "
        f"({percent(module.completion_rate) if module.started else '—'}){score}"
    )


def module_detail(report: Report, module_id: str, tz: ZoneInfo) -> str:
    """One module: totals, scores, time to complete, the drop-off funnel, its hardest questions."""
    module, funnel = report.module(module_id), report.funnel(module_id)
    if report.suppressed or module is None:
        return summary(report, tz)
    lines = [
        f"📘 {module.title} · {report.scope_name}",
        f"Bắt đầu {number(module.started)} · Hoàn thành {number(module.completed)} "
        f"({percent(module.completion_rate) if module.started else '—'})",
        f"Điểm TB {decimal(module.avg_score)} · trung vị {decimal(module.median_score)}",
        f"Thời gian hoàn thành (trung vị): {duration(module.median_minutes_to_complete)}",
    ]
    if funnel is not None and funnel.started:
        lines += ["", "🔻 Đi được đến đâu (số người · so với số bắt đầu):"]
        lines += funnel_lines(funnel)
    hardest = report.hardest(HARDEST_SHOWN, module_id=module_id)
    if hardest:
        lines += ["", "❓ Câu khó nhất:"]
        for question in hardest:
            lines.append(f"• Câu {question.number} ({percent(question.share_right)} đúng): {question.text}")
            if question.wrong_option_text:
                lines.append(f"   hay chọn nhầm: «{question.wrong_option_text}» ({number(question.wrong_count)} lượt)")
    return "\n".join(lines)


def funnel_stages(funnel: Funnel) -> list[tuple[str, int]]:
    stages = [(f"Bước {index}", count) for index, count in enumerate(funnel.steps, start=1)]
    stages += [(f"Câu {index}", count) for index, count in enumerate(funnel.questions, start=1)]
    stages.append(("Hoàn thành", funnel.completed))
    return stages


def funnel_lines(funnel: Funnel) -> list[str]:
    return [f"{label}: {number(count)} · {share(count, funnel.started)}" for label, count in funnel_stages(funnel)]


def weekly(report: Report, tz: ZoneInfo, monday: date, completions: dict[str, int], new_residents: int) -> str:
    """The Monday message: last week in a few lines, then where things stand."""
    sunday = date.fromordinal(monday.toordinal() + 6)
    year, week, _ = monday.isocalendar()
    head = report.headline
    lines = [
        f"📅 Báo cáo tuần {week}/{year} ({short_date(monday)}–{short_date(sunday)})",
        f"Phạm vi: {report.scope_name}",
        "",
        f"🆕 Người học mới: {number(new_residents)}",
        f"🎓 Lượt hoàn thành bài trong tuần: {number(sum(completions.values()))}",
    ]
    titles = {module.id: module.title for module in report.modules}
    lines += [f"• {titles.get(module_id, module_id)}: {number(count)}" for module_id, count in completions.items()]
    lines += ["", f"👥 Tổng người học: {number(head.residents)}"]
    if not report.suppressed:
        lines.append(f"🟢 Hoạt động 7 ngày: {number(head.active_7d)}")
        lines.append(f"📵 Không liên lạc được: {number(head.unreachable)}")
    lines += ["", "Xem chi tiết: /stats · Tải số liệu: /export · Tắt báo cáo tuần: /weeklyreport off"]
    return "\n".join(lines)
