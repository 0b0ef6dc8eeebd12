"""The tables and summary figures of each report, from rows the services read (pure: no store access).

Inputs are the repository's frozen rows and tuples (read by attribute or position, so this package needs no
import of ``fieldapp.db``); text is in the current language; NIKs and KK numbers are masked here when asked.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from fieldapp.domain import contributions, occupations
from fieldapp.domain.enrolment import HEIR_RELATIONSHIPS
from fieldapp.domain.nik import mask_nik
from fieldapp.i18n import language, tr
from fieldapp.reports.model import Column, Table
from fieldapp.reports.pdf_table import number_text

Summary = tuple[tuple[str, str], ...]

#: Labels of every status a report shows: record sync states, per-record results and batch states.
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "pending": ("Menunggu kirim", "Waiting to send"),
    "sent": ("Terkirim, belum ada tanda terima", "Sent, no receipt yet"),
    "accepted": ("Diterima", "Accepted"),
    "updated": ("Perubahan diterima", "Update accepted"),
    "unchanged": ("Sudah ada (kirim ulang)", "Already there (resent)"),
    "duplicate_person": ("NIK sudah terdaftar", "NIK already enrolled"),
    "rejected": ("Ditolak", "Rejected"),
    "conflict": ("Konflik versi", "Version conflict"),
    "prepared": ("Disiapkan, belum terkirim", "Prepared, not sent"),
    "failed": ("Gagal kirim", "Sending failed"),
    "receipted": ("Ada tanda terima", "Receipted"),
}
RESULT_ORDER = ("accepted", "updated", "unchanged", "duplicate_person", "rejected", "conflict")


def status_label(code: str | None) -> str:
    return tr(*STATUS_LABELS[code]) if code in STATUS_LABELS else (code or "")


def _mask(value: str | None, masked: bool) -> str | None:
    return mask_nik(value) if (masked and value) else value


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def percent_text(value: float) -> str:
    text = f"{value:.1f} %"
    return text.replace(".", ",") if language() == "id" else text


def period_text(date_from: dt.date | None, date_to: dt.date | None) -> str:
    if date_from and date_to:
        return f"{date_from:%d-%m-%Y} – {date_to:%d-%m-%Y}"
    if date_from:
        return tr(f"sejak {date_from:%d-%m-%Y}", f"since {date_from:%d-%m-%Y}")
    if date_to:
        return tr(f"sampai {date_to:%d-%m-%Y}", f"until {date_to:%d-%m-%Y}")
    return tr("semua tanggal", "all dates")


# -- sync log ------------------------------------------------------------------------------------------------
def sync_log(batches: Sequence, results: Sequence[tuple], masked: bool) -> tuple[tuple[Table, ...], Summary]:
    """``batches``: BatchRow-like objects, newest first; ``results``: ``db.reports.result_tuples`` rows."""
    rows: list[tuple] = []
    with_results = set()
    for bid, at, officer, device, number, name, nik, _vc, village, _rev, status, code, message in results:
        with_results.add(bid)
        rows.append((bid, at, device, officer, number, name, _mask(nik, masked), village, status_label(status),
                     code, message))
    for b in batches:  # a batch never receipted still shows, with its error, in the one-table formats
        if b.id not in with_results and b.status != "receipted":
            rows.append((b.id, b.sent_at or b.created_at, b.device, b.officer, None, None, None, None,
                         status_label(b.status), None, b.error))
    rows.sort(key=lambda r: r[0])
    results_table = Table(tr("Hasil per data", "Result per record"), (
        Column(tr("Kiriman", "Batch"), "int", 6), Column(tr("Waktu", "Time"), "datetime", 14),
        Column(tr("Perangkat", "Device"), "text", 12, in_pdf=False, in_xlsx=False),
        Column(tr("Petugas", "Officer"), "text", 10),
        Column(tr("No. lokal", "Local no."), "code", 19), Column(tr("Nama", "Name"), "text", 20),
        Column("NIK", "code", 17), Column(tr("Desa/kelurahan", "Village"), "text", 15),
        Column(tr("Hasil", "Result"), "text", 14), Column(tr("Kode", "Code"), "text", 12, in_pdf=False),
        Column(tr("Pesan", "Message"), "text", 34)), rows,
        tr("Satu baris per data per kiriman; kiriman tanpa tanda terima tampil dengan galatnya. Perangkat tiap "
           "kiriman ada di lembar Kiriman.",
           "One row per record per batch; batches without a receipt show with their error. Each batch's device is "
           "on the Batches sheet."))
    ordered = sorted(batches, key=lambda b: b.id)
    batch_rows = []
    for b in ordered:
        counts = dict(b.counts)
        offset = round(b.clock_offset_ms / 1000, 1) if b.clock_offset_ms is not None else None
        batch_rows.append((b.id, b.batch_id, b.created_at, b.sent_at, b.server, b.officer, b.device, b.record_count,
                           status_label(b.status), *(counts.get(s, 0) for s in RESULT_ORDER), offset, b.error))
    batch_table = Table(tr("Kiriman", "Batches"), (
        Column(tr("No.", "No."), "int", 5), Column(tr("ID kiriman", "Batch ID"), "text", 36, in_pdf=False),
        Column(tr("Dibuat", "Created"), "datetime", 14), Column(tr("Dikirim", "Sent"), "datetime", 14),
        Column("Server", "text", 22), Column(tr("Petugas", "Officer"), "text", 10),
        Column(tr("Perangkat", "Device"), "text", 12), Column(tr("Data", "Records"), "int", 7),
        Column("Status", "text", 14), *(Column(status_label(s), "int", 8) for s in RESULT_ORDER),
        Column(tr("Selisih jam (detik)", "Clock offset (s)"), "float", 9),
        Column(tr("Galat", "Error"), "text", 26)), batch_rows)
    totals: Counter = Counter()
    for b in batches:
        totals.update(dict(b.counts))
    offsets = [abs(b.clock_offset_ms) for b in batches if b.clock_offset_ms is not None]
    summary = (
        (tr("Kiriman", "Batches"), number_text(len(batches))),
        (tr("Data dikirim", "Records sent"), number_text(sum(b.record_count for b in batches))),
        (tr("Diterima server", "Accepted by the server"),
         number_text(totals["accepted"] + totals["updated"] + totals["unchanged"])),
        (tr("NIK sudah terdaftar", "NIK already enrolled"), number_text(totals["duplicate_person"])),
        (tr("Ditolak", "Rejected"), number_text(totals["rejected"])),
        (tr("Konflik versi", "Version conflicts"), number_text(totals["conflict"])),
        (tr("Kiriman gagal / belum terkirim", "Batches failed / not sent"),
         number_text(sum(1 for b in batches if b.status in ("failed", "prepared", "sent")))),
        (tr("Selisih jam terbesar", "Largest clock offset"), f"{max(offsets) / 1000:.1f} s" if offsets else "–"),
    )
    return (results_table, batch_table), summary


# -- coverage ------------------------------------------------------------------------------------------------
def coverage(villages: Sequence, officers: Sequence, days: Sequence) -> tuple[tuple[Table, ...], Summary]:
    village_rows = [(v.village_code, v.village_name, v.district_name, v.target, v.enrolled, v.accepted, v.kpj,
                     _pct(v.enrolled, v.target), max(v.target - v.enrolled, 0)) for v in villages]
    village_table = Table(tr("Per desa", "Per village"), (
        Column(tr("Kode desa", "Village code"), "code", 12), Column(tr("Desa/kelurahan", "Village"), "text", 20),
        Column(tr("Kecamatan", "District"), "text", 18), Column("Target", "int", 8),
        Column(tr("Terdaftar", "Enrolled"), "int", 9), Column(tr("Diterima server", "Accepted"), "int", 9),
        Column(tr("KPJ terbit", "KPJ issued"), "int", 9), Column(tr("Capaian (%)", "Reached (%)"), "float", 9),
        Column(tr("Kurang", "Short of target"), "int", 9)), village_rows,
        tr("Target bawaan 100 orang per desa bila server belum menetapkan.",
           "The default target is 100 people per village until the server sets one."))
    officer_rows = [(o.username, o.full_name, o.villages, o.enrolled, o.accepted, o.kpj, o.waiting, o.problems,
                     o.first, o.last) for o in officers]
    officer_table = Table(tr("Per petugas", "Per officer"), (
        Column(tr("Pengguna", "User"), "text", 12), Column(tr("Nama", "Name"), "text", 20),
        Column(tr("Desa", "Villages"), "int", 7), Column(tr("Terdaftar", "Enrolled"), "int", 9),
        Column(tr("Diterima server", "Accepted"), "int", 9), Column(tr("KPJ terbit", "KPJ issued"), "int", 9),
        Column(tr("Menunggu kirim", "Waiting"), "int", 9), Column(tr("Bermasalah", "Problems"), "int", 9),
        Column(tr("Pertama", "First"), "datetime", 15), Column(tr("Terakhir", "Last"), "datetime", 15)),
        officer_rows)
    day_rows = [(d.day, d.enrolled, d.accepted, d.kpj) for d in days]
    day_table = Table(tr("Per hari", "Per day"), (
        Column(tr("Tanggal", "Date"), "date", 12), Column(tr("Terdaftar", "Enrolled"), "int", 9),
        Column(tr("Diterima server", "Accepted"), "int", 9), Column(tr("KPJ terbit", "KPJ issued"), "int", 9)),
        day_rows)
    target = sum(v.target for v in villages)
    enrolled = sum(v.enrolled for v in villages)
    summary = (
        (tr("Desa", "Villages"), number_text(len(villages))),
        (tr("Target", "Target"), number_text(target)),
        (tr("Terdaftar", "Enrolled"), number_text(enrolled)),
        (tr("Capaian", "Reached"), percent_text(_pct(enrolled, target))),
        (tr("Diterima server", "Accepted by the server"), number_text(sum(v.accepted for v in villages))),
        (tr("KPJ terbit", "KPJ issued"), number_text(sum(v.kpj for v in villages))),
        (tr("Desa mencapai target", "Villages at target"),
         number_text(sum(1 for v in villages if v.target and v.enrolled >= v.target))),
        (tr("Petugas", "Officers"), number_text(len(officers))),
    )
    return (village_table, officer_table, day_table), summary


# -- participants --------------------------------------------------------------------------------------------
def _occupation(code: str) -> str:
    job = occupations.get(code)
    return job.label if job else code


def participants(rows: Sequence[tuple], masked: bool) -> tuple[tuple[Table, ...], Summary]:
    """``rows`` in ``db.reports.PARTICIPANT_COLUMNS`` order."""
    out = []
    states: Counter = Counter()
    kpj = 0
    for (number, nik, name, kk, sex, place, born, street, rt, rw, vcode, vname, phone, job, band, programs, funding,
         heir, relation, heir_phone, consent, officer, at, state, kpj_no, bpjs) in rows:
        states[state] += 1
        kpj += kpj_no is not None
        out.append((number, _mask(nik, masked), name, _mask(kk, masked), sex, place, born, street, rt, rw, vcode,
                    vname, phone, _occupation(job), band, programs.replace(",", "+"),
                    tr(*contributions.FUNDING_LABELS.get(funding, (funding, funding))), heir,
                    tr(*HEIR_RELATIONSHIPS[relation]) if relation in HEIR_RELATIONSHIPS else relation,
                    heir_phone, consent, officer, at, status_label(state), kpj_no, bpjs))
    table = Table(tr("Peserta", "Participants"), (
        Column(tr("No. lokal", "Local no."), "code", 20), Column("NIK", "code", 17),
        Column(tr("Nama lengkap", "Full name"), "text", 22), Column(tr("No. KK", "KK no."), "code", 17, False),
        Column("L/P", "text", 4), Column(tr("Tempat lahir", "Place of birth"), "text", 12, False),
        Column(tr("Tanggal lahir", "Date of birth"), "date", 11), Column(tr("Alamat", "Address"), "text", 22, False),
        Column("RT", "code", 4, False), Column("RW", "code", 4, False),
        Column(tr("Kode desa", "Village code"), "code", 12, False), Column(tr("Desa/kelurahan", "Village"), "text", 15),
        Column(tr("No. HP", "Mobile"), "code", 15), Column(tr("Pekerjaan", "Occupation"), "text", 15),
        Column(tr("Penghasilan (Rp)", "Income (Rp)"), "int", 11, False),
        Column(tr("Program", "Programmes"), "text", 11, False),
        Column(tr("Sumber dana", "Funding"), "text", 16, False), Column(tr("Ahli waris", "Heir"), "text", 18, False),
        Column(tr("Hubungan", "Relationship"), "text", 10, False),
        Column(tr("HP ahli waris", "Heir's phone"), "code", 15, False),
        Column(tr("Cara persetujuan", "Consent"), "text", 14, False),
        Column(tr("Petugas", "Officer"), "text", 10, False),
        Column(tr("Terdaftar", "Enrolled"), "datetime", 14), Column(tr("Status kirim", "Sync state"), "text", 13),
        Column("KPJ", "code", 12), Column(tr("Status BPJS", "BPJS status"), "text", 11, False)), out,
        tr("Kolom lengkap ada di CSV/XLSX; PDF memuat kolom utama.",
           "All columns are in the CSV/XLSX; the PDF shows the main ones."))
    villages = len({r[10] for r in rows})
    summary = (
        (tr("Peserta", "Participants"), number_text(len(rows))),
        (tr("Desa", "Villages"), number_text(villages)),
        (tr("Diterima server", "Accepted by the server"), number_text(states["accepted"])),
        (tr("Menunggu kirim", "Waiting to send"), number_text(states["pending"] + states["sent"])),
        (tr("Bermasalah", "With problems"),
         number_text(states["rejected"] + states["conflict"] + states["duplicate_person"])),
        (tr("KPJ terbit", "KPJ issued"), number_text(kpj)),
        ("NIK", tr("disamarkan", "masked") if masked else tr("lengkap", "in full")),
    )
    return (table,), summary

