"""The store's integrity check after the main window is shown, and what happens when it finds damage.

``PRAGMA quick_check`` takes about 6 s on a 1,000,000-participant store, so it runs on the task runner's check
thread once the window is on screen; a store found sound is then copied as the day's (and week's) rolling
backup, on the same thread. When the store is damaged the app writes to it no more (every connection
becomes read-only, the enrolment form is disabled), a red banner says so, and the restore dialog offers the
newest intact backup; after a restore the window closes to the log-in.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton

from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.services import backup, integrity
from fieldapp.ui.restore import RestoreDialog
from fieldapp.ui.widgets import label

log = logging.getLogger(__name__)


class StoreGuard:
    """Owned by the main window: ``start_check`` once shown; ``problem`` is set when the store is damaged."""

    def __init__(self, window) -> None:
        self.window = window
        self.result: str | None = None  # "ok", the problem found, or None while not checked yet
        self.backup = None  # the rolling backup made after a sound check (None: none needed today, or not yet)
        self.problem: str | None = None
        self.dialog: RestoreDialog | None = None
        self.banner = QFrame()
        self.banner.setObjectName("damage_banner")
        self.banner.setProperty("role", "banner-error")
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(12, 8, 12, 8)
        self.banner_text = label("", "error", wrap=True)
        self.banner_text.setObjectName("damage_banner_text")
        row.addWidget(self.banner_text, 1)
        self.restore_button = QPushButton()
        self.restore_button.setObjectName("damage_restore")
        self.restore_button.clicked.connect(self.offer_restore)
        row.addWidget(self.restore_button)
        self.banner.setVisible(False)

    def start_check(self) -> None:
        ctx = self.window.ctx
        store = ctx.ws.store
        ctx.runner.run_check(lambda: integrity.quick_check(store), self._checked, self._check_failed,
                             owner=self.window)

    def _checked(self, result: str) -> None:
        self.result = result
        if result == "ok":
            log.info("store quick_check: ok")
            store = self.window.ctx.ws.store  # only a store found sound becomes today's rolling backup
            self.window.ctx.runner.run_check(lambda: backup.rolling_backup(store), self._backed_up,
                                             self._backup_failed, owner=self.window)
        else:
            log.error("store quick_check found damage: %s", result)
            self.damaged(result)

    def _backed_up(self, made) -> None:
        self.backup = made
        if made is not None:
            log.info("rolling backup written: %s", made.name)

    def _backup_failed(self, exc: BaseException) -> None:
        log.error("rolling backup failed", exc_info=exc)  # the store is untouched; the next start tries again
        self.window.ctx.bus.status.emit(exc.text() if isinstance(exc, UserFacingError) else tr(
            "Cadangan harian gagal dibuat; data tetap aman.", "The daily backup failed; the data is safe."))

    def _check_failed(self, exc: BaseException) -> None:
        log.error("store quick_check could not run", exc_info=exc)  # not a finding: the store stays usable

    def damaged(self, problem: str) -> None:
        """Write no more to this store, say so, and offer the newest intact backup."""
        self.problem = problem
        ctx = self.window.ctx
        store = ctx.ws.store
        ctx.runner.run_db(lambda: integrity.refuse_writes(store))  # on the database thread: between two saves
        self.pages_built()
        if not self.window.locked:
            self.offer_restore()

    def pages_built(self) -> None:
        """(Re)apply the refusal to freshly built pages, in the current language."""
        if self.problem is None:
            return
        self.banner_text.setText(tr(
            f"Penyimpanan data rusak ({self.problem}). fieldapp tidak menyimpan apa pun lagi ke penyimpanan ini; "
            "pulihkan cadangan utuh terbaru.",
            f"The data store is damaged ({self.problem}). fieldapp saves nothing more to this store; restore the "
            "newest intact backup.",
        ))
        self.restore_button.setText(tr("Pulihkan cadangan…", "Restore a backup…"))
        self.banner.setVisible(True)
        self.window.pages["enrol"].refuse_saves(tr(
            "Tidak dapat menyimpan: penyimpanan data rusak. Pulihkan cadangan dulu.",
            "Cannot save: the data store is damaged. Restore a backup first.",
        ))

    def offer_restore(self) -> None:
        ws = self.window.ctx.ws
        self.dialog = RestoreDialog(self.window.ctx.runner, ws.data_dir, ws.user.username,
                                    problem=self.problem or "", before=ws.close, parent=self.window)
        self.dialog.restored.connect(self.window.restored)
        self.dialog.open()
