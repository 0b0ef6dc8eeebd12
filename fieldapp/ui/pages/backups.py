"""The "Cadangan" card of the Settings page (supervisor and admin): the backups beside the store, each checked
for damage in the background, "Buat cadangan sekarang" and "Pulihkan…".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QPushButton, QTableWidget, QTableWidgetItem

from fieldapp.i18n import tr
from fieldapp.services import backup as backups
from fieldapp.ui.context import Context
from fieldapp.ui.restore import BackupInfo, RestoreDialog, describe, size_text
from fieldapp.ui.widgets import FieldMessage, card, label

MANAGERS = ("supervisor", "admin")  # who sees the card; restore_as checks the role again against the backup
COLUMNS = (("Tanggal", "Date"), ("Jenis", "Kind"), ("Ukuran", "Size"), ("Keadaan", "State"))


class BackupsCard:
    """Builds the card into a Settings page; ``restored`` once a backup replaced the store."""

    def __init__(self, ctx: Context, page, restored: Signal) -> None:
        self.ctx = ctx
        self.page = page  # the owner of the background tasks (results are dropped once it is deleted)
        self.restored = restored
        self.infos: list[BackupInfo] = []
        self.states: dict[Path, str] = {}  # "ok", or the problem found
        self.checked_once = False
        self.dialog: RestoreDialog | None = None
        self.frame, box = card(tr("Cadangan", "Backups"))
        self.frame.setObjectName("backups_card")
        box.addWidget(label(
            tr("Salinan penyimpanan data di folder backups: harian (7 disimpan), mingguan (4), sebelum migrasi, "
               "sebelum pemulihan, dan yang dibuat manual. Setiap cadangan diperiksa keutuhannya.",
               "Copies of the data store in the backups folder: daily (7 kept), weekly (4), before a migration, "
               "before a restore, and those made by hand. Each backup is checked for damage."),
            "muted", wrap=True))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("backups_table")
        self.table.setHorizontalHeaderLabels([tr(*c) for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(160)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        box.addWidget(self.table)
        row = QHBoxLayout()
        self.backup_button = QPushButton(tr("Buat cadangan sekarang", "Back up now"))
        self.backup_button.setObjectName("backup_now")
        self.backup_button.clicked.connect(self.backup_now)
        row.addWidget(self.backup_button)
        row.addStretch(1)
        self.restore_button = QPushButton(tr("Pulihkan…", "Restore…"))
        self.restore_button.setObjectName("restore_backup")
        self.restore_button.clicked.connect(self.restore)
        row.addWidget(self.restore_button)
        box.addLayout(row)
        self.message = FieldMessage("backups")
        box.addWidget(self.message)
        self._update_buttons()

    # -- listing and checking --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """List the backup files (a directory listing) and check the ones not checked yet, one by one."""
        self.checked_once = True
        store = self.ctx.ws.store
        self.infos = [describe(p) for p in backups.list_backups(store.data_dir)]
        self.table.setRowCount(len(self.infos))
        for row, info in enumerate(self.infos):
            cells = (info.made_text(), info.kind_text(), size_text(info.size), self._state_text(info.path))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        if not self.infos:
            self.message.show_message("muted", tr("Belum ada cadangan.", "No backups yet."))
        for info in self.infos:
            if info.path not in self.states:
                path = info.path
                self.ctx.runner.run_check(lambda p=path: backups.check(p, store.key),
                                          lambda result, p=path: self._checked(p, result), owner=self.page)
        self._update_buttons()

    def _state_text(self, path: Path) -> str:
        state = self.states.get(path)
        if state is None:
            return tr("memeriksa…", "checking…")
        return tr("✓ utuh", "✓ intact") if state == "ok" else tr(f"✗ rusak: {state}", f"✗ damaged: {state}")

    def _checked(self, path: Path, result: str) -> None:
        self.states[path] = result
        for row, info in enumerate(self.infos):
            if info.path == path:
                self.table.item(row, 3).setText(self._state_text(path))
        self._update_buttons()

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.infos[rows[0].row()] if rows and rows[0].row() < len(self.infos) else None

    def _update_buttons(self) -> None:
        info = self.selected()
        self.restore_button.setEnabled(info is not None and self.states.get(info.path) == "ok")

    # -- actions ---------------------------------------------------------------------------------------------
    def backup_now(self) -> None:
        store = self.ctx.ws.store
        self.backup_button.setEnabled(False)
        self.message.show_message("muted", tr("Membuat cadangan…", "Backing up…"))
        self.ctx.runner.run_check(lambda: backups.backup_now(store), self._backed_up, self._backup_failed,
                                  owner=self.page)

    def _backed_up(self, path: Path) -> None:
        self.backup_button.setEnabled(True)
        info = describe(path)
        self.message.show_message("ok", tr(f"✓ Cadangan dibuat: {info.summary()}", f"✓ Backup made: {info.summary()}"))
        self.refresh()

    def _backup_failed(self, exc: BaseException) -> None:
        self.backup_button.setEnabled(True)
        self.message.show_message("error", tr("Cadangan gagal dibuat.", "The backup failed."))
        self.ctx.runner.on_error(exc)

    def restore(self) -> None:
        info = self.selected()
        if info is None:
            return
        ws = self.ctx.ws
        self.dialog = RestoreDialog(self.ctx.runner, ws.data_dir, ws.user.username, backup=info.path,
                                    before=ws.close, parent=self.page)
        self.dialog.restored.connect(self.restored.emit)
        self.dialog.open()
