"""The report as files an admin opens in Excel: XLSX (one sheet per view) and CSV (one file).

Both are built from the same views, so they always agree. They hold aggregates only: no names, no
Telegram ids, nothing about one person; the k-anonymity rule of `privacy` has already been applied.

- XLSX: one sheet per view, Vietnamese headers, numbers stored as numbers (rates as 0.366 with a
  percent format, dates as dates), a frozen header row with filters, and columns wide enough to read.
- CSV: a single "long" table (Bảng, Mã, Tên, Chi tiết, Chỉ số, Giá trị): one line per figure. The views
  have different columns, and a long table is the one shape that fits them all in one file, sorts and
  filters in Excel (AutoFilter, PivotTable) and reads back in any tool. UTF-8 with a BOM so Excel shows
  Vietnamese; comma-separated with "." decimals (machine-readable; the XLSX is the file for reading).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.reports.figures import Report
from bot.reports.text import funnel_stages, local_time

PERCENT = "0.0%"
DECIMAL = "0.0"
DATE = "DD/MM/YYYY"
MAX_WIDTH = 60


@dataclass
class View:
    """One table: key columns name a row (id, name, detail), value columns hold the figures."""

    title: str  # the sheet name: at most 31 characters, none of []:*?/\
    keys: tuple[str, ...]
    values: tuple[str, ...]
    rows: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)  # value header -> Excel number format

    def add(self, keys: tuple[Any, ...], values: tuple[Any, ...]) -> None:
        self.rows.append((keys, values))


def views(report: Report, tz: ZoneInfo) -> list[View]:
    head = report.headline
    overview = View("Tổng quan", ("Mã", "Chỉ số"), ("Giá trị",))
    for code, label, value in (
        ("scope", "Phạm vi", report.scope_name),
        ("generated_at", "Thời điểm lập", local_time(report.generated_at, tz)),
        ("k_anonymity", f"Ngưỡng ẩn danh (nhóm dưới {report.k} người không tách riêng)", report.k),
        ("residents", "Người học (đã đồng ý)", head.residents),
        ("onboarded", "Đã chọn xã", head.onboarded),
        ("new_7d", "Mới trong 7 ngày", head.new_7d),
        ("active_7d", "Hoạt động trong 7 ngày", head.active_7d),
        ("active_30d", "Hoạt động trong 30 ngày", head.active_30d),
        ("unreachable", "Không liên lạc được (đã chặn bot)", head.unreachable),
    ):
        overview.add((code, label), (value,))
    if report.suppressed:
        overview.add(("suppressed", "Ghi chú"), (f"Dưới {report.k} người học: không có số liệu chi tiết",))
        return [overview]

    modules = View(
        "Bài học",
        ("Mã bài", "Bài học"),
        (
            "Số bước",
            "Số câu hỏi",
            "Bắt đầu",
            "Hoàn thành",
            "Tỉ lệ hoàn thành",
            "Đã làm bài kiểm tra",
            "Điểm TB (%)",
            "Điểm trung vị (%)",
            "Thời gian hoàn thành trung vị (phút)",
        ),
        formats={
            "Tỉ lệ hoàn thành": PERCENT,
            "Điểm TB (%)": DECIMAL,
            "Điểm trung vị (%)": DECIMAL,
            "Thời gian hoàn thành trung vị (phút)": DECIMAL,
        },
    )
    for m in report.modules:
        modules.add(
            (m.id, m.title),
            (
                m.steps,
                m.questions,
                m.started,
                m.completed,
                m.completion_rate,
                m.scored,
                m.avg_score,
                m.median_score,
                m.median_minutes_to_complete,
            ),
        )

    titles = [m.title for m in report.modules]
    communes = View("Theo xã", ("Mã xã", "Xã"), ("Người học", *(f"Hoàn thành: {t}" for t in titles), "Tổng lượt"))
    for c in report.communes:
        per_module = [c.completions.get(m.id, 0) for m in report.modules]
        name = f"{c.name}: {', '.join(c.merged)}" if c.merged else c.name
        communes.add((c.id, name), (c.residents, *per_module, sum(per_module)))

    funnel = View(
        "Phễu",
        ("Mã bài", "Bài học", "Giai đoạn"),
        ("Số người", "So với số bắt đầu"),
        formats={"So với số bắt đầu": PERCENT},
    )
    for f in report.funnels:
        for label, count in funnel_stages(f):
            funnel.add((f.module_id, f.title, label), (count, round(count / f.started, 4) if f.started else None))

    questions = View(
        "Câu hỏi",
        ("Mã bài", "Bài học", "Câu"),
        (
            "Nội dung",
            "Lượt trả lời",
            "Người trả lời (lần đầu)",
            "Tỉ lệ đúng",
            "Phương án sai hay chọn nhất",
            "Số lượt chọn phương án đó",
        ),
        formats={"Tỉ lệ đúng": PERCENT},
    )
    for q in sorted(report.questions, key=lambda q: (q.share_right, q.module_id, q.number)):
        questions.add(
            (q.module_id, q.module_title, q.number),
            (q.text, q.answers, q.residents, q.share_right, q.wrong_option_text, q.wrong_count),
        )

    weeks = View("Theo tuần", ("Tuần", "Từ ngày"), ("Lượt hoàn thành",), formats={"Từ ngày": DATE})
    for w in report.weeks:
        weeks.add((w.label, w.start), (w.completions,))

    asked = View(
        "Hỏi người hướng dẫn",
        ("Mã xã", "Xã"),
        ("Câu hỏi", "Được trả lời", "Thời gian đến câu trả lời đầu, trung vị (phút)", "Tỉ lệ trả lời trong 1 ngày"),
        formats={
            "Thời gian đến câu trả lời đầu, trung vị (phút)": DECIMAL,
            "Tỉ lệ trả lời trong 1 ngày": PERCENT,
        },
    )
    for row in report.help:
        name = f"{row.name}: {', '.join(row.merged)}" if row.merged else row.name
        asked.add((row.id, name), (row.asked, row.answered, row.median_minutes_to_answer, row.share_within_day))
    return [overview, modules, communes, funnel, questions, weeks, *passport_views(report), asked]


def passport_views(report: Report) -> list[View]:
    """The digital-skills passport as an officer reports it upward: commune, residents, passport
    holders, share, target (one row per commune, then the total); and mastery per competence."""
    passport = report.passport
    if passport is None:
        return []
    target = round(passport.target / 100, 4) if passport.target is not None else None
    holders = View(
        "Phổ cập kỹ năng số",
        ("Mã xã", "Xã"),
        ("Người học", "Có hộ chiếu kỹ năng số", "Tỉ lệ", "Mục tiêu"),
        formats={"Tỉ lệ": PERCENT, "Mục tiêu": PERCENT},
    )
    for c in passport.communes:
        name = f"{c.name}: {', '.join(c.merged)}" if c.merged else c.name
        holders.add((c.id, name), (c.residents, c.holders, c.share, target))
    holders.add(("all", f"Tổng: {report.scope_name}"), (passport.residents, passport.holders, passport.share, target))
    competences = View(
        "Năng lực số",
        ("Khung", "Mã", "Năng lực"),
        ("Số câu hỏi", "Người nắm vững", "Tỉ lệ"),
        formats={"Tỉ lệ": PERCENT},
    )
    frameworks = {"digcomp": "DigComp 2.2", "vn_framework": "Khung KNS cơ bản"}
    for m in passport.competences:
        competences.add((frameworks.get(m.framework, m.framework), m.code, m.name), (m.questions, m.mastered, m.share))
    return [holders, competences]


def to_csv(report: Report, tz: ZoneInfo) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # CRLF: what Excel writes and expects
    writer.writerow(("Bảng", "Mã", "Tên", "Chi tiết", "Chỉ số", "Giá trị"))
    for view in views(report, tz):
        for keys, values in view.rows:
            padded = [_cell(key) for key in keys] + [""] * (3 - len(keys))
            for header, value in zip(view.values, values, strict=True):
                writer.writerow((view.title, *padded, header, _cell(value)))
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_xlsx(report: Report, tz: ZoneInfo) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for view in views(report, tz):
        sheet = workbook.create_sheet(view.title)
        headers = (*view.keys, *view.values)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for keys, values in view.rows:
            sheet.append([*keys, *values])
        for column, header in enumerate(headers, start=1):
            number_format = view.formats.get(header)
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                    cell.number_format = number_format
            width = max([len(str(header)) // 2 + 2, *(len(_shown(row, column - 1)) + 2 for row in view.rows)])
            sheet.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, max(8, width))
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _shown(row: tuple[tuple[Any, ...], tuple[Any, ...]], index: int) -> str:
    keys, values = row
    cells = (*keys, *values)
    value = cells[index]
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, date):
        return "00/00/0000"
    return "" if value is None else str(value)
