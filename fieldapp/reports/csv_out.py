"""CSV: UTF-8 with a BOM (so Excel reads the accents), one header row, ISO 8601 dates and times."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from fieldapp.reports.model import Report, Table, Ticker


def cell_text(value: object) -> str:
    """A value as CSV text: dates ``2026-11-21``, times ``2026-11-21T09:00:00+07:00`` (the laptop's offset)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return aware.astimezone().isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defused(text: str) -> str:
    """Free text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def write_table(path: Path, table: Table, ticker: Ticker) -> None:
    convert = [c.kind != "code" for c in table.columns]  # identifiers ("+62…" phones) are written as they are
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow([c.title for c in table.columns])
        for row in table.rows:
            writer.writerow([(defused(v) if isinstance(v, str) else cell_text(v)) if conv else (v or "")
                             for v, conv in zip(row, convert, strict=True)])
            ticker.add()


def write_csv(path: Path, report: Report, ticker: Ticker) -> None:
    """The report's main table (``tables[0]``) as one CSV file."""
    write_table(path, report.tables[0], ticker)
    ticker.finish()
