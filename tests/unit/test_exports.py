"""Exports read back by independent readers (csv, openpyxl, pypdf, LibreOffice) and compared with the store.

The store holds seeded demo participants; the sync log is GENERATED (``bench.bench_reports.synthetic_sync_log``
writes batches and per-record results the way ``sync_log.apply_receipt`` does), so every status shows up.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import threading

import openpyxl
import pypdf
import pytest
from sqlalchemy import func, select

from bench.bench_reports import synthetic_sync_log
from fieldapp.db import models as m
from fieldapp.db.reports import ReportFilter
from fieldapp.domain.nik import mask_nik
from fieldapp.errors import PermissionDenied, UserFacingError
from fieldapp.reports.contents import STATUS_LABELS
from fieldapp.services import exports, seed
from tests.conftest import open_as

N = 240


@pytest.fixture
def store_with_log(data_dir):
    """N demo participants, 200 of them in receipted batches of 50, plus 2 failed batches (generated inputs)."""
    ws = open_as(data_dir, "sup")
    for rows in seed.demo_rows(ws.store, N):
        seed.bulk_insert(ws.store, rows)
    synthetic_sync_log(ws.store, 200, batch_size=50, failed=2)
    with ws.store.sessions.begin() as s:
        s.add(m.VillageTarget(village_code="3216062002", target=40))
    yield ws
    ws.close()


def store_people(ws) -> dict[str, m.Participant]:
    with ws.store.sessions() as s:
        return {p.local_number: p for p in s.scalars(select(m.Participant))}


def store_results(ws) -> list[tuple]:
    with ws.store.sessions() as s:
        stmt = (select(m.SyncResult.batch_id, m.Participant.local_number, m.SyncResult.status, m.SyncResult.message)
                .join(m.Participant, m.Participant.uuid == m.SyncResult.participant_uuid).order_by(m.SyncResult.id))
        return list(s.execute(stmt))


def read_csv(path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_sync_log_csv_matches_the_store_row_by_row(store_with_log, tmp_path):
    ws = store_with_log
    out = exports.export(ws, "sync-log", "csv", tmp_path / "log.csv")
    rows = read_csv(out.path)
    results = store_results(ws)
    people = store_people(ws)
    record_rows = [r for r in rows if r["No. lokal"]]
    assert len(record_rows) == len(results) == 200
    assert out.rows == len(rows) == 202  # + the two failed batches, with their error
    for row, (batch, number, status, message) in zip(record_rows, results, strict=True):
        p = people[number]
        assert row["Kiriman"] == str(batch)
        assert row["No. lokal"] == number and row["Nama"] == p.full_name
        assert row["NIK"] == mask_nik(p.nik) and p.nik not in row.values()
        assert row["Hasil"] == STATUS_LABELS[status][0]
        assert row["Pesan"] == message
        assert dt.datetime.fromisoformat(row["Waktu"]).tzinfo is not None  # ISO 8601 with the offset
    failed = [r for r in rows if not r["No. lokal"]]
    assert [r["Hasil"] for r in failed] == ["Gagal kirim"] * 2 and all(r["Pesan"] for r in failed)


FILE_PASSWORD = "kunci-berkas-123"


def unsealed(path, password: str = FILE_PASSWORD):
    """The workbook inside an XLSX locked with a password, opened as Excel would after asking for it."""
    import msoffcrypto

    clear = io.BytesIO()
    with open(path, "rb") as f:
        office = msoffcrypto.OfficeFile(f)
        office.load_key(password=password)
        office.decrypt(clear)
    return openpyxl.load_workbook(clear)


def test_full_niks_only_in_a_password_locked_xlsx(store_with_log, tmp_path):
    ws = store_with_log
    masked = read_csv(exports.export(ws, "participants", "csv", tmp_path / "p.csv").path)
    people = store_people(ws)
    assert len(masked) == N and all(a["NIK"] == mask_nik(people[a["No. lokal"]].nik) for a in masked)
    for fmt in ("csv", "pdf"):
        with pytest.raises(UserFacingError) as exc:
            exports.export(ws, "participants", fmt, tmp_path / f"u.{fmt}", unmasked=True, file_password=FILE_PASSWORD)
        assert exc.value.field == "format" and "XLSX" in exc.value.indonesian
    with pytest.raises(UserFacingError) as exc:
        exports.export(ws, "participants", "xlsx", tmp_path / "u.xlsx", unmasked=True, file_password="pendek")
    assert exc.value.field == "file_password"
    assert not list(tmp_path.glob("u.*"))
    path = exports.export(ws, "participants", "xlsx", tmp_path / "u.xlsx", unmasked=True,
                          file_password=FILE_PASSWORD).path
    raw = path.read_bytes()
    assert not any(p.nik.encode() in raw or p.full_name.encode() in raw for p in people.values())
    with pytest.raises(Exception):  # noqa: B017 - openpyxl cannot read it without the password
        openpyxl.load_workbook(path)
    sheet = unsealed(path)["Peserta"]
    header = [c.value for c in sheet[1]]
    full = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert len(full) == N
    for a in full:
        p = people[a["No. lokal"]]
        assert a["NIK"] == p.nik and a["Nama lengkap"] == p.full_name


def test_sync_log_xlsx_typed_cells_frozen_header_autofilter_summary(store_with_log, tmp_path):
    ws = store_with_log
    path = exports.export(ws, "sync-log", "xlsx", tmp_path / "log.xlsx").path
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Ringkasan", "Hasil per data", "Kiriman"]
    summary = {r[0]: r[1] for r in wb["Ringkasan"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Kiriman"] == "6" and summary["Data dikirim"] == "200"
    sheet = wb["Hasil per data"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["Kiriman", "Waktu", "Petugas", "No. lokal", "Nama", "NIK"]  # the device: on "Kiriman"
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:J{sheet.max_row}" and sheet.max_row == 203
    people = store_people(ws)
    nik_col, number_col = header.index("NIK"), header.index("No. lokal")
    checked = 0
    for row in sheet.iter_rows(min_row=2):
        if row[number_col].value is None:
            continue
        p = people[row[number_col].value]
        cell = row[nik_col]
        assert cell.data_type == "s" and cell.number_format == "@" and cell.value == mask_nik(p.nik)
        assert isinstance(row[1].value, dt.datetime)
        checked += 1
    assert checked == 200
    batches = wb["Kiriman"]
    assert batches.max_row == 1 + 6 and [c.value for c in batches[1]][:2] == ["No.", "ID kiriman"]


def test_participants_xlsx_identifiers_are_text(store_with_log, tmp_path):
    ws = store_with_log
    path = exports.export(ws, "participants", "xlsx", tmp_path / "p.xlsx", unmasked=True,
                          file_password=FILE_PASSWORD).path
    sheet = unsealed(path)["Peserta"]
    header = [c.value for c in sheet[1]]
    people = store_people(ws)
    for row in sheet.iter_rows(min_row=2):
        values = dict(zip(header, row, strict=True))
        p = people[values["No. lokal"].value]
        assert values["NIK"].value == p.nik and values["NIK"].data_type == "s"
        assert values["NIK"].number_format == "@"
        if p.phone:
            assert values["No. HP"].value == p.phone and values["No. HP"].data_type == "s"
        if p.kpj:
            assert values["KPJ"].value == p.kpj and values["KPJ"].data_type == "s"
        assert values["Tanggal lahir"].value.date() == p.birth_date
    assert sheet.column_dimensions["B"].width >= 17


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_xlsx_and_keeps_every_nik_digit(store_with_log, tmp_path):
    ws = store_with_log
    sealed = exports.export(ws, "participants", "xlsx", tmp_path / "p.xlsx", unmasked=True,
                            file_password=FILE_PASSWORD).path
    path = tmp_path / "clear.xlsx"
    unsealed(sealed).save(path)
    out = tmp_path / "lo"
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
    sheet = next(out.glob("*Peserta*.csv"))
    with open(sheet, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    people = store_people(ws)
    assert len(rows) == N
    for row in rows:
        p = people[row["No. lokal"]]
        assert row["NIK"] == p.nik  # not 3.21606E+15, not 3216061207900000
        assert row["No. HP"] == p.phone


def pdf_text(path) -> tuple[int, str]:
    reader = pypdf.PdfReader(path)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_report_title_period_footer_and_every_record(store_with_log, tmp_path):
    ws = store_with_log
    f = ReportFilter(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 12, 31))
    path = exports.export(ws, "sync-log", "pdf", tmp_path / "log.pdf", filters=f).path
    pages, text = pdf_text(path)
    assert "Log sinkronisasi" in text and "Periode: 01-10-2026 – 31-12-2026" in text
    assert "Diekspor oleh Supervisor Uji (sup)" in text
    assert pages >= 2  # the total is a form drawn once at the end: text extraction puts it on its own line
    assert re.search(rf"halaman 1 dari\s*{pages}\b", text) and re.search(rf"halaman {pages} dari\s*{pages}\b", text)
    assert "Desa: peserta terdaftar dan diterima server" in text  # the chart's heading
    people = store_people(ws)
    for _batch, number, _status, _msg in store_results(ws):
        assert number[:12] in text  # local numbers may be clipped at the end, never at the start
        assert people[number].nik not in text.replace(" ", "")
    assert len(re.findall(r"Hasil per data", text)) == 1  # a heading once; the header row repeats per page


def test_pdf_header_repeats_on_every_page_of_a_long_table(store_with_log, tmp_path):
    path = exports.export(store_with_log, "participants", "pdf", tmp_path / "p.pdf").path
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) >= 4
    for page in reader.pages[1:]:
        assert "Nama lengkap" in page.extract_text()


def test_coverage_all_formats_agree(store_with_log, tmp_path):
    ws = store_with_log
    rows = read_csv(exports.export(ws, "coverage", "csv", tmp_path / "c.csv").path)
    wb = openpyxl.load_workbook(exports.export(ws, "coverage", "xlsx", tmp_path / "c.xlsx").path)
    assert wb.sheetnames == ["Ringkasan", "Per desa", "Per petugas", "Per hari"]
    with ws.store.sessions() as s:
        enrolled = dict(s.execute(select(m.Participant.village_code, func.count()).group_by(m.Participant.village_code))
                        .all())
    by_code = {r["Kode desa"]: r for r in rows}
    for code, n in enrolled.items():
        assert int(by_code[code]["Terdaftar"]) == n
    assert by_code["3216062002"]["Target"] == "40"
    sheet_rows = list(wb["Per desa"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[4]) for r in sheet_rows] == [(r["Kode desa"], int(r["Terdaftar"])) for r in rows]
    _pages, text = pdf_text(exports.export(ws, "coverage", "pdf", tmp_path / "c.pdf").path)
    assert "Per petugas" in text and "Per hari" in text and "petugas" in text


def test_exports_are_audited_without_niks(store_with_log, tmp_path):
    ws = store_with_log
    exports.export(ws, "participants", "xlsx", tmp_path / "p.xlsx", unmasked=True, file_password=FILE_PASSWORD,
                   filters=ReportFilter(village="3216"))
    with ws.store.sessions() as s:
        event = s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == "export")).one()
        niks = set(s.scalars(select(m.Participant.nik)))
    detail = json.loads(event.detail)
    assert event.username == "sup" and event.entity_id == "participants"
    assert detail == {"format": "xlsx", "rows": N, "masked": False, "encrypted": True,
                      "filters": {"village": "3216"}}
    assert not any(nik in event.detail for nik in niks)


@pytest.mark.parametrize("user", ["petugas", "kerani"])
def test_only_supervisors_export(data_dir, tmp_path, user):
    ws = open_as(data_dir, user)
    try:
        with pytest.raises(PermissionDenied):
            exports.export(ws, "coverage", "csv", tmp_path / "c.csv")
    finally:
        ws.close()
    assert not (tmp_path / "c.csv").exists()


def test_admin_does_not_export(data_dir, tmp_path):  # issue 7: admins keep accounts and settings
    ws = open_as(data_dir, "admin")
    try:
        with pytest.raises(PermissionDenied):
            exports.export(ws, "sync-log", "pdf", tmp_path / "empty.pdf")
    finally:
        ws.close()
    assert not (tmp_path / "empty.pdf").exists()


def test_empty_export(supervisor, tmp_path):
    assert exports.export(supervisor, "sync-log", "pdf", tmp_path / "empty.pdf").rows == 0
    assert "Tidak ada data." in pdf_text(tmp_path / "empty.pdf")[1]


def test_cancel_leaves_no_file_and_progress_reaches_the_end(store_with_log, tmp_path):
    ws = store_with_log
    cancel = threading.Event()
    seen = []

    def progress(done, total):
        seen.append((done, total))
        cancel.set()

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(UserFacingError) as err:
        exports.export(ws, "participants", "xlsx", out / "p.xlsx", progress=progress, cancel=cancel)
    assert err.value.code == "cancelled"
    assert list(out.iterdir()) == []  # neither the file nor its .part
    seen.clear()
    exports.export(ws, "participants", "csv", tmp_path / "p.csv", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (N, N)


def test_filters_narrow_every_export(store_with_log, tmp_path):
    ws = store_with_log
    people = store_people(ws)
    village = next(iter(people.values())).village_code
    rows = read_csv(exports.export(ws, "participants", "csv", tmp_path / "v.csv",
                                   filters=ReportFilter(village=village)).path)
    assert rows and {r["Kode desa"] for r in rows} == {village}
    assert len(rows) == sum(1 for p in people.values() if p.village_code == village)
    rejected = read_csv(exports.export(ws, "sync-log", "csv", tmp_path / "r.csv",
                                       filters=ReportFilter(status="rejected")).path)
    assert rejected and {r["Hasil"] for r in rejected} == {"Ditolak"}
    future = ReportFilter(date_from=dt.date(2099, 1, 1))
    assert exports.export(ws, "participants", "csv", tmp_path / "f.csv", filters=future).rows == 0


def test_unknown_kind_format_or_folder_is_a_clear_error(store_with_log, tmp_path):
    ws = store_with_log
    with pytest.raises(UserFacingError, match="Format tidak dikenal"):
        exports.export(ws, "coverage", "docx", tmp_path / "c.docx")
    with pytest.raises(UserFacingError, match="Jenis laporan"):
        exports.export(ws, "audit", "csv", tmp_path / "c.csv")
    with pytest.raises(UserFacingError, match="Folder tujuan tidak ada"):
        exports.export(ws, "coverage", "csv", tmp_path / "missing" / "c.csv")
