"""A completion certificate: a picture a resident can keep, show the family, or print at the commune.

It records self-study in the bot and says so plainly; it is not a state diploma or certificate, and
it carries no seal. Drawn with matplotlib's object API on the Agg canvas (safe in a worker thread);
DejaVu Sans, which ships with matplotlib, has every Vietnamese letter. The picture is drawn when asked
for; what is stored is the certificate's record (bot/storage/certificates.py), whose code the picture
carries, with a QR (segno) to the public check page when PUBLIC_BASE_URL is set, and the issuer's name
(CERT_ISSUER). The digital-skills passport is drawn here too, portrait, listing modules and competences.
"""

from __future__ import annotations

import functools
import io
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
    code: str | None = None  # as shown, ABCDE-12345
    issuer: str | None = None  # CERT_ISSUER; the assistant's own name when unset
    verify_url: str | None = None  # PUBLIC_BASE_URL/v/CODE, drawn as a QR

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
    line(0.255, words("score", score=certificate.score, day=certificate.day), 16)
    line(0.2, certificate.issuer or words("issuer"), 13, MUTED)
    line(0.155, words("note"), 10, MUTED)
    _draw_check(figure, certificate.language, certificate.code, certificate.verify_url, (0.81, 0.075, 0.14, 0.2), 0.06)
    return _png(figure)


def _draw_check(
    figure: Any, language: str, code: str | None, url: str | None, box: tuple[float, ...], left: float
) -> None:
    """The code in the bottom left corner and, with a public address, a QR (in `box`) to the check page."""
    if code is None:
        return
    x, y = left, box[1] + 0.005
    figure.text(x, y + 0.028, t(language, "cert_code", code=code), fontsize=12, color=INK, weight="bold", family=FAMILY)
    how = t(language, "cert_check_at", url=url) if url else t(language, "cert_check_in_bot", code=code)
    figure.text(x, y, how, fontsize=8.5, color=MUTED, family=FAMILY)
    if url:
        axes = figure.add_axes(box)
        axes.imshow(qr_matrix(url), cmap="gray_r", interpolation="nearest")
        axes.set_axis_off()


def qr_matrix(url: str) -> list[list[int]]:
    """The QR code of `url` as rows of 0 (light) and 1 (dark), with the quiet zone readers need."""
    import segno

    qr = segno.make(url, error="m", micro=False)
    return [[int(bool(cell)) for cell in row] for row in qr.matrix_iter(scale=1, border=4)]


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Passport:
    """The digital-skills passport: every core module with its score, and the competences covered."""

    language: str
    name: str | None
    modules: Sequence[tuple[str, int]]  # (title, best score)
    competences: Sequence[str]  # already named in the language
    score: int
    day: str
    code: str | None = None
    issuer: str | None = None
    verify_url: str | None = None

    @property
    def filename(self) -> str:
        return "ho-chieu-ky-nang-so.png" if self.language == "vi" else "digital-skills-passport.png"


def render_passport(passport: Passport) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    def words(key: str, **values: object) -> str:
        return t(passport.language, key, **values)

    figure = Figure(figsize=(8.3, 11.7), dpi=DPI, facecolor="white")  # A4 portrait: it lists more
    FigureCanvasAgg(figure)
    figure.add_artist(Rectangle((0.025, 0.02), 0.95, 0.96, transform=figure.transFigure, fill=False, lw=5, ec=ACCENT))
    figure.add_artist(Rectangle((0.04, 0.03), 0.92, 0.94, transform=figure.transFigure, fill=False, lw=1.5, ec=INK))

    def line(y: float, text: str, size: float, color: str = INK, weight: str = "normal", x: float = 0.5) -> None:
        align = "center" if x == 0.5 else "left"
        figure.text(x, y, text, ha=align, va="center", fontsize=size, color=color, weight=weight, family=FAMILY)

    line(0.92, words("passport_title"), 28, ACCENT, "bold")
    line(0.88, words("passport_subtitle"), 14, MUTED)
    line(0.83, words("cert_certifies"), 13)
    line(0.79, printable_name(passport.name) or words("cert_nobody"), 24, INK, "bold")
    line(0.745, words("passport_completed"), 12)
    y = 0.71
    for title, score in passport.modules[:8]:
        line(y, f"✓ {textwrap.shorten(title, 48, placeholder='…')} — {score}%", 12.5, ACCENT, "bold", x=0.1)
        y -= 0.03
    y -= 0.01
    line(y, words("passport_competences"), 12, INK, "bold", x=0.1)
    y -= 0.025
    for competence in passport.competences[:18]:
        line(y, "• " + textwrap.shorten(competence, 78, placeholder="…"), 9.5, INK, x=0.1)
        y -= 0.021
    line(0.215, words("passport_score", score=passport.score, day=passport.day), 13)
    line(0.18, passport.issuer or words("cert_issuer"), 11, MUTED)
    line(0.05, words("cert_note"), 8, MUTED)
    _draw_check(figure, passport.language, passport.code, passport.verify_url, (0.74, 0.07, 0.2, 0.14), 0.08)
    return _png(figure)


def certificate_attachment(
    *,
    language: str,
    name: str | None,
    module_title: str,
    score: int,
    day: str,
    code: str | None = None,
    issuer: str | None = None,
    base_url: str | None = None,
) -> Attachment:
    """The certificate as the journey hands it to a channel: drawn only when the channel sends it,
    after the update's transaction, off the event loop."""
    url = verify_url(base_url, code)
    certificate = Certificate(language, name, module_title, score, day, code, issuer, url)
    return Attachment(certificate.filename, functools.partial(render_certificate, certificate))


def passport_attachment(
    *,
    language: str,
    name: str | None,
    modules: Sequence[tuple[str, int]],
    competences: Sequence[str],
    score: int,
    day: str,
    code: str | None = None,
    issuer: str | None = None,
    base_url: str | None = None,
) -> Attachment:
    url = verify_url(base_url, code)
    passport = Passport(language, name, modules, competences, score, day, code, issuer, url)
    return Attachment(passport.filename, functools.partial(render_passport, passport))


def verify_url(base_url: str | None, code: str | None) -> str | None:
    """Where the QR leads: PUBLIC_BASE_URL/v/ABCDE-12345 (the page also reads it without the dash)."""
    return f"{base_url.rstrip('/')}/v/{code}" if base_url and code else None
