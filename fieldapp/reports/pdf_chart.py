"""The village chart: one bar per village against its target (reportlab.graphics, vector, prints sharp).

Each row: the target as a pale outlined bar, what was enrolled over it, what the server accepted darker
inside that, and "45 / 100 (45 %)" at the end; a light dashed grid at each quarter of the scale.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from fieldapp.certificates.fonts import BOLD, REGULAR, clip_text, width
from fieldapp.i18n import tr
from fieldapp.reports.model import Bar
from fieldapp.reports.pdf_table import number_text

MAX_BARS = 20
ROW = 15.0
BAR = 9.0
LABEL_W = 150.0
VALUE_W = 92.0
LEGEND_H = 22.0
TARGET_FILL = colors.HexColor("#eef1ef")
TARGET_EDGE = colors.HexColor("#9aa5a0")
ENROLLED = colors.HexColor("#8fcfb3")
ACCEPTED = colors.HexColor("#0b6e4f")
TEXT = colors.HexColor("#202124")
MUTED = colors.HexColor("#5f6368")


def chosen(bars: Sequence[Bar], limit: int = MAX_BARS) -> list[Bar]:
    """The villages with the most enrolled (ties by name), at most ``limit``."""
    return sorted(bars, key=lambda b: (-b.enrolled, b.label))[:limit]


def _legend(d: Drawing, top: float) -> None:
    x = LABEL_W
    items = ((TARGET_FILL, TARGET_EDGE, tr("Target", "Target")), (ENROLLED, None, tr("Terdaftar", "Enrolled")),
             (ACCEPTED, None, tr("Diterima server", "Accepted by the server")))
    for fill, edge, text in items:
        d.add(Rect(x, top - 10, 12, 8, fillColor=fill, strokeColor=edge, strokeWidth=0.6 if edge else 0))
        d.add(String(x + 16, top - 9, text, fontName=REGULAR, fontSize=7.5, fillColor=TEXT))
        x += 28 + width(text, REGULAR, 7.5)


def bar_chart(bars: Sequence[Bar], total_width: float) -> Drawing:
    shown = chosen(bars)
    height = LEGEND_H + max(len(shown), 1) * ROW + 14
    d = Drawing(total_width, height)
    top = height
    _legend(d, top)
    if not shown:
        d.add(String(0, top - LEGEND_H - 10, tr("Belum ada peserta.", "No participants yet."), fontName=REGULAR,
                     fontSize=8, fillColor=MUTED))
        return d
    area = total_width - LABEL_W - VALUE_W
    scale_max = max(max(b.target, b.enrolled) for b in shown) or 1
    per_unit = area / scale_max
    base = top - LEGEND_H - len(shown) * ROW - 2
    for fraction in (0.25, 0.5, 0.75, 1.0):
        x = LABEL_W + area * fraction
        d.add(Line(x, base, x, top - LEGEND_H, strokeColor=colors.HexColor("#dfe4e1"), strokeWidth=0.4,
                   strokeDashArray=[2, 2]))
        d.add(String(x, base - 9, number_text(round(scale_max * fraction)), fontName=REGULAR, fontSize=6.5,
                     fillColor=MUTED, textAnchor="middle"))
    y = top - LEGEND_H
    for b in shown:
        y -= ROW
        label = clip_text(b.label, REGULAR, 7.5, LABEL_W - 8)
        d.add(String(LABEL_W - 6, y + 2.5, label, fontName=REGULAR, fontSize=7.5, fillColor=TEXT, textAnchor="end"))
        bar_y = y + (ROW - BAR) / 2 - 1.5
        if b.target:
            d.add(Rect(LABEL_W, bar_y, b.target * per_unit, BAR, fillColor=TARGET_FILL, strokeColor=TARGET_EDGE,
                       strokeWidth=0.6))
        if b.enrolled:
            d.add(Rect(LABEL_W, bar_y + 1.5, b.enrolled * per_unit, BAR - 3, fillColor=ENROLLED, strokeWidth=0,
                       strokeColor=None))
        if b.accepted:
            d.add(Rect(LABEL_W, bar_y + 3, b.accepted * per_unit, BAR - 6, fillColor=ACCEPTED, strokeWidth=0,
                       strokeColor=None))
        pct = f" ({round(100 * b.enrolled / b.target)} %)" if b.target else ""
        value = f"{number_text(b.enrolled)} / {number_text(b.target)}{pct}"
        reached = b.target and b.enrolled >= b.target
        d.add(String(LABEL_W + area + 6, y + 2.5, value, fontName=BOLD if reached else REGULAR, fontSize=7.5,
                     fillColor=ACCEPTED if reached else TEXT))
    d.add(Line(LABEL_W, base, LABEL_W, top - LEGEND_H, strokeColor=TARGET_EDGE, strokeWidth=0.6))
    return d
