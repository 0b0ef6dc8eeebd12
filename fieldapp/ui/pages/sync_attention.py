"""Parts of the Sinkronisasi page: the records that need attention (the server's reason, what to do, a button
to fix the record), the sync log with each batch's per-record results, the offline transfer card (USB stick)
and the password dialog."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldapp.i18n import tr
from fieldapp.services import conflicts, sync_view, transfer
from fieldapp.services.enrolment import ENROLLING_ROLES
from fieldapp.services.sync_view import AttentionRow, BatchLogEntry, ResultRow
from fieldapp.ui.context import Context
from fieldapp.ui.widgets import card, label, number, read_only_rows

NOTHING = ("Tidak ada data yang perlu perhatian.", "No record needs attention.")


def named(widget, name: str):
    widget.setObjectName(name)
    return widget


def button(text: str, name: str, slot, role: str = "") -> QPushButton:
    b = named(QPushButton(text), name)
    b.clicked.connect(slot)
    b.setProperty("role", role)
    return b


def table(name: str, columns: tuple, stretch: int, numeric: int = -1) -> QTableWidget:
    t = read_only_rows(QTableWidget(0, len(columns)), name)
    t.setHorizontalHeaderLabels([tr(*c) for c in columns])
    t.numeric = numeric  # the column aligned right
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return t


def fill(t: QTableWidget, rows: list[list[str]]) -> None:
    t.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value if len(value) > 40 else "")  # long reasons: read them whole on hover
            if c == t.numeric:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            t.setItem(r, c, item)


def selected_row(t: QTableWidget, rows: tuple | list):
    chosen = t.selectionModel().selectedRows()
    return rows[chosen[0].row()] if chosen and chosen[0].row() < len(rows) else None


class AttentionList(QWidget):
    """Duplicates, rejections and conflicts: what the server said, what to do, and "open to fix"."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.items: tuple[AttentionRow, ...] = ()
        self.may_fix = ctx.ws.user.role in ENROLLING_ROLES
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.table = table("attention_table", sync_view.ATTENTION_COLUMNS, 5)
        self.table.setAccessibleName(tr("Data yang perlu perhatian", "Records needing attention"))
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemDoubleClicked.connect(lambda _item: self.fix())
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.detail = named(label(tr(*NOTHING), "muted", wrap=True, selectable=True), "attention_detail")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.detail, 1)
        self.fix_button = button(tr("Buka untuk diperbaiki", "Open to fix"), "fix_record", self.fix)
        self.fix_button.setEnabled(False)
        if not self.may_fix:
            self.fix_button.setToolTip(tr("Peran Anda tidak dapat mengubah data.", "Your role cannot edit records."))
        choices = QVBoxLayout()
        choices.addWidget(self.fix_button)
        self.keep_mine = button(tr("Pakai versi saya", "Keep mine"), "keep_mine", lambda: self.resolve("mine"))
        self.take_server = button(tr("Pakai versi server", "Take the server's"), "take_server",
                                  lambda: self.resolve("server"))
        for b in (self.keep_mine, self.take_server):
            b.setVisible(False)
            choices.addWidget(b)
        choices.addStretch(1)
        row.addLayout(choices)
        layout.addLayout(row)

    def show_items(self, items: tuple[AttentionRow, ...]) -> None:
        self.items = items
        fill(self.table, [sync_view.attention_cells(i) for i in items])
        if items:
            self.table.selectRow(0)
        self._selected()

    def current(self) -> AttentionRow | None:
        return selected_row(self.table, self.items)

    def _selected(self) -> None:
        item = self.current()
        self.fix_button.setEnabled(item is not None and self.may_fix)
        self.detail.setText(sync_view.detail_text(item) if item else "" if self.items else tr(*NOTHING))
        for b in (self.keep_mine, self.take_server):
            b.setVisible(False)
        if item is not None and item.sync_state == "conflict":
            ws = self.ctx.ws
            self.ctx.runner.run_db(lambda: conflicts.view(ws, item.id), lambda v: self._show_conflict(item, v),
                                   key=f"conflict-{id(self)}", owner=self)

    def _show_conflict(self, item: AttentionRow, view: conflicts.ConflictView | None) -> None:
        if view is None or self.current() != item:
            return  # no server copy yet (it comes with the next sync), or the selection moved on
        self.detail.setText(f"{sync_view.detail_text(item)}\n\n{sync_view.conflict_text(view)}")
        for b in (self.keep_mine, self.take_server):
            b.setVisible(True)
            b.setEnabled(self.may_fix)

    def resolve(self, keep: str) -> None:
        item, ws = self.current(), self.ctx.ws
        if item is not None and self.may_fix:
            self.ctx.runner.run_db(lambda: conflicts.resolve(ws, item.id, keep),
                                   lambda _: self.ctx.bus.participants_changed.emit(), owner=self)

    def fix(self) -> None:
        item = self.current()
        if item is not None:
            self.open(item.id)

    def open(self, participant_id: int) -> None:
        """Open the record in the enrolment form; saving the edit sends it again at the next sync."""
        if self.may_fix:
            self.ctx.bus.edit_participant.emit(participant_id)


class SyncLog(QWidget):
    """The sync log, newest first; selecting a batch shows each record's result below it."""

    open_participant = Signal(int)  # a record with a problem was double-clicked

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.entries: list[BatchLogEntry] = []
        self.result_rows: tuple[ResultRow, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        split = QSplitter(Qt.Orientation.Vertical)
        self.batches = table("sync_log", sync_view.LOG_COLUMNS, 7, numeric=3)
        self.batches.setAccessibleName(tr("Log sinkronisasi", "Sync log"))
        self.batches.itemSelectionChanged.connect(self._batch_selected)
        split.addWidget(self.batches)
        box = QWidget()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 4, 0, 0)
        choose = tr("Pilih satu kiriman untuk melihat hasil tiap data.", "Choose a batch to see each record's result.")
        self.caption = named(label(choose, "muted"), "batch_results_caption")
        inner.addWidget(self.caption)
        self.results = table("batch_results", sync_view.RESULT_COLUMNS, 4, numeric=2)
        self.results.setAccessibleName(tr("Hasil tiap data", "Each record's result"))
        self.results.itemDoubleClicked.connect(self._open_result)
        inner.addWidget(self.results, 1)
        split.addWidget(box)
        split.setSizes([150, 250])
        layout.addWidget(split, 1)

    def show_entries(self, entries: list[BatchLogEntry]) -> None:
        before = selected_row(self.batches, self.entries)
        self.entries = entries
        fill(self.batches, [sync_view.log_cells(e) for e in entries])
        keep = next((r for r, e in enumerate(entries) if before and e.id == before.id), None)
        if keep is not None:
            self.batches.selectRow(keep)
        else:
            self.results.setRowCount(0)

    def _batch_selected(self) -> None:
        entry = selected_row(self.batches, self.entries)
        if entry is not None:
            ws = self.ctx.ws
            self.ctx.runner.run_db(
                lambda: sync_view.batch_results(ws, entry.id),
                lambda rows: self._show(entry, rows),
                key=f"sync-batch-results-{id(self)}",
                owner=self,
            )

    def _show(self, entry: BatchLogEntry, rows: tuple[ResultRow, ...]) -> None:
        self.result_rows = rows
        fill(self.results, [sync_view.result_cells(r) for r in rows])
        at, n = sync_view.when(entry.sent_at or entry.created_at), number(len(rows))
        self.caption.setText(
            tr(
                f"Kiriman {at}: {n} data. Klik dua kali data yang bermasalah untuk memperbaikinya.",
                f"Batch of {at}: {n} records. Double-click a record with a problem to fix it.",
            )
            if rows
            else tr(
                "Kiriman ini belum punya tanda terima: hasil tiap data muncul setelah terkirim.",
                "This batch has no receipt yet: each record's result shows once it is sent.",
            )
        )

    def _open_result(self, item: QTableWidgetItem) -> None:
        row = self.result_rows[item.row()] if item.row() < len(self.result_rows) else None
        if row is not None and row.needs_attention:
            self.open_participant.emit(row.participant_id)


class TransferCard(QWidget):
    """Offline transfer: every batch without a receipt out to a file, the server's receipt files back in."""

    started = Signal(str)  # what is being done
    finished = Signal(str, str)  # kind ("info"/"warning"), message
    failed = Signal(object)  # the exception

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        frame, box = card(tr("Tanpa internet (USB)", "Without internet (USB)"))
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)
        self.layout().addWidget(frame)
        row = QHBoxLayout()
        row.addWidget(
            button(tr("Ekspor ke berkas (USB)…", "Export to file (USB)…"), "export_batches", self.choose_export)
        )
        row.addWidget(button(tr("Impor tanda terima…", "Import receipts…"), "import_receipts", self.choose_import))
        box.addLayout(row)
        note = tr(
            "Bawa berkas kiriman ke operator server dengan flashdisk, lalu impor berkas tanda terimanya.",
            "Carry the batch files to the server operator on a USB stick, then import the receipt files.",
        )
        box.addWidget(label(note, "muted", wrap=True))
        box.addStretch(1)

    def choose_export(self) -> None:
        name = f"kiriman-{self.ctx.ws.device.code}-{dt.datetime.now():%Y%m%d-%H%M}.json"
        title, kind = tr("Ekspor kiriman ke berkas", "Export batches to a file"), tr("Berkas kiriman", "Batch files")
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / name), f"{kind} (*.json)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write every batch without a receipt (pending records batched first) to ``path``, ``path-2``, …"""
        ws = self.ctx.ws
        self.started.emit(tr("Menulis berkas…", "Writing files…"))
        done = lambda paths: self.finished.emit("info", sync_view.export_text(paths))  # noqa: E731
        self.ctx.runner.run_db(lambda: transfer.export_batches(ws, path), done, self.failed.emit, owner=self)

    def choose_import(self) -> None:
        title, kind = tr("Impor tanda terima", "Import receipts"), tr("Tanda terima", "Receipts")
        paths, _ = QFileDialog.getOpenFileNames(self, title, str(Path.home()), f"{kind} (*.json)")
        if paths:
            self.import_files([Path(p) for p in paths])

    def import_files(self, paths: list[Path]) -> None:
        """Apply the server's receipt files one by one: a bad file is named, the others still count."""
        ws = self.ctx.ws
        self.started.emit(tr("Membaca tanda terima…", "Reading receipts…"))
        done = lambda result: self.finished.emit("warning" if result[1] else "info", result[0])  # noqa: E731
        self.ctx.runner.run_db(lambda: sync_view.import_receipts(ws, paths), done, self.failed.emit, owner=self)


class PasswordDialog(QDialog):
    """The server password for one sync (same account as the laptop log-in, by convention); never stored."""

    def __init__(self, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_password_dialog")
        self.setWindowTitle(tr("Masuk ke server", "Log in to the server"))
        layout = QVBoxLayout(self)
        note = tr(
            "Kata sandi akun server (biasanya sama dengan kata sandi masuk laptop). Tidak disimpan.",
            "The server account's password (usually the same as the laptop log-in). Not stored.",
        )
        layout.addWidget(label(note, "muted", wrap=True))
        form = QFormLayout()
        self.username = named(QLineEdit(username), "sync_username")
        self.password = named(QLineEdit(), "sync_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(tr("Nama pengguna", "Username"), self.username)
        form.addRow(tr("Kata sandi", "Password"), self.password)
        layout.addLayout(form)
        ok, cancel = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
        self.buttons = QDialogButtonBox(ok | cancel)
        self.buttons.button(ok).setText(tr("Sinkronkan", "Sync"))
        self.buttons.button(cancel).setText(tr("Batal", "Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.password.setFocus()
        self.resize(440, self.sizeHint().height())
