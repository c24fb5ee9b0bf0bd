"""Charts as PNG bytes, drawn with matplotlib's object API on the Agg canvas.

No pyplot: its global state is not safe across threads, and the bot draws in a worker thread so the
event loop keeps answering residents. DejaVu Sans ships with matplotlib and has every Vietnamese
letter (ệ, ữ, ở ...), so labels render without any system font.
"""

from __future__ import annotations

import io
import textwrap
from zoneinfo import ZoneInfo

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bot.reports.figures import Funnel, Report
from bot.reports.queries import monday_of
from bot.reports.text import funnel_stages, number
from bot.texts import t

FAMILY = "DejaVu Sans"
STARTED, COMPLETED, STEP, QUESTION, DONE = "#9ecae1", "#2171b5", "#9ecae1", "#fdae6b", "#31a354"
THIS_WEEK = "#a1d99b"  # the current, unfinished week: lighter, so its short bar is not read as a drop
WEEKS_SHOWN = 16
DPI = 110


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _thousands(axis: Axes, which: str) -> None:
    """Vietnamese digit grouping on an axis: 35.000, not 35000."""
    formatter = FuncFormatter(lambda value, _: f"{value:,.0f}".replace(",", "."))
    (axis.xaxis if which == "x" else axis.yaxis).set_major_formatter(formatter)


def _label(text: str, width: int = 24) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def overview_png(report: Report, tz: ZoneInfo, language: str = "vi") -> bytes:
    """Started and completed per module, and completions per week (the last few months)."""
    modules = list(reversed(report.modules))  # barh draws bottom-up: keep the menu order top-down
    figure = Figure(figsize=(8, 2.2 + 0.55 * len(modules) + 2.6), layout="constrained")
    top, bottom = figure.subplots(2, 1, height_ratios=[max(2.0, 0.55 * len(modules)), 2.6])
    positions = range(len(modules))
    top.barh(
        [p + 0.2 for p in positions],
        [m.started for m in modules],
        0.4,
        label=t(language, "chart_started"),
        color=STARTED,
    )
    top.barh(
        [p - 0.2 for p in positions],
        [m.completed for m in modules],
        0.4,
        label=t(language, "chart_completed"),
        color=COMPLETED,
    )
    top.set_yticks(list(positions), [_label(m.title) for m in modules], fontfamily=FAMILY)
    top.set_title(t(language, "chart_overview_title", scope=report.scope_name), fontfamily=FAMILY, fontsize=12)
    top.legend(prop={"family": FAMILY}, loc="lower right")
    top.set_xlabel(t(language, "chart_people"), fontfamily=FAMILY)
    top.grid(axis="x", alpha=0.3)
    _thousands(top, "x")

    weeks = report.weeks[-WEEKS_SHOWN:]
    current = monday_of(report.generated_at.astimezone(tz).date())
    if weeks:
        colours = [THIS_WEEK if w.start == current else DONE for w in weeks]
        labels = [w.start.strftime("%d/%m") + ("*" if w.start == current else "") for w in weeks]
        bottom.bar(range(len(weeks)), [w.completions for w in weeks], color=colours)
        bottom.set_xticks(range(len(weeks)), labels, rotation=45, fontfamily=FAMILY, fontsize=8)
    bottom.set_title(t(language, "chart_weekly_title"), fontfamily=FAMILY)
    bottom.grid(axis="y", alpha=0.3)
    _thousands(bottom, "y")
    return _png(figure)


def funnel_png(funnel: Funnel, scope_name: str, language: str = "vi") -> bytes:
    """How many reached each step and question of one module: where people stop."""
    kinds = [STEP] * len(funnel.steps) + [QUESTION] * len(funnel.questions) + [DONE]
    stages = list(reversed(funnel_stages(funnel, language)))
    colours = list(reversed(kinds))
    figure = Figure(figsize=(8, 1.5 + 0.32 * len(stages)), layout="constrained")
    axes = figure.subplots()
    axes.barh(range(len(stages)), [count for _, count in stages], color=colours)
    axes.set_yticks(range(len(stages)), [label for label, _ in stages], fontfamily=FAMILY)
    for position, (_, count) in enumerate(stages):
        axes.annotate(
            number(count, language),
            (count, position),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            fontfamily=FAMILY,
        )
    axes.set_title(
        t(language, "chart_funnel_title", title=funnel.title, scope=scope_name), fontfamily=FAMILY, fontsize=12
    )
    axes.set_xlabel(t(language, "chart_funnel_axis"), fontfamily=FAMILY)
    axes.grid(axis="x", alpha=0.3)
    axes.set_xlim(0, max(1, max(count for _, count in stages)) * 1.12)  # room for the numbers
    _thousands(axes, "x")
    return _png(figure)
