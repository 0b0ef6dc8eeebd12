"""Colours and small drawing helpers shared by the certificate and the card."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from reportlab.lib.colors import Color
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

INK = Color(0.11, 0.12, 0.13)
MUTED = Color(0.36, 0.38, 0.40)
PRIMARY = Color(0.05, 0.32, 0.29)  # deep teal
PRIMARY_TINT = Color(0.90, 0.95, 0.94)
ACCENT = Color(0.70, 0.56, 0.24)  # muted gold
ALERT = Color(0.62, 0.12, 0.10)  # reprint stamp
ALERT_TINT = Color(0.99, 0.95, 0.94)
HAIRLINE = Color(0.80, 0.82, 0.83)


def _image_size(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _cached_size(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _cached_size(path: str, mtime_ns: int, size: int) -> tuple[int, int] | None:
    try:
        return ImageReader(path).getSize()
    except Exception:  # an unreadable logo must not stop a print run of 1,000 papers
        return None


def draw_image_fit(
    canvas: Canvas, path: Path | str, x: float, y: float, max_w: float, max_h: float, *, align: str = "left"
) -> float:
    """Draw the image inside the box (lower-left x, y) keeping its aspect; return the width used (0 when
    the file cannot be read). ReportLab embeds each file once per document, whatever the page count."""
    size = _image_size(str(path))
    if not size or not size[0] or not size[1]:
        return 0.0
    scale = min(max_w / size[0], max_h / size[1])
    w, h = size[0] * scale, size[1] * scale
    if align == "center":
        x += (max_w - w) / 2
    elif align == "right":
        x += max_w - w
    canvas.drawImage(str(path), x, y + (max_h - h) / 2, w, h, mask="auto")
    return w
