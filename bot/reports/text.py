"""Reports as short text, for Telegram (one phone screen or two) and the terminal, in the reader's
language. Vietnamese formats numbers as 1.234 and 36,6%; English as 1,234 and 36.6%.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.reports.figures import Funnel, HelpFigures, ModuleFigures, Report
from bot.reports.passport import PassportFigures
from bot.texts import t

HARDEST_SHOWN = 3
_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}  # thousands, decimal


def number(value: int | None, language: str = "vi") -> str:
    if value is None:
        return "—"
    thousands, _ = _SEPARATORS.get(language, _SEPARATORS["vi"])
    return f"{value:,}".replace(",", thousands)


def decimal(value: float | None, digits: int = 1, language: str = "vi") -> str:
    if value is None:
        return "—"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    _, point = _SEPARATORS.get(language, _SEPARATORS["vi"])
    return text.replace(".", point)


def percent(share: float | None, language: str = "vi") -> str:
    return "—" if share is None else f"{decimal(100 * share, language=language)}%"


def share(part: int, whole: int, language: str = "vi") -> str:
    return percent(part / whole, language) if whole else "—"


def duration(minutes: float | None, language: str = "vi") -> str:
    if minutes is None:
        return "—"
    if minutes < 90:
        return t(language, "minutes", value=decimal(minutes, 0, language))
    if minutes < 48 * 60:
        return t(language, "hours", value=decimal(minutes / 60, language=language))
    return t(language, "days_count", value=decimal(minutes / 1440, language=language))


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M")


def short_date(day: date) -> str:
    return day.strftime("%d/%m")


def summary(report: Report, tz: ZoneInfo, language: str = "vi") -> str:
    """The /stats and `stats` summary: who is learning, which modules, where, what is hard."""
    head, n = report.headline, lambda value: number(value, language)
    lines = [
        t(language, "stats_title", scope=report.scope_name),
        f"🕒 {local_time(report.generated_at, tz)}",
        "",
        t(language, "stats_residents", count=n(head.residents)),
    ]
    if report.suppressed:
        lines += ["", t(language, "stats_suppressed", k=report.k)]
        return "\n".join(lines)
    lines += [
        t(language, "stats_active", week=n(head.active_7d), month=n(head.active_30d)),
        t(language, "stats_new", count=n(head.new_7d)),
        t(language, "stats_unreachable", count=n(head.unreachable)),
        "",
        t(language, "stats_modules"),
    ]
    lines += [_module_line(module, language) for module in report.modules]
    if report.communes:
        lines += ["", t(language, "stats_communes")]
        lines += [f"• {c.name}: {n(c.residents)} · {n(sum(c.completions.values()))}" for c in report.communes]
    if report.passport is not None:
        lines += ["", *passport_lines(report.passport, language)]
    if report.help:
        lines += ["", t(language, "stats_help")]
        lines += [_help_line(row, language) for row in report.help]
    hardest = report.hardest(HARDEST_SHOWN)
    if hardest:
        lines += ["", t(language, "stats_hardest")]
        for question in hardest:
            right = percent(question.share_right, language)
            lines.append(
                t(language, "stats_hard_line", title=question.module_title, number=question.number, share=right)
            )
            if question.wrong_option_text:
                lines.append(t(language, "stats_often_wrong", option=question.wrong_option_text))
    return "\n".join(lines)


def passport_lines(passport: PassportFigures, language: str) -> list[str]:
    """Residents holding the digital-skills passport, against the target, and per commune."""
    lines = [
        t(
            language,
            "stats_passport_header",
            holders=number(passport.holders, language),
            residents=number(passport.residents, language),
            share=percent(passport.share, language),
        )
    ]
    if passport.target is not None:
        lines.append(t(language, "stats_passport_target", target=decimal(passport.target, language=language)))
    lines += [
        f"• {c.name}: {number(c.holders, language)}/{number(c.residents, language)} ({percent(c.share, language)})"
        for c in passport.communes
    ]
    return lines


def _help_line(row: HelpFigures, language: str) -> str:
    """• Xã Nghĩa Tá: 12 hỏi · 10 được trả lời · trung vị 35 phút · 80% trong ngày"""
    median = duration(row.median_minutes_to_answer, language)
    share_text = percent(row.share_within_day, language) if row.share_within_day is not None else "—"
    return t(
        language,
        "stats_help_line",
        commune=row.name,
        asked=number(row.asked, language),
        answered=number(row.answered, language),
        median=median,
        share=share_text,
    )


def _module_line(module: ModuleFigures, language: str) -> str:
    score = f" · {decimal(module.avg_score, language=language)}" if module.avg_score is not None else ""
    rate = percent(module.completion_rate, language) if module.started else "—"
    return (
        f"• {module.title}: {number(module.started, language)} → {number(module.completed, language)} ({rate}){score}"
    )


def module_detail(report: Report, module_id: str, tz: ZoneInfo, language: str = "vi") -> str:
    """One module: totals, scores, time to complete, the drop-off funnel, its hardest questions."""
    module, funnel = report.module(module_id), report.funnel(module_id)
    if report.suppressed or module is None:
        return summary(report, tz, language)
    rate = percent(module.completion_rate, language) if module.started else "—"
    lines = [
        f"📘 {module.title} · {report.scope_name}",
        t(
            language,
            "module_started_completed",
            started=number(module.started, language),
            completed=number(module.completed, language),
            rate=rate,
        ),
        t(
            language,
            "module_scores",
            average=decimal(module.avg_score, language=language),
            median=decimal(module.median_score, language=language),
        ),
        t(language, "module_time", duration=duration(module.median_minutes_to_complete, language)),
    ]
    if funnel is not None and funnel.started:
        lines += ["", t(language, "module_funnel")]
        lines += funnel_lines(funnel, language)
    hardest = report.hardest(HARDEST_SHOWN, module_id=module_id)
    if hardest:
        lines += ["", t(language, "module_hardest")]
        for question in hardest:
            right = percent(question.share_right, language)
            lines.append(t(language, "module_hard_line", number=question.number, share=right, text=question.text))
            if question.wrong_option_text:
                count = number(question.wrong_count, language)
                lines.append(t(language, "stats_often_wrong_count", option=question.wrong_option_text, count=count))
    return "\n".join(lines)


def funnel_stages(funnel: Funnel, language: str = "vi") -> list[tuple[str, int]]:
    stages = [(t(language, "funnel_step", number=index), count) for index, count in enumerate(funnel.steps, 1)]
    stages += [(t(language, "funnel_question", number=index), count) for index, count in enumerate(funnel.questions, 1)]
    stages.append((t(language, "funnel_completed"), funnel.completed))
    return stages


def funnel_lines(funnel: Funnel, language: str = "vi") -> list[str]:
    return [
        f"{label}: {number(count, language)} · {share(count, funnel.started, language)}"
        for label, count in funnel_stages(funnel, language)
    ]


def weekly(
    report: Report, tz: ZoneInfo, monday: date, completions: dict[str, int], new_residents: int, language: str = "vi"
) -> str:
    """The Monday message: last week in a few lines, then where things stand."""
    sunday = date.fromordinal(monday.toordinal() + 6)
    year, week, _ = monday.isocalendar()
    head, n = report.headline, lambda value: number(value, language)
    lines = [
        t(language, "weekly_title", week=week, year=year, monday=short_date(monday), sunday=short_date(sunday)),
        t(language, "weekly_scope", scope=report.scope_name),
        "",
        t(language, "weekly_new", count=n(new_residents)),
        t(language, "weekly_completions", count=n(sum(completions.values()))),
    ]
    titles = {module.id: module.title for module in report.modules}
    lines += [f"• {titles.get(module_id, module_id)}: {n(count)}" for module_id, count in completions.items()]
    lines += ["", t(language, "weekly_total", count=n(head.residents))]
    if not report.suppressed:
        lines.append(t(language, "weekly_active", count=n(head.active_7d)))
        lines.append(t(language, "stats_unreachable", count=n(head.unreachable)))
    lines += ["", t(language, "weekly_footer")]
    return "\n".join(lines)
