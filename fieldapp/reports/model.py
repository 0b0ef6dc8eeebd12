"""What a report is, independent of its file format: a title block, summary figures, a chart and tables.

The services fill a ``Report`` (text already in the user's language, NIKs already masked or not); the writers
(``csv_out``, ``xlsx_out``, ``pdf_out``) turn it into a file. Nothing here touches the store.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fieldapp.errors import UserFacingError

Progress = Callable[[int, int], None]

#: Column kinds. "code" is an identifier made of digits (NIK, KK, KPJ, phone): always text, never a number.
KINDS = ("text", "code", "int", "float", "date", "datetime")
CHECK_EVERY = 2_000  # rows between progress reports / cancel checks


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    kind: str = "text"
    width: int = 14  # characters: XLSX column width and the PDF's relative share
    in_pdf: bool = True  # very wide tables keep some columns for CSV/XLSX only
    in_xlsx: bool = True  # a column another sheet already holds (a batch's device) can stay out of a big sheet

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "float")


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # sheet name (≤ 31 characters) and PDF section heading
    columns: tuple[Column, ...]
    rows: Sequence[tuple]  # values: str, int, float, date, datetime (aware), or None
    note: str = ""  # one line under the PDF heading


@dataclass(frozen=True, slots=True)
class Bar:
    """One village in the chart: its target against what was enrolled and what the server accepted."""

    label: str
    target: int
    enrolled: int
    accepted: int


@dataclass(frozen=True, slots=True)
class Report:
    kind: str  # "sync-log", "coverage", "participants"
    title: str
    period: str  # "1 Nov 2026 – 30 Nov 2026" or "semua tanggal"
    exported_by: str
    exported_at: dt.datetime  # aware
    summary: tuple[tuple[str, str], ...]  # (label, value) pairs, already formatted
    tables: tuple[Table, ...]  # tables[0] is what a CSV holds
    bars: tuple[Bar, ...] = ()
    chart_title: str = ""
    filters: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (label, value) of the filters applied
    masked: bool = True

    @property
    def row_count(self) -> int:
        return len(self.tables[0].rows) if self.tables else 0

    @property
    def total_rows(self) -> int:
        return sum(len(t.rows) for t in self.tables)


class ExportCancelled(UserFacingError):
    def __init__(self) -> None:
        super().__init__("Ekspor dibatalkan; tidak ada berkas yang ditulis.", "Export cancelled; no file was written.",
                         code="cancelled")


class Ticker:
    """Progress over all rows of a report, and the cancel check, every ``CHECK_EVERY`` rows."""

    def __init__(self, total: int, progress: Progress | None, cancel: threading.Event | None) -> None:
        self.total, self.done = max(total, 1), 0
        self.progress, self.cancel = progress, cancel
        self._next = CHECK_EVERY

    def check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ExportCancelled()

    def add(self, n: int = 1) -> None:
        self.done += n
        if self.done >= self._next:
            self._next = self.done + CHECK_EVERY
            self.check()
            if self.progress:
                self.progress(min(self.done, self.total), self.total)

    def finish(self) -> None:
        self.check()
        if self.progress:
            self.progress(self.total, self.total)


def local_naive(value: dt.datetime) -> dt.datetime:
    """An aware time as the laptop's local wall-clock time without an offset (what a spreadsheet shows)."""
    return value.astimezone().replace(tzinfo=None) if value.tzinfo else value
