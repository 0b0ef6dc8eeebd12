"""The TrueType fonts embedded in every certificate and card (DejaVu Sans, shipped in resources/fonts).

ReportLab's standard 14 fonts cover only Latin-1 and are not embedded; DejaVu covers every Latin accent a
name may carry. Fonts are registered once per process; ReportLab embeds each used font once per document
(as a subset), however many pages share the canvas.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from fieldapp.errors import UserFacingError
from fieldapp.paths import resources_dir

REGULAR = "FieldappSans"
BOLD = "FieldappSans-Bold"

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_lock = threading.Lock()
_registered = False


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def register_fonts() -> None:
    """Register the fonts with ReportLab (idempotent, thread-safe)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, file_name in _FILES.items():
            path = fonts_dir() / file_name
            if not path.is_file():
                raise UserFacingError(
                    f"Berkas huruf {file_name} tidak ditemukan; pasang ulang aplikasi.",
                    f"Font file {file_name} is missing; reinstall the application.",
                    code="font_missing",
                )
            pdfmetrics.registerFont(TTFont(name, str(path)))
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
        _registered = True


def width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def fit_size(text: str, font: str, size: float, max_width: float, min_size: float) -> float:
    """The largest size ≤ ``size`` (in 0.5 pt steps, not below ``min_size``) at which ``text`` fits."""
    natural = width(text, font, size)
    if natural <= max_width:
        return size
    fitted = size * max_width / natural
    return max(min_size, int(fitted * 2) / 2)


def clip_text(text: str, font: str, size: float, max_width: float) -> str:
    """``text`` cut with an ellipsis so that it fits in ``max_width`` (unchanged when it fits)."""
    if width(text, font, size) <= max_width:
        return text
    ellipsis = "…"
    budget = max_width - width(ellipsis, font, size)
    lo, hi = 0, len(text)
    while lo < hi:  # longest prefix that fits
        mid = (lo + hi + 1) // 2
        if width(text[:mid], font, size) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ellipsis


def wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Greedy word wrap; a single word wider than the line is clipped."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if width(candidate, font, size) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = clip_text(word, font, size, max_width)
    if current:
        lines.append(current)
    return lines
