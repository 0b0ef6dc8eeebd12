"""A report as a PDF (A4 landscape): title block, summary figures, the village chart, then the tables.

Every page carries a footer "fieldapp · title · exported by … · halaman x dari y". The total page count is a
form XObject drawn once after the last page, so the document is laid out in one pass however long it is.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
)
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle as RLTableStyle

from fieldapp.certificates.fonts import BOLD, REGULAR, register_fonts
from fieldapp.i18n import tr
from fieldapp.reports.model import Report, Ticker
from fieldapp.reports.pdf_chart import MAX_BARS, bar_chart
from fieldapp.reports.pdf_table import ACCENT, FastTable, number_text

PAGE = landscape(A4)
MARGIN = 14 * mm
FOOTER_Y = 8 * mm
TOTAL_FORM = "fieldapp_page_total"
TOTAL_ROOM = 24.0  # points kept free for the page total's digits
MUTED = colors.HexColor("#5f6368")

TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=17, leading=21, textColor=colors.HexColor("#1b1b1b"))
META = ParagraphStyle("meta", fontName=REGULAR, fontSize=8.5, leading=12, textColor=MUTED)
H2 = ParagraphStyle("h2", fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4, textColor=ACCENT)
NOTE = ParagraphStyle("note", fontName=REGULAR, fontSize=7.5, leading=10, textColor=MUTED, spaceAfter=3)
WARN = ParagraphStyle("warn", fontName=BOLD, fontSize=8.5, leading=11, textColor=colors.HexColor("#b3261e"))


class _Canvas(Canvas):
    """Draws the page total into its form once every page is known."""

    def save(self) -> None:
        total = max(self.getPageNumber() - 1, 1)
        self.beginForm(TOTAL_FORM)
        self.setFont(REGULAR, 7)
        self.setFillColor(MUTED)
        self.drawString(0, 0, str(total))
        self.endForm()
        super().save()


def _footer(report: Report):
    stamp = report.exported_at.astimezone().strftime("%d-%m-%Y %H:%M")
    left = tr(f"fieldapp · {report.title} · diekspor oleh {report.exported_by}, {stamp}",
              f"fieldapp · {report.title} · exported by {report.exported_by}, {stamp}")
    if not report.masked:
        left += tr(" · RAHASIA: memuat NIK lengkap", " · CONFIDENTIAL: contains full NIKs")

    def draw(canvas: Canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, FOOTER_Y, left)
        page = tr(f"halaman {canvas.getPageNumber()} dari ", f"page {canvas.getPageNumber()} of ")
        right = PAGE[0] - MARGIN - TOTAL_ROOM
        canvas.drawRightString(right, FOOTER_Y, page)
        canvas.translate(right, FOOTER_Y)
        canvas.doForm(TOTAL_FORM)
        canvas.restoreState()
        canvas.setStrokeColor(colors.HexColor("#d5dbd7"))
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, FOOTER_Y + 9, PAGE[0] - MARGIN, FOOTER_Y + 9)

    return draw


def _summary_grid(report: Report, frame_width: float) -> RLTable:
    per_row = 4
    cells, row = [], []
    for label, value in report.summary:
        row.append([Paragraph(escape(label), NOTE),
                    Paragraph(escape(value), ParagraphStyle("v", fontName=BOLD, fontSize=13, leading=16))])
        if len(row) == per_row:
            cells.append(row)
            row = []
    if row:
        cells.append(row + [""] * (per_row - len(row)))
    table = RLTable(cells or [[""]], colWidths=[frame_width / per_row] * per_row)
    table.setStyle(RLTableStyle([
        ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#d5dbd7")),
        ("INNERGRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#e3e8e5")),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fafcfb")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    return table


def _heading_block(report: Report) -> list:
    stamp = report.exported_at.astimezone().strftime("%d-%m-%Y %H:%M")
    lines = [Paragraph(escape(report.title), TITLE), Spacer(1, 3),
             Paragraph(escape(tr(f"Periode: {report.period}", f"Period: {report.period}")), META),
             Paragraph(escape(tr(f"Diekspor oleh {report.exported_by} pada {stamp}",
                                 f"Exported by {report.exported_by} on {stamp}")), META)]
    if report.filters:
        applied = "; ".join(f"{k}: {v}" for k, v in report.filters)
        lines.append(Paragraph(escape(tr(f"Saringan: {applied}", f"Filters: {applied}")), META))
    if report.masked:
        lines.append(Paragraph(escape(tr("NIK disamarkan (contoh 3216********9003).",
                                         "NIKs are masked (e.g. 3216********9003).")), META))
    else:
        lines.append(Paragraph(escape(tr("RAHASIA: laporan ini memuat NIK lengkap. Simpan dan bagikan sesuai UU PDP.",
                                         "CONFIDENTIAL: this report holds full NIKs. Keep and share it as UU PDP "
                                         "requires.")), WARN))
    lines.append(Spacer(1, 8))
    return lines


def render_pdf(report: Report, ticker: Ticker) -> bytes:
    register_fonts()
    previous = rl_config.useA85
    rl_config.useA85 = 0  # binary streams: standard PDF, smaller, and faster than pure-Python ASCII85
    try:
        buf = io.BytesIO()
        doc = BaseDocTemplate(buf, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                              bottomMargin=MARGIN + 4, title=report.title, author="fieldapp", creator="fieldapp",
                              pageCompression=1)
        frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0,
                      rightPadding=0, topPadding=0, bottomPadding=0)
        doc.addPageTemplates([PageTemplate("page", frames=[frame], onPage=_footer(report))])
        story: list = _heading_block(report)
        story.append(_summary_grid(report, doc.width))
        if report.bars:
            shown = min(len(report.bars), MAX_BARS)
            more = tr(f" ({shown} dari {number_text(len(report.bars))} desa, terbanyak peserta)",
                      f" ({shown} of {number_text(len(report.bars))} villages, most participants first)")
            story.append(KeepTogether([
                Paragraph(escape(report.chart_title + (more if len(report.bars) > shown else "")), H2),
                bar_chart(report.bars, doc.width)]))
        for table in report.tables:
            columns = [c for c in table.columns if c.in_pdf]
            keep = [i for i, c in enumerate(table.columns) if c.in_pdf]
            rows = table.rows if len(keep) == len(table.columns) else _Projected(table.rows, keep)
            story.append(CondPageBreak(90))
            story.append(Paragraph(escape(f"{table.name} ({number_text(len(table.rows))})"), H2))
            if table.note:
                story.append(Paragraph(escape(table.note), NOTE))
            story.append(FastTable(columns, rows, ticker=ticker, empty_text=tr("Tidak ada data.", "No rows.")))
        doc.build(story, canvasmaker=_Canvas)
        ticker.finish()
        return buf.getvalue()
    finally:
        rl_config.useA85 = previous


class _Projected:
    """Some columns of each row, computed as a page asks for its rows."""

    def __init__(self, rows, keep: list[int]) -> None:
        self.rows, self.keep = rows, keep

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, item):
        if isinstance(item, slice):
            return [tuple(r[i] for i in self.keep) for r in self.rows[item]]
        return tuple(self.rows[item][i] for i in self.keep)

