"""What the Sinkronisasi page reads and says: waiting counts, the records that need attention (the server's
reason in plain words), each batch's results, the receipts of one run, table cells and messages. Each read opens
its own session and returns frozen dataclasses or plain values, for the task runner's threads. Sending is
``services.sync``; offline files are ``services.transfer`` (``import_receipts`` applies several in a row)."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from fieldapp.db import participants as participants_repo
from fieldapp.db import sync_view as repo
from fieldapp.db.sync_log import BatchLogEntry
from fieldapp.db.sync_view import AttentionRow, ResultRow
from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.reports.import_columns import FIELDS
from fieldapp.services import access, stats, transfer
from fieldapp.services.workspace import Workspace
from fieldapp.sync.client import SyncClient, SyncError

Pair = tuple[str, str]  # (Indonesian, English)
ATTENTION_STATES = repo.ATTENTION_STATES
CLOCK_WARNING_MS = 5 * 60 * 1000  # a laptop clock further off than this dates consents and enrolments wrongly
#: Receipt statuses in words (Indonesian, English).
RESULT_WORDS: dict[str, Pair] = {
    "accepted": ("diterima", "accepted"), "updated": ("diperbarui", "updated"),
    "unchanged": ("tidak berubah", "unchanged"), "duplicate_person": ("duplikat", "duplicate"),
    "rejected": ("ditolak", "rejected"), "conflict": ("konflik", "conflict")}
BATCH_WORDS: dict[str, Pair] = {
    "prepared": ("disiapkan, belum terkirim", "prepared, not sent"),
    "failed": ("gagal, dikirim ulang nanti", "failed, resent later"), "receipted": ("ada tanda terima", "receipted")}
#: Field names in the server's rejection messages, as the enrolment form calls them.
FIELD_WORDS: dict[str, Pair] = {
    **FIELDS, "village": ("Desa/kelurahan", "Village"), "village_code": ("Desa/kelurahan", "Village"),
    "income_band": ("Penghasilan", "Income"), "programs": ("Program", "Programmes"),
    "funding_source": ("Sumber dana", "Funding source"), "sector": ("Sektor", "Sector"),
    "start_month": ("Bulan mulai", "Start month"), "consent": ("Persetujuan", "Consent")}
HINTS: dict[str, Pair] = {  # by the server's code where one needs its own advice, else by the status
    "rejected": ("Perbaiki isian yang disebut, simpan, lalu sinkronkan lagi.",
                 "Correct the fields named, save, then sync again."),
    "duplicate_person": (
        "NIK ini sudah terdaftar di server pada data lain. Cocokkan NIK dengan KTP: bila salah ketik, perbaiki lalu "
        "sinkronkan lagi; bila orangnya memang sudah terdaftar, data ini tidak perlu dikirim (hubungi supervisor).",
        "The server holds this NIK under another record. Check the NIK against the KTP: if it was mistyped, correct "
        "it and sync again; if the person really is enrolled already, this record need not be sent (call the "
        "supervisor)."),
    "conflict": (
        "Server menyimpan revisi yang lebih baru dari data ini (diubah di laptop lain, atau laptop ini dipulihkan "
        "dari cadangan lama). Setelah sinkron, bandingkan kedua versi di atas lalu pilih: \"Pakai versi saya\" "
        "(dikirim ulang sebagai perubahan atas versi server) atau \"Pakai versi server\".",
        "The server holds a newer revision of this record (edited on another laptop, or this laptop was restored "
        "from an old backup). After a sync, compare both versions above and choose: \"Keep mine\" (sent again as "
        "an edit of the server's version) or \"Take the server's\"."),
    "not_owner": (
        "Data ini pertama kali dikirim oleh akun lain; mengubahnya tidak cukup. Minta supervisor mengirimkannya, "
        "atau hubungi petugas yang mendaftarkannya.",
        "Another account sent this record first; editing it will not help. Ask a supervisor to send it, or contact "
        "the officer who enrolled it."),
}
_FIELD_PART = re.compile(r"^\s*([a-z_]+): (.*)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Overview:
    server_url: str
    pending: int  # never sent, or edited since
    sent: int  # in a batch that has no receipt yet (resent with the same batch_id)
    attention: int
    last_sync: dt.datetime | None

    @property
    def waiting(self) -> int:
        return self.pending + self.sent


def overview(ws: Workspace) -> Overview:
    with ws.store.sessions() as session:
        by_state = participants_repo.count_by_state(session)
    return Overview(ws.setting("server_url"), by_state.get("pending", 0), by_state.get("sent", 0),
                    sum(by_state.get(s, 0) for s in ATTENTION_STATES), stats.last_sync(ws))


def attention(ws: Workspace, limit: int = 1000) -> tuple[AttentionRow, ...]:
    """The records the server did not take (NIK masked unless the user's role needs it; audited when not)."""
    with ws.store.sessions() as session:
        rows = tuple(repo.attention(session, full_nik=ws.user.may_see_nik, limit=limit))
    if ws.user.may_see_nik:
        access.viewed(ws, "participants", [r.uuid for r in rows], list="sync_attention")
    return rows


def batch_results(ws: Workspace, batch_pk: int) -> tuple[ResultRow, ...]:
    with ws.store.sessions() as session:
        return tuple(repo.batch_results(session, batch_pk))


def receipted_since(ws: Workspace, since: dt.datetime) -> tuple[BatchLogEntry, ...]:
    with ws.store.sessions() as session:  # the receipts of one run
        return tuple(repo.receipted_since(session, since))


# -- words ------------------------------------------------------------------------------------------------------
def reason(message: str, status: str = "") -> Pair:
    """The server's ``"Indonesian / English"`` message as a pair, field names in words (``birth_date: …`` →
    ``Tanggal lahir: …``). An empty message falls back to the status in words."""
    message = (message or "").strip()
    if not message:
        return RESULT_WORDS.get(status, (status, status))
    indonesian, sep, english = message.partition(" / ")  # our messages hold no " / " in the Indonesian half
    return _fields(indonesian, 0), _fields(english if sep else indonesian, 1)


def _fields(text: str, lang: int) -> str:
    parts = []
    for part in text.split("; "):
        found = _FIELD_PART.match(part)
        if found and found.group(1) in FIELD_WORDS:
            part = f"{FIELD_WORDS[found.group(1)][lang]}: {found.group(2)}"
        parts.append(part.strip())
    return "; ".join(parts)


def detail_text(row: AttentionRow) -> str:
    """One record needing attention: the server's reason, for a conflict what this laptop holds, what to do."""
    lines = [f"{row.full_name} · {row.local_number} · {tr(*RESULT_WORDS[row.sync_state])}: "
             f"{tr(*reason(row.sync_message, row.sync_state))}"]
    if row.sync_state == "conflict":
        acked = (tr(f"revisi terakhir yang diterima server: {row.synced_revision}",
                    f"last revision the server acknowledged: {row.synced_revision}") if row.synced_revision
                 else tr("server belum pernah menerima data ini dari laptop ini",
                         "the server never took this record from this laptop"))
        changed = when(row.updated_at)
        lines.append(tr(f"Di laptop: revisi {row.revision}, diubah {changed}; {acked}.",
                        f"On this laptop: revision {row.revision}, changed {changed}; {acked}."))
    return "\n".join([*lines, tr(*HINTS.get(row.code) or HINTS[row.sync_state])])


def when(at: dt.datetime | None) -> str:
    return at.astimezone().strftime("%d-%m-%Y %H:%M") if at else "–"


def words(status: str, table: dict[str, Pair] = RESULT_WORDS) -> str:
    return tr(*table.get(status, (status, status)))


# -- table cells: column titles as pairs, cells as text in the user's language ------------------------------------
ATTENTION_COLUMNS = (("No. pendaftaran", "Record no."), ("Nama", "Name"), ("NIK", "NIK"), ("Desa/kelurahan", "Village"),
                     ("Masalah", "Problem"), ("Alasan dari server", "The server's reason"))
LOG_COLUMNS = (("Waktu", "Time"), ("Server", "Server"), ("Pengguna", "User"), ("Data", "Records"),
               ("Status", "Status"), ("Hasil", "Results"), ("Jam laptop", "Laptop clock"), ("Keterangan", "Note"))
RESULT_COLUMNS = (("No. pendaftaran", "Record no."), ("Nama", "Name"), ("Revisi", "Revision"), ("Hasil", "Result"),
                  ("Keterangan dari server", "The server's note"))


def attention_cells(r: AttentionRow) -> list[str]:
    return [r.local_number, r.full_name, r.nik, r.village_name, words(r.sync_state),
            tr(*reason(r.sync_message, r.sync_state))]


def log_cells(e: BatchLogEntry) -> list[str]:
    server = tr("Berkas ", "File ") + e.server[5:] if e.server.startswith("file:") else e.server  # offline transfer
    return [when(e.sent_at or e.created_at), server, e.username, _n(e.record_count),
            words(e.status, BATCH_WORDS), counts_text(e.counts) if e.counts else "–", offset_text(e.clock_offset_ms),
            e.error]


def result_cells(r: ResultRow) -> list[str]:
    return [r.local_number or "–", r.full_name or tr("(tidak ada di laptop ini)", "(not on this laptop)"),
            str(r.revision), words(r.status), tr(*reason(r.message, r.status))]


def counts_text(counts: dict[str, int]) -> str:
    """``{"accepted": 3, "rejected": 1}`` → "3 diterima, 1 ditolak" (receipt order), in the user's language."""
    order = [s for s in RESULT_WORDS if counts.get(s)] + sorted(s for s in counts if s not in RESULT_WORDS)
    return ", ".join(f"{_n(counts[s])} {words(s)}" for s in order if counts[s]) or "–"


def offset_text(offset_ms: int | None) -> str:
    """The laptop clock against the server's: "7 menit lebih lambat", "tepat" (offset = server − laptop)."""
    if offset_ms is None:
        return "–"
    seconds = abs(offset_ms) / 1000
    if seconds < 1:
        return tr("tepat", "in step")
    if seconds < 90:
        amount = tr(f"{round(seconds)} detik", f"{round(seconds)} s")
    elif seconds < 90 * 60:
        amount = tr(f"{round(seconds / 60)} menit", f"{round(seconds / 60)} min")
    else:
        amount = tr(f"{round(seconds / 3600)} jam", f"{round(seconds / 3600)} h")
    return amount + (tr(" lebih lambat", " behind") if offset_ms > 0 else tr(" lebih cepat", " ahead"))


def clock_warning(offset_ms: int | None) -> str:
    """A warning when the laptop clock is off by more than five minutes, else ""."""
    if offset_ms is None or abs(offset_ms) <= CLOCK_WARNING_MS:
        return ""
    return tr(f"Jam laptop {offset_text(offset_ms)} dari jam server. Betulkan tanggal, jam dan zona waktu laptop: "
              "waktu pendaftaran dan persetujuan dicatat dengan jam ini.",
              f"The laptop clock is {offset_text(offset_ms)} of the server's. Correct the laptop's date, time and "
              "time zone: enrolments and consents are dated with this clock.")


# -- server address and reachability -----------------------------------------------------------------------------
def check_server_url(url: str) -> str:
    """"" when ``url`` can be used, else the problem in the user's language (the settings page's rule)."""
    url = url.strip()
    if not url:
        return tr("Isi alamat server terlebih dahulu.", "Enter the server address first.")
    if not url.startswith(("https://", "http://localhost", "http://127.0.0.1")):
        return tr("Alamat harus diawali https://", "The address must start with https://")
    return ""


def tls_verify() -> bool | str:
    """A CA bundle named by ``FIELDAPP_CA_BUNDLE`` (as the CLI does), else the system's certificates."""
    return os.environ.get("FIELDAPP_CA_BUNDLE") or True


def reachable(url: str) -> bool:
    """One quick ``/health`` call, no retries: can the server be reached right now? (auto-sync)"""
    try:
        with SyncClient(url, verify=tls_verify(), timeout=(4, 4), retries=0) as client:
            return bool(client.health())
    except SyncError:
        return False


# -- the result of one run ---------------------------------------------------------------------------------------
def _n(n: int) -> str:
    return f"{n:,}".replace(",", ".")  # as ``ui.widgets.number``: the Indonesian thousands separator


def run_summary(report, receipts: tuple[BatchLogEntry, ...], o: Overview, at: dt.datetime,
                shown: int = 6) -> tuple[str, bool]:
    """What one finished sync did (``report`` is a ``services.sync.SyncReport``), and whether it needs a look."""
    now = at.astimezone().strftime("%H:%M")
    if report.batches:
        lines = [tr(f"✓ Sinkronisasi selesai ({now}): {_n(report.records)} data dalam {_n(report.batches)} kiriman"
                    f" — {counts_text(report.counts)}.",
                    f"✓ Sync finished ({now}): {_n(report.records)} records in {_n(report.batches)} batches — "
                    f"{counts_text(report.counts)}.")]
        for e in receipts[:shown]:
            lines.append(tr(f"   • Tanda terima kiriman {e.batch_id[:8]} ({_n(e.record_count)} data): ",
                            f"   • Receipt of batch {e.batch_id[:8]} ({_n(e.record_count)} records): ")
                         + counts_text(e.counts))
        if len(receipts) > shown:
            more = len(receipts) - shown
            lines.append(tr(f"   • dan {more} kiriman lain (lihat Log sinkronisasi)",
                            f"   • and {more} more batches (see the Sync log)"))
    else:
        lines = [tr(f"✓ Sinkronisasi selesai ({now}): tidak ada data baru untuk dikirim.",
                    f"✓ Sync finished ({now}): no new records to send.")]
    lines.append(tr(f"Nomor KPJ baru dari BPJS: {_n(report.kpj_updates)}.",
                    f"New KPJ numbers from BPJS: {_n(report.kpj_updates)}."))
    if report.clock_offset_ms is not None:
        lines.append(tr("Jam laptop dibanding server: ", "Laptop clock against the server: ")
                     + offset_text(report.clock_offset_ms) + ".")
    warning = clock_warning(report.clock_offset_ms)
    if warning:
        lines.append("⚠ " + warning)
    if o.attention:
        lines.append(tr(f"{_n(o.attention)} data perlu perhatian: lihat daftar di bawah.",
                        f"{_n(o.attention)} records need attention: see the list below."))
    if o.waiting:
        lines.append(tr(f"{_n(o.waiting)} data masih menunggu (diubah selama sinkron); dikirim lain kali.",
                        f"{_n(o.waiting)} records still wait (changed during the sync); sent next time."))
    return "\n".join(lines), bool(warning or o.attention)


def failure_text(error: str, o: Overview) -> str:
    """A failed or stopped sync, calmly: what happened, and that the waiting records are safe."""
    if not o.waiting:
        return error
    return error + "\n" + tr(f"{_n(o.waiting)} data menunggu dikirim di laptop ini; sinkronkan lagi kapan saja, "
                             "tidak ada yang terkirim dua kali.",
                             f"{_n(o.waiting)} records wait on this laptop; sync again any time, nothing is sent "
                             "twice.")


# -- offline transfer ---------------------------------------------------------------------------------------------
def export_text(paths: list[Path]) -> str:
    names = ", ".join(p.name for p in paths)
    return tr(f"✓ {len(paths)} berkas kiriman ditulis di {paths[0].parent}: {names}.\nSerahkan ke operator server, "
              "lalu bawa kembali berkas tanda terimanya dan pilih Impor tanda terima.",
              f"✓ {len(paths)} batch files written in {paths[0].parent}: {names}.\nHand them to the server operator, "
              "then bring the receipt files back and choose Import receipts.")


def import_receipts(ws: Workspace, paths: list[Path]) -> tuple[str, bool]:
    """Apply receipt files one by one (``transfer.import_receipt``): a line per file, and whether one failed."""
    lines, failed = [], False
    for path in paths:
        try:
            lines.append(f"✓ {path.name}: {counts_text(transfer.import_receipt(ws, path))}")
        except UserFacingError as exc:
            lines.append(f"✗ {path.name}: {exc.text()}")
            failed = True
    return "\n".join(lines), failed


def conflict_text(view) -> str:
    """Both versions of a record in conflict, field by field (a ``fieldapp.services.conflicts.ConflictView``)."""
    lines = [tr(f"Laptop ini (revisi {view.local_revision}) ↔ server (revisi {view.server_revision}):",
                f"This laptop (revision {view.local_revision}) ↔ server (revision {view.server_revision}):")]
    for name, mine, theirs in view.differences:
        label = tr(*FIELD_WORDS.get(name, (name, name)))
        lines.append(f"  {label}: {_shown(mine)} ↔ {_shown(theirs)}")
    return "\n".join(lines)


def _shown(value: object) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, tuple):
        return "+".join(map(str, value))
    return str(value) if value not in (None, "") else "–"
