"""Log-in dialog, and the first-run dialog that creates the store and its first supervisor.

Both do their database work (and the memory-hard password hash) on the task runner's database thread, so the
window stays responsive. A wrong name or password gets one message that does not say which part was wrong.
A store too damaged to open is refused here with the offer to restore the newest intact backup.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp import i18n
from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.services import accounts, integrity
from fieldapp.services.workspace import Workspace
from fieldapp.ui.errors import damaged_text
from fieldapp.ui.restore import RestoreDialog, restored_text
from fieldapp.ui.tasks import TaskRunner
from fieldapp.ui.widgets import FieldMessage, heading, label


def store_exists(data_dir: Path) -> bool:
    return accounts.store_path(data_dir).exists()


class _Dialog(QDialog):
    """Shared shape: a heading, a form, a message line, OK/Cancel; ``workspace`` is set when accepted."""

    def __init__(self, runner: TaskRunner, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.data_dir = Path(data_dir)
        self.workspace: Workspace | None = None
        self.setMinimumWidth(420)
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.message = FieldMessage("login")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("buttons")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self, title: str, intro: str) -> None:
        self.setWindowTitle(title)
        self.layout_.addWidget(heading(title, 4))
        if intro:
            self.layout_.addWidget(label(intro, "muted", wrap=True))
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.message)
        self.layout_.addWidget(self.buttons)

    def line(self, name: str, text: str, *, password: bool = False) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(text)
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(text, edit)
        return edit

    def set_busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)
        if busy:
            self.message.show_message("muted", tr("Memeriksa…", "Checking…"))

    def submit(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def reject(self) -> None:
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None
        super().reject()

    def opened(self, ws: Workspace) -> None:
        if not self.isVisible():  # cancelled while the password was being checked
            ws.close()
            return
        self.workspace = ws
        self.set_busy(False)
        self.accept()


class LoginDialog(_Dialog):
    def __init__(self, runner: TaskRunner, data_dir: Path, parent: QWidget | None = None, *, notice: str = "") -> None:
        super().__init__(runner, data_dir, parent)
        self.restore_dialog: RestoreDialog | None = None
        self.damage = ""  # what made the store unreadable, once a log-in found it
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.setAccessibleName("Bahasa / Language")
        self.language.addItem("Bahasa Indonesia", "id")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(1 if i18n.language() == "en" else 0)
        self.language.currentIndexChanged.connect(self._language_changed)
        self.form.addRow("Bahasa / Language", self.language)
        self.username = self.line("username", tr("Nama pengguna", "Username"))
        self.password = self.line("password", tr("Kata sandi", "Password"), password=True)
        self.finish_layout(tr("Masuk ke fieldapp", "Log in to fieldapp"), "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Masuk", "Log in"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Batal", "Cancel"))
        self.restore_button = QPushButton(tr("Pulihkan cadangan…", "Restore a backup…"))
        self.restore_button.setObjectName("login_restore")
        self.restore_button.clicked.connect(self.offer_restore)
        self.restore_button.setVisible(False)
        self.layout_.insertWidget(self.layout_.indexOf(self.buttons), self.restore_button)
        self.setTabOrder(self.username, self.password)
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)
        if notice:  # why the log-in shows again (a restore, a log-out)
            self.message.show_message("ok", notice)

    def _language_changed(self) -> None:
        i18n.set_language(self.language.currentData())
        self.setWindowTitle(tr("Masuk ke fieldapp", "Log in to fieldapp"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Masuk", "Log in"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Batal", "Cancel"))
        self.form.labelForField(self.username).setText(tr("Nama pengguna", "Username"))
        self.form.labelForField(self.password).setText(tr("Kata sandi", "Password"))

    def submit(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.message.show_message("error", tr("Isi nama pengguna dan kata sandi.", "Enter username and password."))
            return
        self.set_busy(True)
        data_dir = self.data_dir
        self.runner.run_db(lambda: Workspace.open(data_dir, username, password), self.opened, self.failed, owner=self)

    def failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        damaged = integrity.is_damage(exc)
        if damaged:
            text = damaged_text() + " " + tr("Masuk tidak bisa sebelum dipulihkan.", "No log-in before a restore.")
        else:
            text = exc.text() if isinstance(exc, UserFacingError) else tr("Gagal masuk.", "Could not log in.")
        self.message.show_message("error", text)
        self.password.clear()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)
        self.restore_button.setVisible(damaged)
        if damaged:
            self.damage = str(exc.__cause__ or getattr(exc, "orig", None) or exc)
            self.offer_restore()

    def offer_restore(self) -> None:
        self.restore_dialog = RestoreDialog(self.runner, self.data_dir, self.username.text().strip(),
                                            problem=self.damage, parent=self)
        self.restore_dialog.restored.connect(self._restored)
        self.restore_dialog.open()

    def _restored(self, chosen, _replaced) -> None:
        self.restore_button.setVisible(False)
        self.message.show_message("ok", restored_text(chosen))
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)


class FirstRunDialog(_Dialog):
    """No store in the data directory yet: create it with the first supervisor, like ``fieldapp init``."""

    def __init__(self, runner: TaskRunner, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(runner, data_dir, parent)
        self.full_name = self.line("full_name", tr("Nama lengkap", "Full name"))
        self.username = self.line("username", tr("Nama pengguna", "Username"))
        self.password = self.line("password", tr("Kata sandi (min. 8)", "Password (min. 8)"), password=True)
        self.password2 = self.line("password2", tr("Ulangi kata sandi", "Repeat password"), password=True)
        self.finish_layout(
            tr("Penyimpanan data baru", "New data store"),
            tr(
                f"Belum ada data di {data_dir}. Buat penyimpanan data baru dan akun supervisor pertama "
                "(supervisor nanti menambah akun petugas).",
                f"There is no data in {data_dir} yet. Create a new data store and its first supervisor account "
                "(the supervisor adds officer accounts later).",
            ),
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Buat", "Create"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Batal", "Cancel"))

    def submit(self) -> None:
        if self.password.text() != self.password2.text():
            self.message.show_message("error", tr("Kedua kata sandi tidak sama.", "The two passwords differ."))
            return
        username, password, full_name = self.username.text().strip(), self.password.text(), self.full_name.text()
        data_dir = self.data_dir

        def create() -> Workspace:
            accounts.init_store(data_dir, username, password, full_name=full_name.strip()).close()
            return Workspace.open(data_dir, username, password)

        self.set_busy(True)
        self.runner.run_db(create, self.opened, self.failed, owner=self)

    def failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        text = exc.text() if isinstance(exc, UserFacingError) else tr("Gagal membuat data.", "Could not create.")
        self.message.show_message("error", text)
