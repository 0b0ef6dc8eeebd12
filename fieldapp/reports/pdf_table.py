"""A table flowable for long lists: one line per row, the header repeated on every page, cells clipped.

ReportLab's own ``Table`` lays out every cell as an object and re-splits the remainder on each page, which
takes minutes for 100,000 rows. Here a page's rows are drawn column by column with one text object each, and
splitting only moves an index, so 100,000 rows take a few seconds.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

from reportlab.lib import colors
from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from fieldapp.certificates.fonts import BOLD, REGULAR, clip_text, register_fonts
from fieldapp.i18n import language
from fieldapp.reports.model import Column, Ticker

FONT_SIZE = 7.2
HEADER_SIZE = 7.2
ROW_H = 10.4
HEADER_H = 15.0
PAD = 3.0
ACCENT = colors.HexColor("#0b6e4f")
ZEBRA = colors.HexColor("#f1f5f3")
RULE = colors.HexColor("#c9d3ce")


def number_text(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def pdf_text(value: object, kind: str) -> str:
    """A value as it reads on paper: 21-11-2026 09:00 (the laptop's time), 1.234, 45,5."""
    if value is None:
        return ""
    if kind == "datetime" and isinstance(value, dt.datetime):
        return value.astimezone().strftime("%d-%m-%Y %H:%M")
    if kind == "date" and isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return number_text(value)
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if language() == "id" else text
    return " ".join(str(value).split())


def natural_widths(columns: Sequence[Column], rows: Sequence[tuple], sample: int = 300) -> list[float]:
    """Each column's width to show its header and its texts unclipped, from the first rows and a spread of others."""
    n = len(rows)
    picks = list(range(min(n, sample))) + list(range(sample, n, max(1, n // sample)))
    measure = _Widths.regular().width
    out = []
    for i, col in enumerate(columns):
        header = min(pdfmetrics.stringWidth(col.title, BOLD, HEADER_SIZE), 80.0)
        body = max((measure(pdf_text(rows[k][i], col.kind)) for k in picks), default=0.0)
        out.append(max(header, body) + 2 * PAD + 1)
    return out


def fit_widths(natural: list[float], flexible: list[bool], avail: float,
               weights: list[float] | None = None) -> list[float]:
    """Natural widths made to fill ``avail``: spare room is shared in proportion; when too wide, only text
    columns shrink, each to at most ``cap × its weight`` (one common cap, so the widest give up the most, and a
    name keeps more room than a status), and identifiers are never clipped."""
    weights = weights or [1.0] * len(natural)
    total = sum(natural)
    flex_total = sum(w for w, f in zip(natural, flexible, strict=True) if f)
    if total <= avail:  # room to spare: every column grows in proportion, so the spacing stays even
        return [w * avail / total for w in natural]
    room = avail - (total - flex_total)
    if room < 30 * sum(flexible) or not flex_total:  # not even a narrow text column each: scale everything
        return [w * avail / total for w in natural]
    flex = [(i, w, weights[i]) for i, (w, f) in enumerate(zip(natural, flexible, strict=True)) if f]
    lo, hi = 0.0, max(w / k for _, w, k in flex)
    for _ in range(40):
        cap = (lo + hi) / 2
        if sum(min(w, cap * k) for _, w, k in flex) > room:
            hi = cap
        else:
            lo = cap
    out = list(natural)
    for i, w, k in flex:
        out[i] = min(w, lo * k)
    return out


class FastTable(Flowable):
    """Rows ``start:stop`` of ``rows``; ``split`` hands the remainder on, with the same header, to the next page."""

    def __init__(self, columns: Sequence[Column], rows: Sequence[tuple], *, ticker: Ticker | None = None,
                 start: int = 0, stop: int | None = None, empty_text: str = "",
                 widths: tuple[float, float, list[float]] | None = None) -> None:
        super().__init__()
        self.columns = list(columns)
        self.rows = rows
        self.start, self.stop = start, len(rows) if stop is None else stop
        self.ticker = ticker
        self.empty_text = empty_text
        self._layout_for = widths  # (available width, total width, column widths), shared by every part
        self._widths: list[float] = widths[2] if widths else []

    # -- layout ----------------------------------------------------------------------------------------------
    def _layout(self, avail_width: float) -> None:
        if self._layout_for and self._layout_for[0] == avail_width:
            self._widths = self._layout_for[2]
            return
        natural = natural_widths(self.columns, self.rows)
        flexible = [c.kind == "text" for c in self.columns]
        self._widths = fit_widths(natural, flexible, avail_width, [c.width for c in self.columns])
        self._layout_for = (avail_width, sum(self._widths), self._widths)

    def _row_count(self) -> int:
        return max(self.stop - self.start, 0)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._layout(avail_width)
        self.width = avail_width
        self.height = HEADER_H + max(self._row_count(), 1) * ROW_H + 2
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        fits = int((avail_height - HEADER_H - 2) // ROW_H)
        if fits < 3:  # not even a header and a few rows: start on the next page
            return []
        if fits >= self._row_count():
            return [self]
        cut = self.start + fits
        first = FastTable(self.columns, self.rows, ticker=self.ticker, start=self.start, stop=cut,
                          widths=self._layout_for)
        rest = FastTable(self.columns, self.rows, ticker=self.ticker, start=cut, stop=self.stop,
                         empty_text=self.empty_text, widths=self._layout_for)
        return [first, rest]

    # -- drawing ---------------------------------------------------------------------------------------------
    def draw(self) -> None:
        c = self.canv
        widths = self._widths
        top = self.height
        c.saveState()
        c.setFillColor(ACCENT)
        c.rect(0, top - HEADER_H, self.width, HEADER_H, stroke=0, fill=1)
        c.setFillColor(colors.white)
        c.setFont(BOLD, HEADER_SIZE)
        x = 0.0
        for col, w in zip(self.columns, widths, strict=True):
            title = clip_text(col.title, BOLD, HEADER_SIZE, w - 2 * PAD)
            if col.numeric:
                c.drawRightString(x + w - PAD, top - HEADER_H + 4.6, title)
            else:
                c.drawString(x + PAD, top - HEADER_H + 4.6, title)
            x += w
        rows = self.rows[self.start:self.stop]
        y0 = top - HEADER_H
        c.setFillColor(ZEBRA)
        for i in range(1, len(rows), 2):
            c.rect(0, y0 - (i + 1) * ROW_H, self.width, ROW_H, stroke=0, fill=1)
        c.setFillColor(colors.black)
        if not rows and self.empty_text:
            c.setFont(REGULAR, FONT_SIZE)
            c.drawString(PAD, y0 - ROW_H + 3, self.empty_text)
        baseline = y0 - ROW_H + 3.0
        x = 0.0
        for index, (col, w) in enumerate(zip(self.columns, widths, strict=True)):
            self._draw_column(c, rows, index, col, x, w, baseline)
            x += w
        c.setStrokeColor(RULE)
        c.setLineWidth(0.5)
        bottom = y0 - max(len(rows), 1) * ROW_H
        c.line(0, bottom, self.width, bottom)
        c.restoreState()
        if self.ticker is not None:
            self.ticker.add(len(rows))

    def _draw_column(self, c, rows, index: int, col: Column, x: float, w: float, baseline: float) -> None:
        text = _Text.of(c)
        room = w - 2 * PAD
        safe_chars = int(room // text.em)  # no glyph is wider than 1 em: shorter texts need no measuring
        cells = [pdf_text(r[index], col.kind) for r in rows]
        cells = [t if len(t) <= safe_chars else text.clip(t, room) for t in cells]
        if col.numeric:
            right = x + w - PAD
            ops = [f"1 0 0 1 {right - text.width(t):.2f} {baseline - n * ROW_H:.2f} Tm {text.op(t)}"
                   for n, t in enumerate(cells) if t]
            c._code.append("BT " + "\n".join(ops) + " ET")
            return
        lines = "\nT* ".join(text.op(t) for t in cells)
        c._code.append(f"BT 1 0 0 1 {x + PAD:.2f} {baseline:.2f} Tm {ROW_H} TL\n{lines}\nET")


class _Text:
    """PDF text operators for table cells in the regular font, one cached string per distinct cell text.

    This is the dynamic-font recipe of ReportLab's ``ttfonts`` module (``splitString`` into subsets, then
    ``Tf``/``Tj`` per subset), done once per distinct text: statuses, dates and village names repeat on every
    page. Widths come from the font's own glyph table, summed without ReportLab's per-call overhead.
    """

    def __init__(self, doc) -> None:
        self.doc = doc
        self.font = pdfmetrics.getFont(REGULAR)
        self.em = FONT_SIZE
        self._glyph = _Widths.regular()
        self._ops: dict[str, str] = {}

    @classmethod
    def of(cls, canvas) -> _Text:
        cached = getattr(canvas, "_fieldapp_text", None)
        if cached is None:
            cached = cls(canvas._doc)
            canvas._fieldapp_text = cached
        return cached

    def width(self, text: str) -> float:
        return self._glyph.width(text)

    def clip(self, text: str, room: float) -> str:
        if self.width(text) <= room:
            return text
        budget = room - self._glyph["…"]
        cut = bisect_right(list(accumulate(map(self._glyph.__getitem__, text))), budget)
        return text[:cut].rstrip() + "…"

    def op(self, text: str) -> str:
        found = self._ops.get(text)
        if found is None:
            parts = [f"{self.font.getSubsetInternalName(subset, self.doc)} {FONT_SIZE} Tf ({escapePDF(chunk)}) Tj"
                     for subset, chunk in self.font.splitString(text, self.doc)]
            found = self._ops[text] = " ".join(parts) if parts else "() Tj"
            if len(self._ops) > 50_000:  # unique texts (names, numbers) are not worth keeping
                self._ops.clear()
        return found


class _Widths(dict):
    """Glyph advance of each character of the regular font at the table's size, in points."""

    _regular: _Widths | None = None

    def __init__(self, widths: dict[str, float], default: float) -> None:
        super().__init__(widths)
        self.default = default

    def __missing__(self, char: str) -> float:
        return self.default

    def width(self, text: str) -> float:
        return sum(map(self.__getitem__, text))

    @classmethod
    def regular(cls) -> _Widths:
        if cls._regular is None:
            register_fonts()
            face = pdfmetrics.getFont(REGULAR).face
            scale = FONT_SIZE / 1000.0
            cls._regular = cls({chr(k): v * scale for k, v in face.charWidths.items()}, face.defaultWidth * scale)
        return cls._regular
