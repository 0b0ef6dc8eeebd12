"""Reading a participant list: the first sheet of an XLSX (openpyxl, read-only) or a CSV, as typed cells.

XLSX cells keep their type (a NIK typed as a number arrives as a number, so it can be reported as damaged).
CSV files come in UTF-8 (with or without BOM) or Windows-1252, separated by commas or, as Excel writes them
on Indonesian Windows, by semicolons. Title lines above the header ("DAFTAR CALON PESERTA BPU DESA …") are
skipped: the header is the first of the top rows that names at least two known columns. Blank rows are
skipped but keep their place in the row numbers, which are the spreadsheet's own.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fieldapp.errors import UserFacingError
from fieldapp.reports.import_columns import header_score

HEADER_SEARCH_ROWS = 15


@dataclass(frozen=True, slots=True)
class RawSheet:
    headers: tuple[str, ...]
    header_row: int  # 1-based, as the spreadsheet numbers it
    rows: tuple[tuple[int, tuple], ...]  # (row number, cells), blank rows left out
    kind: str  # "csv" or "xlsx"


def _unreadable(path: Path, detail: str = "") -> UserFacingError:
    return UserFacingError(f"Berkas {path.name} tidak dapat dibaca sebagai daftar peserta (XLSX atau CSV). {detail}",
                           f"{path.name} cannot be read as a participant list (XLSX or CSV). {detail}",
                           field="file", code="unreadable")


def _blank(cells: tuple) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _assemble(path: Path, numbered: Iterable[tuple[int, tuple]], kind: str) -> RawSheet:
    it = iter(numbered)
    top: list[tuple[int, tuple]] = []
    for n, cells in it:
        if not _blank(cells):
            top.append((n, cells))
        if len(top) >= HEADER_SEARCH_ROWS:
            break
    if not top:
        raise UserFacingError(f"Berkas {path.name} kosong.", f"{path.name} is empty.", field="file", code="empty")
    scores = [header_score(list(cells)) for _, cells in top]
    best = next((i for i, s in enumerate(scores) if s >= 2), 0)
    header_row, header_cells = top[best]
    headers = tuple("" if c is None else " ".join(str(c).split()) for c in header_cells)
    while headers and not headers[-1]:
        headers = headers[:-1]
    width = len(headers)
    rows = []
    for n, cells in (*top[best + 1:], *it):
        cells = tuple(cells[:width]) + (None,) * (width - len(cells))
        if not _blank(cells):
            rows.append((n, cells))
    return RawSheet(headers, header_row, tuple(rows), kind)


def _csv_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _delimiter(sample: str) -> str:
    """The separator under which the top rows name the most known columns (a ';' list whose cells hold commas,
    such as "Bekasi, 12-07-1990", fools counting); the sniffer's guess, else the commoner character, on a tie."""
    try:
        guess = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        guess = ";" if sample.count(";") > sample.count(",") else ","
    top = sample.splitlines()[:HEADER_SEARCH_ROWS]

    def score(d: str) -> int:
        return max((header_score(row) for row in csv.reader(top, delimiter=d)), default=0)

    return max((guess, ",", ";", "\t", "|"), key=score)  # max keeps the first of equals: the guess


def read_csv(path: Path) -> RawSheet:
    text = _csv_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text[:16_384]))
    return _assemble(path, ((n, tuple(row)) for n, row in enumerate(reader, start=1)), "csv")


def _xlsx_rows(ws) -> Iterator[tuple[int, tuple]]:
    yield from enumerate(ws.iter_rows(values_only=True), start=1)


def read_xlsx(path: Path) -> RawSheet:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _unreadable(path, str(exc)) from exc
    try:
        ws = next((s for s in wb.worksheets if s.max_row and s.max_row > 1), wb.active)
        return _assemble(path, _xlsx_rows(ws), "xlsx")
    finally:
        wb.close()


def read_sheet(path: Path) -> RawSheet:
    path = Path(path)
    if not path.is_file():
        raise UserFacingError(f"Berkas tidak ditemukan: {path}", f"File not found: {path}", field="file",
                              code="not_found")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return read_csv(path)
    if suffix == ".xls":
        raise UserFacingError("Format .xls lama tidak didukung; simpan ulang sebagai .xlsx atau .csv di Excel.",
                              "The old .xls format is not supported; save it again as .xlsx or .csv in Excel.",
                              field="file", code="xls")
    raise _unreadable(path)
