"""Exports for supervisors: the sync log, coverage and participant lists as CSV, XLSX or PDF.

Rules held here, whatever asks (the Laporan page or ``fieldapp export``): only supervisors export; NIKs (and KK
numbers) are masked unless the user's role may see them AND they asked for them in full, and a file with full
NIKs is only ever an XLSX encrypted with a password (AES-256, Office's "agile" encryption: Excel and LibreOffice
open it after asking the password), so a lost copy exposes nobody; every finished export is written to the
audit trail (what, format, rows, masked or not, encrypted, filters; never a NIK). The
file appears only when it is complete: it is written beside the target and renamed at the end, so a cancelled
or failed export leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fieldapp.db import regions
from fieldapp.db import reports as repo
from fieldapp.db.reports import ReportFilter
from fieldapp.errors import PermissionDenied, UserFacingError
from fieldapp.i18n import tr
from fieldapp.reports import contents, csv_out, pdf_out, xlsx_out
from fieldapp.reports.model import Bar, Report, Table, Ticker
from fieldapp.services import access, audit
from fieldapp.services.workspace import Workspace

KINDS = ("sync-log", "coverage", "participants")
FORMATS = ("csv", "xlsx", "pdf")
KIND_LABELS = {
    "sync-log": ("Log sinkronisasi", "Sync log"),
    "coverage": ("Cakupan per desa", "Coverage per village"),
    "participants": ("Daftar peserta", "Participant list"),
}

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    kind: str
    format: str
    rows: int
    masked: bool


MIN_FILE_PASSWORD = 8


def check_request(ws: Workspace, kind: str, fmt: str, unmasked: bool, file_password: str = "") -> None:
    access.require(ws, access.EXPORT)
    if kind not in KINDS:
        raise UserFacingError(f"Jenis laporan tidak dikenal: {kind}. Pilih: {', '.join(KINDS)}.",
                              f"Unknown report: {kind}. Choose: {', '.join(KINDS)}.", field="kind")
    if fmt not in FORMATS:
        raise UserFacingError(f"Format tidak dikenal: {fmt}. Pilih: csv, xlsx, pdf.",
                              f"Unknown format: {fmt}. Choose: csv, xlsx, pdf.", field="format")
    _refuse_unmasked(ws, unmasked)
    if unmasked and fmt != "xlsx":
        raise UserFacingError(
            "NIK lengkap hanya diekspor sebagai XLSX yang dikunci kata sandi. Pilih XLSX, atau samarkan NIK.",
            "Full NIKs are only exported as a password-protected XLSX. Choose XLSX, or mask the NIKs.",
            field="format")
    if unmasked and len(file_password) < MIN_FILE_PASSWORD:
        raise UserFacingError(
            f"Berkas dengan NIK lengkap perlu kata sandi berkas minimal {MIN_FILE_PASSWORD} karakter "
            "(berikan kepada penerima lewat jalur lain, misalnya telepon).",
            f"A file with full NIKs needs a file password of at least {MIN_FILE_PASSWORD} characters "
            "(give it to the recipient another way, e.g. by phone).",
            field="file_password")


def _refuse_unmasked(ws: Workspace, unmasked: bool) -> None:
    if unmasked and not ws.user.may_see_nik:
        raise PermissionDenied("mengekspor NIK lengkap", "export full NIKs")


def _tables(session, kind: str, f: ReportFilter, masked: bool) -> tuple[tuple[Table, ...], tuple]:
    if kind == "sync-log":
        return contents.sync_log(repo.batches(session, f), repo.result_tuples(session, f), masked)
    if kind == "coverage":
        return contents.coverage(repo.coverage_by_village(session, f), repo.coverage_by_officer(session, f),
                                 repo.coverage_by_day(session, f))
    return contents.participants(repo.participant_tuples(session, f), masked)


def filter_labels(session, f: ReportFilter) -> tuple[tuple[str, str], ...]:
    """The filters applied, as (label, value) lines for the report's heading (names, not only codes)."""
    labels = []
    if f.village:
        labels.append((tr("Wilayah", "Area"), f"{regions.path(session, f.village) or f.village} ({f.village})"))
    if f.officer:
        labels.append((tr("Petugas", "Officer"), f.officer))
    if f.device_id is not None:
        name = dict(repo.devices(session)).get(f.device_id, str(f.device_id))
        labels.append((tr("Perangkat", "Device"), name))
    if f.status:
        labels.append(("Status", contents.status_label(f.status)))
    return tuple(labels)


def build_report(ws: Workspace, kind: str, f: ReportFilter, *, masked: bool,
                 now: dt.datetime | None = None) -> Report:
    """The report's content, read from the store (no file yet)."""
    access.require(ws, access.EXPORT)
    _refuse_unmasked(ws, not masked)
    now = now or dt.datetime.now(dt.timezone.utc)
    user = ws.user
    who = f"{user.full_name} ({user.username})" if user.full_name else user.username
    with ws.store.sessions() as session:
        tables, summary = _tables(session, kind, f, masked)
        villages = repo.coverage_by_village(session, f)
        labels = filter_labels(session, f)
    bars = tuple(Bar(v.village_name, v.target, v.enrolled, v.accepted) for v in villages)
    chart = tr("Desa: peserta terdaftar dan diterima server, dibanding target",
               "Villages: participants enrolled and accepted by the server, against the target")
    period = contents.period_text(f.date_from, f.date_to)
    return Report(kind, tr(*KIND_LABELS[kind]), period, who, now, summary, tables, bars, chart, labels, masked)


def _seal(path: Path, password: str) -> None:
    """Encrypt the XLSX at ``path`` in place (the clear workbook never leaves this function's folder entry)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    sealed = path.with_name(path.name + ".sealed")
    with path.open("rb") as clear, sealed.open("wb") as out:
        OOXMLFile(clear).encrypt(password, out)
    os.replace(sealed, path)


def _write(report: Report, fmt: str, path: Path, ticker: Ticker, password: str) -> None:
    if fmt == "csv":
        csv_out.write_csv(path, report, ticker)
    elif fmt == "xlsx":
        xlsx_out.write_xlsx(path, report, ticker)
        if password:
            _seal(path, password)
    else:
        data = pdf_out.render_pdf(report, ticker)
        path.write_bytes(data)


def export(ws: Workspace, kind: str, fmt: str, out: Path, *, filters: ReportFilter | None = None,
           unmasked: bool = False, file_password: str = "", progress: Progress | None = None,
           cancel: threading.Event | None = None, now: dt.datetime | None = None) -> ExportResult:
    """Write one report to ``out``. Full NIKs (``unmasked``) need an XLSX and ``file_password``. Raises
    ``UserFacingError`` (code "cancelled" when ``cancel`` was set)."""
    fmt = fmt.lower()
    check_request(ws, kind, fmt, unmasked, file_password)
    f = filters or ReportFilter()
    out = Path(out)
    if not out.parent.is_dir():
        raise UserFacingError(f"Folder tujuan tidak ada: {out.parent}", f"The folder does not exist: {out.parent}",
                              field="out")
    if progress:
        progress(0, 1)
    report = build_report(ws, kind, f, masked=not unmasked, now=now)
    rows = report.row_count if fmt == "csv" else report.total_rows
    ticker = Ticker(rows, progress, cancel)
    ticker.check()
    part = out.with_name(f".{out.name}.part")
    try:
        _write(report, fmt, part, ticker, file_password if unmasked else "")
        os.replace(part, out)
    except OSError as exc:
        raise UserFacingError(f"Berkas tidak dapat ditulis: {out} ({exc.strerror or exc})",
                              f"The file cannot be written: {out} ({exc.strerror or exc})", field="out") from exc
    finally:
        part.unlink(missing_ok=True)
    with ws.store.sessions.begin() as session:
        audit.record(session, ws.user.username, "export", "report", kind, format=fmt, rows=report.row_count,
                     masked=report.masked, encrypted=unmasked, filters=_audit_filters(f))
    return ExportResult(out, kind, fmt, report.row_count, report.masked)


def _audit_filters(f: ReportFilter) -> dict:
    values = {"from": f.date_from, "to": f.date_to, "officer": f.officer, "device": f.device_id,
              "village": f.village, "status": f.status}
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items() if v is not None}


def default_file_name(kind: str, fmt: str, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    stem = {"sync-log": "log-sinkronisasi", "coverage": "cakupan", "participants": "peserta"}[kind]
    return f"{stem}-{today:%Y%m%d}.{fmt}"
