"""One certificate page, A4 landscape: "Sertifikat Kepesertaan" once BPJS has issued the KPJ, otherwise a
provisional "Bukti Pendaftaran" that shows the local registration number and says the KPJ will follow."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from fieldapp.certificates import wording as w
from fieldapp.certificates.fonts import BOLD, REGULAR, clip_text, fit_size, width, wrap
from fieldapp.certificates.model import CertificateData
from fieldapp.certificates.qr import draw_qr_ops
from fieldapp.certificates.style import (
    ACCENT,
    ALERT,
    ALERT_TINT,
    HAIRLINE,
    INK,
    MUTED,
    PRIMARY,
    PRIMARY_TINT,
    draw_image_fit,
)

PAGE_W, PAGE_H = landscape(A4)
FRAME = 9 * mm  # outer border, from the paper's edge
INNER = FRAME + 5  # thin inner border
CENTER = PAGE_W / 2

# Body grid: label column, value column, QR column.
LABEL_X = 78
VALUE_X = 212
VALUE_W = 575 - VALUE_X
QR_SIZE = 138
QR_X = PAGE_W - 78 - QR_SIZE

FOOTER = (
    "NIK dicetak tersamar sesuai UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi. "
    "Keaslian dokumen ini dapat diperiksa dengan memindai kode QR."
)


def _frame(c: Canvas) -> None:
    c.setStrokeColor(PRIMARY)
    c.setLineWidth(2.4)
    c.rect(FRAME, FRAME, PAGE_W - 2 * FRAME, PAGE_H - 2 * FRAME, stroke=1, fill=0)
    c.setStrokeColor(ACCENT)
    c.setLineWidth(0.8)
    c.rect(INNER, INNER, PAGE_W - 2 * INNER, PAGE_H - 2 * INNER, stroke=1, fill=0)
    c.setFillColor(ACCENT)  # small corner squares: calm, and they frame the page like a seal would
    for x in (INNER - 3, PAGE_W - INNER - 3):
        for y in (INNER - 3, PAGE_H - INNER - 3):
            c.rect(x, y, 6, 6, stroke=0, fill=1)


def _header(c: Canvas, d: CertificateData) -> float:
    """Logos, programme line, title and subtitle; returns the y below them."""
    top = PAGE_H - INNER - 12
    x, right = INNER + 14, CENTER - 230  # logos stay clear of the centred header line
    for logo in d.logo_images:
        if right - x < 30:
            break
        used = draw_image_fit(c, logo, x, top - 46, min(90, right - x), 46)
        x += used + 10 if used else 0
    c.setFillColor(PRIMARY)
    c.setFont(BOLD, 9.5)
    c.drawCentredString(CENTER, top - 20, "JAMINAN SOSIAL KETENAGAKERJAAN · PEKERJA BUKAN PENERIMA UPAH")
    if d.is_reprint:
        _reprint_stamp(c, top)
    title = "Sertifikat Kepesertaan" if d.is_final else "Bukti Pendaftaran"
    c.setFillColor(INK)
    c.setFont(BOLD, 30)
    c.drawCentredString(CENTER, top - 58, title)
    subtitle = (
        "Peserta Program Jaminan Sosial Ketenagakerjaan (BPJS Ketenagakerjaan)"
        if d.is_final
        else "Pendaftaran Peserta Jaminan Sosial Ketenagakerjaan (sementara, menunggu nomor KPJ)"
    )
    c.setFillColor(MUTED)
    c.setFont(REGULAR, 10.5)
    c.drawCentredString(CENTER, top - 78, subtitle)
    c.setStrokeColor(ACCENT)
    c.setLineWidth(1)
    c.line(CENTER - 150, top - 90, CENTER + 150, top - 90)
    return top - 90


def _reprint_stamp(c: Canvas, top: float) -> None:
    label = "CETAK ULANG"
    c.setFont(BOLD, 11)
    box_w = width(label, BOLD, 11) + 20
    x = PAGE_W - INNER - 14 - box_w
    c.setFillColor(ALERT_TINT)
    c.setStrokeColor(ALERT)
    c.setLineWidth(1.4)
    c.roundRect(x, top - 30, box_w, 22, 3, stroke=1, fill=1)
    c.setFillColor(ALERT)
    c.drawCentredString(x + box_w / 2, top - 23, label)


def _name(c: Canvas, d: CertificateData, y: float) -> float:
    c.setFillColor(MUTED)
    c.setFont(REGULAR, 10.5)
    c.drawCentredString(CENTER, y - 20, "Diberikan kepada" if d.is_final else "Telah didaftarkan atas nama")
    name = " ".join(d.full_name.split())
    size = fit_size(name, BOLD, 22, PAGE_W - 2 * INNER - 80, 12)
    name = clip_text(name, BOLD, size, PAGE_W - 2 * INNER - 80)
    c.setFillColor(PRIMARY)
    c.setFont(BOLD, size)
    c.drawCentredString(CENTER, y - 46, name)
    return y - 62


def _rows(d: CertificateData) -> list[tuple[str, list[tuple[str, str, float]]]]:
    """(label, lines); each line is (text, font, size)."""

    def plain(text: str, font: str = REGULAR, size: float = 10.5) -> list[tuple[str, str, float]]:
        lines = wrap(text, font, size, VALUE_W)[:2]  # at most two lines: the layout must hold
        return [(line, font, size) for line in lines] or [("-", font, size)]

    programs: list[tuple[str, str, float]] = []
    for code in d.ordered_programs:
        programs += plain(f"{code} · {w.PROGRAM_NAMES[code]}", BOLD, 10)
        programs += plain(w.PROGRAM_BENEFITS[code], REGULAR, 9)
    region = ", ".join(p for p in (d.regency_name.strip(), d.province_name.strip()) if p)
    village = d.village_name.strip()
    if d.district_name.strip():
        village = f"{village}, Kecamatan {d.district_name.strip()}"
    return [
        (w.number_label(d), plain(w.number_value(d), BOLD, 11.5)),
        ("NIK", plain(d.masked_nik)),
        ("Tempat, tanggal lahir", plain(w.birth_text(d))),
        ("Desa/Kelurahan", plain(village)),
        ("Kabupaten/Kota", plain(region)),
        ("Pekerjaan", plain(d.occupation_label)),
        ("Program", programs or plain("-")),
        ("Mulai kepesertaan", plain(w.date_id(d.coverage_start))),
    ]


def _table(c: Canvas, d: CertificateData, y: float) -> float:
    y -= 4
    for label, lines in _rows(d):
        c.setFillColor(MUTED)
        c.setFont(REGULAR, 9.5)
        c.drawString(LABEL_X, y - lines[0][2] - 3, label)  # on the baseline of the first value line
        for text, font, size in lines:
            y -= size + 3
            c.setFillColor(INK)
            c.setFont(font, size)
            c.drawString(VALUE_X, y, text)
        y -= 5
        c.setStrokeColor(HAIRLINE)
        c.setLineWidth(0.4)
        c.line(LABEL_X, y + 2, VALUE_X + VALUE_W, y + 2)
    return y


def _payer_and_notice(c: Canvas, d: CertificateData, y: float) -> float:
    """The tinted box: who pays, and on a provisional paper that the KPJ will follow."""
    box_w = VALUE_X + VALUE_W - LABEL_X + 16
    text_w = box_w - 16
    lines = [(line, BOLD, 10.0) for line in wrap(w.payer_line(d) + ".", BOLD, 10, text_w)[:2]]
    if not d.is_final:
        notice = (
            "Nomor KPJ (nomor peserta BPJS Ketenagakerjaan) akan menyusul setelah pendaftaran ini diproses "
            "oleh BPJS Ketenagakerjaan. Bukti pendaftaran ini berlaku sampai nomor KPJ terbit."
        )
        lines += [(line, REGULAR, 9.0) for line in wrap(notice, REGULAR, 9, text_w)]
    box_h = 10 + sum(size + 4 for _, _, size in lines)
    y -= box_h + 4
    c.setFillColor(PRIMARY_TINT)
    c.roundRect(LABEL_X - 8, y, box_w, box_h, 4, stroke=0, fill=1)
    ty = y + box_h - 4
    for text, font, size in lines:
        ty -= size + 2
        c.setFillColor(PRIMARY if font == BOLD else INK)
        c.setFont(font, size)
        c.drawString(LABEL_X, ty, text)
        ty -= 2
    return y


def _qr(c: Canvas, qr: tuple[int, str] | None, top: float) -> None:
    y = top - QR_SIZE - 6
    if qr is not None:
        draw_qr_ops(c, qr, QR_X, y, QR_SIZE)
    c.setStrokeColor(HAIRLINE)
    c.setLineWidth(0.6)
    c.rect(QR_X, y, QR_SIZE, QR_SIZE, stroke=1, fill=0)
    c.setFillColor(MUTED)
    c.setFont(REGULAR, 8)
    c.drawCentredString(QR_X + QR_SIZE / 2, y - 11, "Pindai untuk memeriksa keaslian")


def _serial_block(c: Canvas, d: CertificateData, y: float) -> None:
    """Serial and issue date under the payer box; on a reprint, the reason."""
    y = max(y - 16, INNER + 40 if d.is_reprint else INNER + 26)
    c.setFillColor(MUTED)
    c.setFont(REGULAR, 9)
    c.drawString(LABEL_X, y, "No. Seri")
    x = LABEL_X + width("No. Seri", REGULAR, 9) + 6
    c.setFillColor(INK)
    c.setFont(BOLD, 9)
    c.drawString(x, y, d.serial)
    x += width(d.serial, BOLD, 9) + 18
    c.setFillColor(MUTED)
    c.setFont(REGULAR, 9)
    c.drawString(x, y, "Tanggal terbit")
    c.setFillColor(INK)
    c.drawString(x + width("Tanggal terbit", REGULAR, 9) + 6, y, w.date_id(d.issue_date))
    if d.is_reprint:
        y -= 14
        c.setFillColor(ALERT)
        c.setFont(BOLD, 9)
        c.drawString(LABEL_X, y, "CETAK ULANG")
        x = LABEL_X + width("CETAK ULANG", BOLD, 9) + 8
        reason = " ".join((d.reprint_reason or "").split())
        c.setFont(REGULAR, 9)
        c.drawString(x, y, clip_text(f"Alasan: {reason}", REGULAR, 9, VALUE_X + VALUE_W - x))


def _signature(c: Canvas, d: CertificateData) -> None:
    box_w = 200
    cx = QR_X + QR_SIZE / 2
    y = INNER + 124
    c.setFillColor(INK)
    c.setFont(REGULAR, 9.5)
    c.drawCentredString(cx, y, f"Diterbitkan pada {w.date_id(d.issue_date)}")
    for line in wrap(d.signer_title, REGULAR, 9.5, box_w)[:3]:
        y -= 12.5
        c.drawCentredString(cx, y, line)
    if d.signature_image:
        draw_image_fit(c, d.signature_image, cx - box_w / 2, INNER + 38, box_w, y - INNER - 44, align="center")
    name = " ".join(d.signer_name.split())
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    if name:
        name = clip_text(name, BOLD, 10, box_w)
        c.setFont(BOLD, 10)
        c.drawCentredString(cx, INNER + 28, name)
        half = width(name, BOLD, 10) / 2
        c.line(cx - half, INNER + 25, cx + half, INNER + 25)
    else:  # no signer on file: leave a line to sign by hand
        c.line(cx - 80, INNER + 28, cx + 80, INNER + 28)


def draw_certificate(c: Canvas, d: CertificateData, qr: tuple[int, str] | None) -> None:
    """Draw one certificate on the current page (the caller calls showPage)."""
    _frame(c)
    y = _header(c, d)
    y = _name(c, d, y)
    _qr(c, qr, y - 4)
    y = _table(c, d, y)
    y = _payer_and_notice(c, d, y)
    _serial_block(c, d, y)
    _signature(c, d)
    c.setFillColor(MUTED)
    c.setFont(REGULAR, 7)
    c.drawCentredString(CENTER, INNER + 8, FOOTER)
