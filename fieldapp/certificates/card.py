"""Participant cards, ID-1 size (85.6 × 54 mm), ten to an A4 portrait sheet (2 columns × 5 rows).

The cards touch each other, so one cut serves two cards; crop marks in the sheet margin show where to cut
with a guillotine, and faint cut lines help whoever cuts with scissors. Everything on a card keeps at least
2 mm from its edge so an imprecise cut loses nothing.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from fieldapp.certificates import wording as w
from fieldapp.certificates.fonts import BOLD, REGULAR, clip_text, fit_size, width, wrap
from fieldapp.certificates.model import CertificateData
from fieldapp.certificates.qr import draw_qr_ops
from fieldapp.certificates.style import ALERT, ALERT_TINT, HAIRLINE, INK, MUTED, PRIMARY

SHEET_W, SHEET_H = A4
CARD_W, CARD_H = 85.6 * mm, 54 * mm
COLUMNS, ROWS = 2, 5
PER_SHEET = COLUMNS * ROWS
GRID_X = (SHEET_W - COLUMNS * CARD_W) / 2
GRID_Y = (SHEET_H - ROWS * CARD_H) / 2

PAD = 2.5 * mm  # safe distance from the cut
QR_SIZE = 25 * mm
BAND_H = 24
LABEL_W = 53


def slot_origin(index: int) -> tuple[float, float]:
    """Lower-left corner of slot ``index`` (0-9), filled left to right, top to bottom."""
    col, row = index % COLUMNS, index // COLUMNS
    return GRID_X + col * CARD_W, SHEET_H - GRID_Y - (row + 1) * CARD_H


def draw_sheet_marks(c: Canvas, sheet_no: int, sheets: int) -> None:
    """Crop marks in the margins, faint cut lines across the grid, and a small sheet note."""
    right, top = GRID_X + COLUMNS * CARD_W, SHEET_H - GRID_Y
    c.setStrokeColor(HAIRLINE)
    c.setLineWidth(0.3)
    for i in range(COLUMNS + 1):
        x = GRID_X + i * CARD_W
        c.line(x, GRID_Y, x, top)
    for j in range(ROWS + 1):
        y = GRID_Y + j * CARD_H
        c.line(GRID_X, y, right, y)
    gap, length = 3, 7 * mm
    c.setStrokeColor(INK)
    c.setLineWidth(0.5)
    for i in range(COLUMNS + 1):
        x = GRID_X + i * CARD_W
        c.line(x, top + gap, x, top + gap + length)
        c.line(x, GRID_Y - gap, x, GRID_Y - gap - length)
    for j in range(ROWS + 1):
        y = GRID_Y + j * CARD_H
        c.line(GRID_X - gap, y, GRID_X - gap - length, y)
        c.line(right + gap, y, right + gap + length, y)
    c.setFillColor(MUTED)
    c.setFont(REGULAR, 6.5)
    note = f"Kartu peserta · lembar {sheet_no} dari {sheets} · potong mengikuti tanda potong"
    c.drawString(GRID_X + 10, GRID_Y / 2 - 2, note)  # between the crop marks


def _band(c: Canvas, d: CertificateData, x: float, y: float) -> None:
    bx, by, bw = x + PAD, y + CARD_H - PAD - BAND_H, CARD_W - 2 * PAD
    c.setFillColor(PRIMARY)
    c.roundRect(bx, by, bw, BAND_H, 3, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.setFont(BOLD, 8.5)
    c.drawString(bx + 6, by + 13, "KARTU PESERTA" if d.is_final else "KARTU PESERTA (SEMENTARA)")
    c.setFont(REGULAR, 5.8)
    c.drawString(bx + 6, by + 5, "Jaminan Sosial Ketenagakerjaan · Pekerja Bukan Penerima Upah")
    if d.is_reprint:
        label = "CETAK ULANG"
        c.setFont(BOLD, 5.5)
        tw = width(label, BOLD, 5.5) + 6
        c.setFillColor(ALERT_TINT)
        c.roundRect(bx + bw - tw - 4, by + 11, tw, 9, 1.5, stroke=0, fill=1)
        c.setFillColor(ALERT)
        c.drawCentredString(bx + bw - 4 - tw / 2, by + 13.6, label)


def draw_card(c: Canvas, d: CertificateData, qr: tuple[int, str] | None, x: float, y: float) -> None:
    """Draw one card with its lower-left corner at (x, y)."""
    _band(c, d, x, y)
    text_x = x + PAD + 4
    text_w = CARD_W - 2 * PAD - QR_SIZE - 10
    top = y + CARD_H - PAD - BAND_H

    name = " ".join(d.full_name.split())
    size = fit_size(name, BOLD, 10, text_w, 8)
    lines = [name] if width(name, BOLD, size) <= text_w else wrap(name, BOLD, size, text_w)[:2]
    c.setFillColor(PRIMARY)
    c.setFont(BOLD, size)
    ny = top - 15
    for line in lines:
        c.drawString(text_x, ny, clip_text(line, BOLD, size, text_w))
        ny -= size + 1.5
    ry = ny - 5.5 if len(lines) > 1 else top - 30

    rows = [
        ("NIK", d.masked_nik, REGULAR),
        ("No. KPJ" if d.is_final else "No. Pendaftaran", w.number_value(d), BOLD),
        ("Desa/Kel.", d.village_name.strip() or "-", REGULAR),
        ("Kecamatan", d.district_name.strip() or "-", REGULAR),
        ("Program", w.programs_short(d) or "-", REGULAR),
        ("Mulai", w.date_id(d.coverage_start), REGULAR),
    ]
    value_w = text_w - LABEL_W
    for label, value, font in rows:
        c.setFillColor(MUTED)
        c.setFont(REGULAR, 6)
        c.drawString(text_x, ry, label)
        vsize = fit_size(value, font, 7.2, value_w, 6)
        c.setFillColor(INK)
        c.setFont(font, vsize)
        c.drawString(text_x + LABEL_W, ry, clip_text(value, font, vsize, value_w))
        ry -= 11.5

    c.setFillColor(MUTED)
    c.setFont(REGULAR, 5.2)
    c.drawString(text_x, y + PAD + 2, clip_text(f"No. Seri {d.serial}", REGULAR, 5.2, text_w))

    qx, qy = x + CARD_W - PAD - QR_SIZE, y + PAD
    if qr is not None:
        draw_qr_ops(c, qr, qx, qy, QR_SIZE)
