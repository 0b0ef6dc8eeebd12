"""XLSX with openpyxl in write-only mode (rows stream to disk, memory stays flat for 100,000 rows).

A summary sheet first, then one sheet per table: bold frozen header, an autofilter over every row, column
widths from the report's columns. NIK, KK, KPJ and phone cells are strings with the text format "@", so
Excel neither shows them as 3.21606E+15 nor drops a digit when someone edits the cell.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from fieldapp.i18n import tr
from fieldapp.reports.model import Report, Table, Ticker, local_naive

FORMATS = {"code": "@", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss", "float": "0.0"}
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0B6E4F")
_BAD_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_title(name: str) -> str:
    return name.translate(_BAD_SHEET_CHARS).strip()[:31] or "Sheet"


def _header(ws, titles: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for title in titles:
        c = WriteOnlyCell(ws, value=title)
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        c.alignment = Alignment(vertical="center")
        cells.append(c)
    return cells


def _summary_sheet(wb: Workbook, report: Report) -> None:
    ws = wb.create_sheet(sheet_title(tr("Ringkasan", "Summary")))
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 60
    title = WriteOnlyCell(ws, value=report.title)
    title.font = Font(bold=True, size=14)
    ws.append([title])
    lines = [
        (tr("Periode", "Period"), report.period),
        (tr("Diekspor oleh", "Exported by"), report.exported_by),
        (tr("Waktu ekspor", "Exported at"), local_naive(report.exported_at)),
        (tr("NIK", "NIK"), tr("disamarkan", "masked") if report.masked else tr("lengkap (tidak disamarkan)",
                                                                                  "in full (not masked)")),
        *report.filters,
    ]
    for label, value in lines:
        cell = WriteOnlyCell(ws, value=value)
        if isinstance(value, dt.datetime):
            cell.number_format = FORMATS["datetime"]
            cell.alignment = Alignment(horizontal="left")
        ws.append([label, cell])
    ws.append([])
    head = WriteOnlyCell(ws, value=tr("Angka ringkasan", "Summary figures"))
    head.font = Font(bold=True)
    ws.append([head])
    for label, value in report.summary:
        ws.append([label, value])
    ws.append([])
    for table in report.tables:
        ws.append([tr(f"Lembar '{sheet_title(table.name)}'", f"Sheet '{sheet_title(table.name)}'"),
                   tr(f"{len(table.rows):,} baris", f"{len(table.rows):,} rows").replace(",", ".")])


def _table_sheet(wb: Workbook, table: Table, ticker: Ticker) -> None:
    ws = wb.create_sheet(sheet_title(table.name))
    keep = [i for i, c in enumerate(table.columns) if c.in_xlsx]
    columns = [table.columns[i] for i in keep]
    for i, col in enumerate(columns, start=1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = max(col.width, min(len(col.title) + 2, 40))
        if col.kind == "code":
            dim.number_format = "@"  # a NIK typed later into an empty cell of this column stays text too
    ws.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    ws.append(_header(ws, [c.title for c in columns]))

    # One styled cell per formatted column, reused row after row: openpyxl writes each row as it is appended,
    # and a styled cell of its own per value would cost more than the rest of the row.
    special = []
    for i, col in enumerate(columns):
        if col.kind in FORMATS:
            proto = WriteOnlyCell(ws, value="")
            proto.number_format = FORMATS[col.kind]
            special.append((i, proto, col.kind))
    every = len(keep) == len(table.columns)
    serial = _Serials()
    for row in table.rows:
        out = [_clean(v, ws) if type(v) is str else v for v in (row if every else [row[i] for i in keep])]
        for i, cell, kind in special:
            value = out[i]
            if value is not None and not isinstance(value, Cell):
                if kind in ("datetime", "date"):
                    value = serial(value)
                cell.value = value
                if kind == "code":
                    cell.data_type = "s"
                out[i] = cell
        ws.append(out)
        ticker.add()


class _Serials(dict):
    """Dates and times as Excel serial numbers (what an XLSX stores under a date format), each distinct value
    converted once: a batch's time repeats on each of its records, birth dates repeat in a long list."""

    def __call__(self, value: dt.date) -> float:
        try:
            return self[value]
        except KeyError:
            local = local_naive(value) if isinstance(value, dt.datetime) else value
            out = self[value] = to_excel(local)
            return out


def _clean(value: str, ws) -> str | WriteOnlyCell | None:
    """Text as a cell value: "" → no cell, control characters dropped, "=…" kept as text (never a formula)."""
    if not value:
        return None
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value[0] == "=" or value in ERROR_CODES:
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def write_xlsx(path: Path, report: Report, ticker: Ticker) -> None:
    wb = Workbook(write_only=True)
    _summary_sheet(wb, report)
    for table in report.tables:
        _table_sheet(wb, table, ticker)
    ticker.check()
    wb.save(path)
    ticker.finish()
