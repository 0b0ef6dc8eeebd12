"""Restoring a backup: the one dialog the Settings page, a failed integrity check and a refused log-in use.

It names what will be replaced (the store now in use, which is kept as a "sebelum pemulihan" copy first) and
what comes back (a chosen backup, or the newest intact one), asks a supervisor's or admin's password again
(``backup.restore_as`` checks it against the backup), shows progress, and reports ``restored`` so that the
caller returns to the log-in and the restored store is opened fresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from fieldapp.db.engine import store_path
from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.services import backup as backups
from fieldapp.ui.tasks import TaskRunner
from fieldapp.ui.widgets import FieldMessage, heading, label

KINDS = (  # file name label prefix → what people read
    ("daily", ("harian", "daily")),
    ("weekly", ("mingguan", "weekly")),
    ("pre-migrate", ("sebelum migrasi", "before a migration")),
    ("pre-restore", ("sebelum pemulihan", "before a restore")),
    ("pre-encrypt", ("sebelum enkripsi", "before encryption")),
    ("manual", ("manual", "manual")),
)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str  # a key of KINDS, or the raw label
    made: dt.datetime
    size: int

    def kind_text(self) -> str:
        return next((tr(*text) for key, text in KINDS if key == self.kind), self.kind)

    def made_text(self) -> str:
        return self.made.strftime("%d-%m-%Y %H:%M")

    def summary(self) -> str:
        return f"{self.kind_text()} · {self.made_text()} · {size_text(self.size)}"


def describe(path: Path) -> BackupInfo:
    """Kind and time from the file name ``fieldapp-<label>-<YYYYmmdd>-<HHMMSS>.sqlite`` (the time it was made)."""
    path = Path(path)
    parts = path.stem.split("-")
    stat = path.stat()
    try:
        made = dt.datetime.strptime("-".join(parts[-2:]), "%Y%m%d-%H%M%S")
        label_ = "-".join(parts[1:-2])
    except ValueError:
        made, label_ = dt.datetime.fromtimestamp(stat.st_mtime), "-".join(parts[1:])
    kind = next((key for key, _text in KINDS if label_ == key or label_.startswith(key + "-")), label_)
    return BackupInfo(path, kind, made, stat.st_size)


def size_text(size: int) -> str:
    mib = size / 1024 / 1024
    return f"{mib:.1f} MB".replace(".", ",") if mib < 10 else f"{mib:.0f} MB"


class RestoreDialog(QDialog):
    """Confirm, re-enter the password, restore on the database thread; ``restored(chosen, replaced)`` after."""

    restored = Signal(object, object)  # the backup restored, the copy of the store it replaced (or None)

    def __init__(
        self,
        runner: TaskRunner,
        data_dir: Path,
        username: str,
        *,
        backup: Path | None = None,
        problem: str = "",
        before: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("restore_dialog")
        self.runner = runner
        self.data_dir = Path(data_dir)
        self.backup = Path(backup) if backup else None
        self.before = before  # run on the database thread first (the main window lets go of the store)
        self.running = False
        self.setWindowTitle(tr("Pulihkan cadangan", "Restore a backup"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        if problem:
            layout.addWidget(heading(tr("Penyimpanan data rusak", "The data store is damaged"), 4))
            text = tr(
                f"Pemeriksaan menemukan kerusakan: {problem}\nSupaya kerusakan tidak bertambah, fieldapp tidak "
                "menyimpan apa pun lagi ke penyimpanan ini. Pulihkan cadangan utuh terbaru, lalu masuk lagi.",
                f"The check found damage: {problem}\nSo that nothing more is lost, fieldapp writes nothing more to "
                "this store. Restore the newest intact backup, then log in again.",
            )
            problem_label = label(text, "error", wrap=True)
            problem_label.setObjectName("restore_problem")
            layout.addWidget(problem_label)
        else:
            layout.addWidget(heading(tr("Pulihkan cadangan", "Restore a backup"), 4))
        self.what = label(self._what_text(), wrap=True)
        self.what.setObjectName("restore_what")
        self.what.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.what)
        form = QFormLayout()
        self.username = QLineEdit(username)
        self.username.setObjectName("restore_username")
        self.username.setAccessibleName(tr("Nama pengguna", "Username"))
        form.addRow(tr("Nama pengguna", "Username"), self.username)
        self.password = QLineEdit()
        self.password.setObjectName("restore_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(tr("Kata sandi", "Password"))
        form.addRow(tr("Kata sandi", "Password"), self.password)
        layout.addLayout(form)
        only = tr("Hanya supervisor atau admin yang dapat memulihkan.", "Only a supervisor or an admin can restore.")
        layout.addWidget(label(only, "muted", wrap=True))
        self.progress = QProgressBar()
        self.progress.setObjectName("restore_progress")
        self.progress.setRange(0, 0)  # busy: the copy reports no steps
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.message = FieldMessage("restore")
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("restore_ok")
        self.ok_button.setText(tr("Pulihkan", "Restore"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Batal", "Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        (self.password if username else self.username).setFocus(Qt.FocusReason.OtherFocusReason)

    def _what_text(self) -> str:
        store = store_path(self.data_dir)
        if store.exists():
            changed = dt.datetime.fromtimestamp(store.stat().st_mtime).strftime("%d-%m-%Y %H:%M")
            now = tr(f"penyimpanan data sekarang ({store}, terakhir diubah {changed})",
                     f"the data store now in use ({store}, last changed {changed})")
        else:
            now = tr(f"penyimpanan data di {self.data_dir}", f"the data store in {self.data_dir}")
        if self.backup is not None:
            info = describe(self.backup)
            back = tr(f"cadangan {info.summary()}", f"the backup {info.summary()}")
            since = info.made_text()
        else:
            newest = backups.list_backups(self.data_dir)
            info = describe(newest[0]) if newest else None
            back = tr("cadangan utuh terbaru", "the newest intact backup") + (
                tr(f" (yang terbaru: {info.summary()}; bila rusak, yang sebelumnya)",
                   f" (the newest: {info.summary()}; if damaged, the one before)") if info else "")
            since = info.made_text() if info else tr("waktu cadangan", "the backup's time")
        return tr(
            f"<b>Yang diganti:</b> {now}. Salinannya disimpan dulu di folder cadangan (jenis “sebelum "
            f"pemulihan”), jadi tidak ada yang hilang.<br><b>Yang dipulihkan:</b> {back}.<br>Pendaftaran dan "
            f"perubahan sesudah {since} tidak ada di cadangan itu; yang sudah tersinkron kembali dari server "
            "pada sinkronisasi berikutnya.<br>Setelah pemulihan, fieldapp kembali ke layar masuk.",
            f"<b>Replaced:</b> {now}. A copy of it is kept in the backups folder first (kind “before a "
            f"restore”), so nothing is lost.<br><b>Restored:</b> {back}.<br>Enrolments and edits after {since} "
            "are not in that backup; those already synced come back from the server at the next sync.<br>After "
            "the restore, fieldapp returns to the log-in.",
        )

    def submit(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        if self.running:
            return
        if not username or not password:
            self.message.show_message("error", tr("Isi nama pengguna dan kata sandi.", "Enter username and password."))
            return
        data_dir, chosen, before = self.data_dir, self.backup, self.before

        def work():
            if before is not None:
                before()
            return backups.restore_as(data_dir, username, password, backup=chosen)

        self._set_running(True)
        self.message.show_message("muted", tr("Memulihkan… jangan matikan laptop.", "Restoring… do not switch off."))
        self.runner.run_db(work, self._done, self._failed, owner=self)

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.progress.setVisible(running)
        self.buttons.setEnabled(not running)
        self.username.setEnabled(not running)
        self.password.setEnabled(not running)

    def _done(self, result) -> None:
        chosen, replaced = result
        self._set_running(False)
        self.message.show_message("ok", "✓ " + restored_text(Path(chosen)))
        self.restored.emit(Path(chosen), replaced)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_running(False)
        if isinstance(exc, UserFacingError):
            text = exc.text()
        else:
            text = tr(f"Pemulihan gagal: {exc}. Penyimpanan data tidak diganti.",
                      f"The restore failed: {exc}. The data store was not replaced.")
        self.message.show_message("error", text)
        self.password.clear()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def reject(self) -> None:
        if not self.running:  # a restore half-way is never abandoned
            super().reject()


def restored_text(chosen: Path) -> str:
    info = describe(chosen)
    return tr(f"Data dipulihkan dari cadangan {info.kind_text()} {info.made_text()}. Silakan masuk lagi.",
              f"The data was restored from the {info.kind_text()} backup of {info.made_text()}. Please log in again.")
