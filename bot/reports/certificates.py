"""A completion certificate: a picture a resident can keep, show the family, or print at the commune.

It records self-study in the bot and says so plainly; it is not a state diploma or certificate, and
it carries no seal. Drawn with matplotlib's object API on the Agg canvas (safe in a worker thread);
DejaVu Sans, which ships with matplotlib, has every Vietnamese letter. Nothing is stored: the picture
is drawn when asked for, from the name and result already kept.
"""

from __future__ import annotations

import functools
import io
import textwrap
import unicodedata
from dataclasses import dataclass

from bot.messages import Attachment
from bot.texts import t

FAMILY = "DejaVu Sans"
INK, ACCENT, MUTED = "#1b3a5c", "#2e7d32", "#5f6b76"
WIDTH, HEIGHT, DPI = 11.0, 7.8, 110  # inches: about 1210 x 860 pixels, readable on a phone


@dataclass(frozen=True, slots=True)
class Certificate:
    language: str
    name: str | None
    module_title: str
    score: int
    day: str  # already in local time, dd/mm/yyyy

    @property
    def filename(self) -> str:
        return "chung-nhan.png" if self.language == "vi" else "certificate.png"


def printable_name(name: str | None) -> str | None:
    """The name without emoji and other symbols (Telegram names often carry some; the certificate's
    font has none of them and would print empty boxes): letters, marks, digits, spaces, punctuation."""
    if not name:
        return None
    kept = "".join(ch for ch in name if unicodedata.category(ch)[0] in "LMNPZ" and ch.isprintable())
    return " ".join(kept.split())[:40] or None


def render_certificate(certificate: Certificate) -> bytes:
    # Imported here: matplotlib takes a while to load, and only someone asking for a certificate needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    def words(key: str, **values: object) -> str:
        return t(certificate.language, f"cert_{key}", **values)

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    # Two frames, the outer in the accent colour, as on the certificates people know.
    figure.add_artist(Rectangle((0.02, 0.03), 0.96, 0.94, transform=figure.transFigure, fill=False, lw=5, ec=ACCENT))
    figure.add_artist(Rectangle((0.035, 0.05), 0.93, 0.90, transform=figure.transFigure, fill=False, lw=1.5, ec=INK))

    def line(y: float, text: str, size: float, color: str = INK, weight: str = "normal") -> None:
        figure.text(0.5, y, text, ha="center", va="center", fontsize=size, color=color, weight=weight, family=FAMILY)

    line(0.86, words("title"), 34, ACCENT, "bold")
    line(0.78, words("subtitle"), 17, MUTED)
    line(0.67, words("certifies"), 16)
    line(0.58, printable_name(certificate.name) or words("nobody"), 30, INK, "bold")
    line(0.48, words("completed"), 16)
    title_lines = textwrap.wrap(f"«{certificate.module_title}»", width=42) or [""]
    for offset, part in enumerate(title_lines[:2]):
        line(0.39 - offset * 0.065, part, 24, ACCENT, "bold")
    line(0.24, words("score", score=certificate.score, day=certificate.day), 16)
    line(0.15, words("issuer"), 13, MUTED)
    line(0.09, words("note"), 10, MUTED)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def certificate_attachment(*, language: str, name: str | None, module_title: str, score: int, day: str) -> Attachment:
    """The certificate as the journey hands it to a channel: drawn only when the channel sends it,
    after the update's transaction, off the event loop."""
    certificate = Certificate(language, name, module_title, score, day)
    return Attachment(certificate.filename, functools.partial(render_certificate, certificate))
