"""Sertifikat, Sinkronisasi and Laporan: what exists so far (counts, last sync, coverage) and what comes next.

Their own features arrive with later issues; until then every button here does something real.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldapp.i18n import tr
from fieldapp.services import stats
from fieldapp.ui.context import Context
from fieldapp.ui.participants_model import SYNC_LABELS
from fieldapp.ui.widgets import ago, card, heading, label, number


class _InfoPage(QWidget):
    title = ("", "")

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dirty = True
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(16, 12, 16, 12)
        self.layout_.setSpacing(10)
        self.layout_.addWidget(heading(tr(*self.title)))
        ctx.bus.participants_changed.connect(self._changed)

    def about(self, text: str) -> None:
        frame, box = card()
        frame.setProperty("role", "banner-info")
        box.addWidget(label(text, wrap=True))
        self.layout_.addWidget(frame)

    def button(self, name: str, text: str, slot) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.clicked.connect(slot)
        return b

    def _changed(self) -> None:
        self.dirty = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.dirty:
            self.dirty = False
            self.refresh()

    def refresh(self) -> None:
        ws = self.ctx.ws
        self.ctx.runner.run_db(lambda: stats.counts(ws), self.show_counts, owner=self, background=True)

    def show_counts(self, counts: dict) -> None:  # pragma: no cover - overridden
        pass


def _state_table(name: str) -> QTableWidget:
    table = QTableWidget(0, 2)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels([tr("Status kirim", "Sync state"), tr("Jumlah", "Count")])
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
    return table


def _number_item(n: int) -> QTableWidgetItem:
    item = QTableWidgetItem(number(n))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _fill_states(table: QTableWidget, by_state: dict) -> None:
    table.setRowCount(len(SYNC_LABELS))
    for r, (code, names) in enumerate(SYNC_LABELS.items()):
        table.setItem(r, 0, QTableWidgetItem(tr(*names)))
        table.setItem(r, 1, _number_item(by_state.get(code, 0)))


class CertificatesPage(_InfoPage):
    title = ("Sertifikat & kartu peserta", "Certificates & participant cards")

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.about(
            tr(
                "Di sini nanti dicetak sertifikat kepesertaan dan kartu peserta (PDF): satu peserta atau satu desa "
                "sekaligus, cetak ulang dengan alasan. Sebelum BPJS memberi nomor KPJ, sertifikat bersifat sementara. "
                "Sementara ini, cari peserta di halaman Peserta.",
                "Certificates and participant cards (PDF) will be printed here: one participant or a whole village "
                "at a time, reprints with a reason. Until BPJS issues the KPJ number, a certificate is provisional. "
                "For now, find participants on the Participants page.",
            )
        )
        frame, box = card(tr("Peserta", "Participants"))
        self.summary = label(tr("Memuat…", "Loading…"), wrap=True)
        self.summary.setObjectName("certificates_summary")
        box.addWidget(self.summary)
        box.addWidget(
            self.button(
                "goto_participants",
                tr("Cari peserta", "Find participants"),
                lambda: ctx.bus.navigate.emit("participants"),
            ),
            0,
            Qt.AlignmentFlag.AlignLeft,
        )
        self.layout_.addWidget(frame)
        self.layout_.addStretch(1)

    def show_counts(self, counts: dict) -> None:
        p = counts["participants"]
        accepted = p["by_sync_state"].get("accepted", 0)
        self.summary.setText(
            tr(
                f"{number(p['total'])} peserta terdaftar; {number(accepted)} sudah diterima server "
                f"(sertifikat final setelah KPJ terbit), {number(p['total'] - accepted)} sertifikat sementara.",
                f"{number(p['total'])} participants enrolled; {number(accepted)} accepted by the server "
                f"(final certificate once the KPJ is issued), {number(p['total'] - accepted)} provisional.",
            )
        )


class SyncPage(_InfoPage):
    title = ("Sinkronisasi", "Synchronisation")

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.about(
            tr(
                "Data dikirim ke server Dinas/BPJS saat ada internet, dalam paket yang aman dikirim ulang; tanpa "
                "internet, paket dapat dibawa dengan flashdisk. Pengiriman dari aplikasi ini menyusul; berikut "
                "keadaan data di laptop ini.",
                "Records go to the Dinas/BPJS server when there is internet, in batches that are safe to resend; "
                "without internet a batch can travel on a USB stick. Sending from this app comes next; here is the "
                "state of the records on this laptop.",
            )
        )
        row = QHBoxLayout()
        frame, box = card(tr("Status data", "Record states"))
        self.states = _state_table("sync_states")
        box.addWidget(self.states)
        box.addStretch(1)
        row.addWidget(frame, 1)
        frame, box = card(tr("Server", "Server"))
        self.server = label("", wrap=True, selectable=True)
        self.server.setObjectName("sync_server")
        self.last = label("", wrap=True)
        self.last.setObjectName("sync_last")
        box.addWidget(self.server)
        box.addWidget(self.last)
        box.addWidget(
            self.button(
                "goto_settings",
                tr("Atur alamat server", "Set server address"),
                lambda: ctx.bus.navigate.emit("settings"),
            ),
            0,
            Qt.AlignmentFlag.AlignLeft,
        )
        box.addStretch(1)
        row.addWidget(frame, 1)
        self.layout_.addLayout(row, 1)

    def refresh(self) -> None:
        super().refresh()
        ws = self.ctx.ws
        self.ctx.runner.run_db(lambda: (ws.setting("server_url"), stats.last_sync(ws)), self._show_server, owner=self)

    def _show_server(self, result) -> None:
        url, last = result
        self.server.setText(tr("Alamat server: ", "Server address: ") + (url or tr("belum diatur", "not set")))
        self.last.setText(
            tr("Terakhir: ", "Last: ") + (ago(last) if last else tr("belum pernah sinkron", "never synced"))
        )

    def show_counts(self, counts: dict) -> None:
        _fill_states(self.states, counts["participants"]["by_sync_state"])


class ReportsPage(_InfoPage):
    title = ("Laporan", "Reports")

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.about(
            tr(
                "Ringkasan cakupan dari data di laptop ini. Ekspor log sinkronisasi (CSV/XLSX/PDF) untuk supervisor "
                "menyusul bersama fitur sinkronisasi.",
                "Coverage summary from the records on this laptop. Exporting the sync log (CSV/XLSX/PDF) for "
                "supervisors comes with the sync feature.",
            )
        )
        frame, box = card(tr("Jumlah", "Totals"))
        self.totals = QGridLayout()
        box.addLayout(self.totals)
        self.layout_.addWidget(frame)
        frame, box = card(tr("Cakupan per desa", "Coverage per village"))
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("coverage")
        self.table.setHorizontalHeaderLabels(
            [
                tr("Desa/kelurahan", "Village"),
                tr("Target", "Target"),
                tr("Terdaftar", "Enrolled"),
                tr("Diterima", "Accepted"),
            ]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        box.addWidget(self.table)
        box.addWidget(
            self.button("refresh_reports", tr("Segarkan", "Refresh"), self.refresh), 0, Qt.AlignmentFlag.AlignLeft
        )
        self.layout_.addWidget(frame, 1)

    def refresh(self) -> None:
        super().refresh()
        ws = self.ctx.ws
        self.ctx.runner.run_db(
            lambda: stats.village_progress(ws, limit=500), self._show_progress, owner=self, background=True
        )

    def show_counts(self, counts: dict) -> None:
        while self.totals.count():
            self.totals.takeAt(0).widget().deleteLater()
        items = (
            (tr("Peserta", "Participants"), counts["participants"]["total"]),
            (tr("Desa dengan peserta", "Villages with participants"), counts["villages"]),
            (tr("Kunjungan", "Visits"), counts["visits"]),
            (tr("Pengguna", "Users"), counts["users"]),
        )
        for c, (caption, value) in enumerate(items):
            self.totals.addWidget(label(caption, "muted"), 0, c)
            big = heading(number(value or 0), 6)
            big.setObjectName(f"total_{c}")
            self.totals.addWidget(big, 1, c)

    def _show_progress(self, rows) -> None:
        self.table.setRowCount(len(rows))
        for r, p in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(p.village_name))
            for c, value in enumerate((p.target, p.enrolled, p.synced), start=1):
                self.table.setItem(r, c, _number_item(value))
