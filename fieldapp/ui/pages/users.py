"""The "Pengguna" card of the Settings page: the accounts that can open this laptop's data.

Supervisors and admins see the active accounts and add, reset and remove the ones they manage
(``accounts.MANAGED_BY``); everyone changes their own password. Every account has its own key slot in the key
file, so each of these calls changes who can open the store; they run on the database thread (argon2 takes a
tenth of a second per password).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldapp.db.keyring import LOCK_AFTER, LOCK_MINUTES
from fieldapp.domain.participant import ROLES, UserInfo
from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.services import accounts, regions
from fieldapp.ui.context import Context
from fieldapp.ui.errors import error_text
from fieldapp.ui.tasks import TaskRunner
from fieldapp.ui.widgets import (
    FieldMessage,
    card,
    combo,
    heading,
    label,
    mark,
    read_only_rows,
    role_name,
    select_data,
)

log = logging.getLogger(__name__)

COLUMNS = (("Nama pengguna", "Username"), ("Nama lengkap", "Full name"), ("Peran", "Role"), ("Wilayah", "Area"))
FIELDS = {  # the dialog's inputs; the keys are the service's field names where it has one (UserFacingError.field)
    "username": ("Nama pengguna", "Username"),
    "full_name": ("Nama lengkap", "Full name"),
    "role": ("Peran", "Role"),
    "area_code": ("Kode wilayah", "Area code"),
    "current": ("Kata sandi sekarang", "Current password"),
    "password": ("Kata sandi baru", "New password"),
    "password2": ("Ulangi kata sandi baru", "New password again"),
}
PASSWORDS = ("current", "password", "password2")
LOCKOUT = (f"Kata sandi yang salah dihitung seperti salah masuk: {LOCK_AFTER} kali berturut-turut mengunci akun "
           f"Anda selama {LOCK_MINUTES} menit.",
           f"A wrong password counts like a wrong log-in: {LOCK_AFTER} in a row lock your account for "
           f"{LOCK_MINUTES} minutes.")


def manages(actor_role: str, role: str) -> bool:
    return role in accounts.MANAGED_BY.get(actor_role, ())


def _listing(ws) -> list[tuple[UserInfo, str]]:
    """The active accounts with their area as people read it ('3216 · Kabupaten Bekasi')."""
    rows = []
    for user in accounts.list_users(ws):
        code = user.area_code or ""
        name = regions.name_of(ws, code).split(",")[0]
        rows.append((user, f"{code} · {name}" if name else code or "—"))
    return rows


class UsersCard:
    """Builds the card into a Settings page; ``refresh`` lists the accounts (supervisor and admin only)."""

    def __init__(self, ctx: Context, page: QWidget) -> None:
        self.ctx = ctx
        self.page = page  # parent of the dialogs and owner of the background tasks
        self.me = ctx.ws.user
        self.managing = self.me.role in accounts.MANAGED_BY
        self.users: list[UserInfo] = []
        self.loaded = False
        self.running = False
        self.dialog: AccountDialog | None = None
        self.confirm: QMessageBox | None = None
        self.frame, box = card(tr("Pengguna", "Users"))
        self.frame.setObjectName("users_card")
        if self.managing:
            intro = tr("Setiap akun punya kata sandi sendiri yang membuka data di laptop ini. Supervisor mengelola "
                       "akun petugas dan kerani; admin mengelola semua akun.",
                       "Every account has its own password that opens the data on this laptop. A supervisor "
                       "manages officers and clerks; an admin manages every account.")
        else:
            intro = tr("Kata sandi Anda membuka data di laptop ini. Akun ditambah dan dihapus oleh supervisor.",
                       "Your password opens the data on this laptop. A supervisor adds and removes accounts.")
        box.addWidget(label(intro, "muted", wrap=True))
        row = QHBoxLayout()
        if self.managing:
            self.table = read_only_rows(QTableWidget(0, len(COLUMNS)), "users_table")
            self.table.setHorizontalHeaderLabels([tr(*c) for c in COLUMNS])
            self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            self.table.horizontalHeader().setStretchLastSection(True)
            self.table.setMinimumHeight(160)
            self.table.itemSelectionChanged.connect(self._update_buttons)
            box.addWidget(self.table)
            self.hint = label("", "muted", wrap=True)
            self.hint.setObjectName("users_hint")
            box.addWidget(self.hint)
            self.add_button = self._button(row, tr("Tambah pengguna…", "Add a user…"), "add_user", self.add)
            self.reset_button = self._button(row, tr("Atur ulang kata sandi…", "Reset password…"),
                                             "reset_password", self.reset)
            self.remove_button = self._button(row, tr("Hapus pengguna", "Remove user"), "remove_user", self.remove)
            row.addStretch(1)
        self.own_button = self._button(row, tr("Ganti kata sandi saya…", "Change my password…"),
                                       "change_own_password", self.change_own)
        if not self.managing:
            row.addStretch(1)
        box.addLayout(row)
        self.message = FieldMessage("users")
        box.addWidget(self.message)
        self._update_buttons()

    def _button(self, row: QHBoxLayout, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # -- listing ---------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        if not self.managing:
            return
        self.loaded = True
        ws = self.ctx.ws
        self.ctx.runner.run_db(lambda: _listing(ws), self._listed, self._failed, owner=self.page)

    def _listed(self, rows: list[tuple[UserInfo, str]]) -> None:
        chosen = self.selected()
        self.users = [user for user, _area in rows]
        self.table.setRowCount(len(rows))
        for n, (user, area) in enumerate(rows):
            for col, text in enumerate((user.username, user.full_name, role_name(user.role), area)):
                self.table.setItem(n, col, QTableWidgetItem(text))
        names = [u.username for u in self.users]
        if chosen is not None and chosen.username in names:
            self.table.selectRow(names.index(chosen.username))
        self._update_buttons()

    def selected(self) -> UserInfo | None:
        if not self.managing:
            return None
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows and rows[0].row() < len(self.users) else None

    def _update_buttons(self) -> None:
        self.own_button.setEnabled(not self.running)
        if not self.managing:
            return
        user = self.selected()
        may = user is not None and user.username != self.me.username and manages(self.me.role, user.role)
        self.add_button.setEnabled(not self.running)
        self.reset_button.setEnabled(may and not self.running)
        self.remove_button.setEnabled(may and not self.running)
        if user is not None and user.username == self.me.username:
            hint = tr("Ini akun Anda: ganti kata sandinya lewat “Ganti kata sandi saya…”.",
                      "This is your account: change its password with “Change my password…”.")
        elif user is not None and not may:
            hint = tr(f"Akun {role_name(user.role)} hanya dikelola oleh admin.",
                      f"Only an admin manages {role_name(user.role)} accounts.")
        else:
            hint = ""
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))

    # -- actions ---------------------------------------------------------------------------------------------
    def add(self) -> None:
        ws = self.ctx.ws
        roles = [(r, role_name(r)) for r in ROLES if manages(self.me.role, r)]

        def work(v: dict[str, str]) -> UserInfo:
            return accounts.add_user(ws, v["username"], v["password"], v["role"], full_name=v["full_name"],
                                     area_code=v["area_code"] or None)

        self._open(AccountDialog(
            self.ctx.runner, tr("Tambah pengguna", "Add a user"),
            tr("Akun baru dapat membuka data di laptop ini dengan kata sandinya sendiri.",
               "The new account opens the data on this laptop with its own password."),
            ("username", "full_name", "role", "area_code", "password", "password2"), tr("Tambah", "Add"), work,
            roles=roles, area=self.me.area_code or "", parent=self.page),
            lambda user: tr(f"✓ Pengguna {user.username} ditambahkan.", f"✓ User {user.username} added."))

    def reset(self) -> None:
        user, ws = self.selected(), self.ctx.ws
        if user is None:
            return
        self._open(AccountDialog(
            self.ctx.runner, tr("Atur ulang kata sandi", "Reset the password"),
            tr(f"Kata sandi baru untuk {user.full_name} ({user.username}). Kata sandi lamanya tidak akan membuka "
               "data lagi.",
               f"A new password for {user.full_name} ({user.username}). The old one will no longer open the data."),
            ("password", "password2"), tr("Simpan", "Save"),
            lambda v: accounts.set_password(ws, user.username, v["password"]), parent=self.page),
            lambda _r: tr(f"✓ Kata sandi {user.username} diganti.", f"✓ Password of {user.username} changed."))

    def change_own(self) -> None:
        ws, me = self.ctx.ws, self.me
        self._open(AccountDialog(
            self.ctx.runner, tr("Ganti kata sandi saya", "Change my password"),
            tr("Kata sandi sekarang diperiksa dulu. ", "The current password is checked first. ") + tr(*LOCKOUT),
            ("current", "password", "password2"), tr("Simpan", "Save"),
            lambda v: accounts.set_password(ws, me.username, v["password"], current=v["current"]), parent=self.page),
            lambda _r: tr("✓ Kata sandi Anda diganti. Pakai kata sandi baru saat masuk berikutnya.",
                          "✓ Your password was changed. Use the new one at the next log-in."))

    def _open(self, dialog: AccountDialog, done_text: Callable[[object], str]) -> None:
        self.message.clear_message()
        self.dialog = dialog
        dialog.saved.connect(lambda result: self._done(done_text(result)))
        dialog.open()

    def remove(self) -> None:
        user = self.selected()
        if user is None:
            return
        text = tr(f"Hapus akun {user.full_name} ({user.username}, {role_name(user.role)})?\n\nKata sandi akun ini "
                  "tidak akan bisa lagi membuka data di laptop ini. Pendaftaran yang sudah dibuatnya tetap tersimpan.",
                  f"Remove the account {user.full_name} ({user.username}, {role_name(user.role)})?\n\nThis "
                  "account's password will no longer open the data on this laptop. The records it made are kept.")
        box = QMessageBox(QMessageBox.Icon.Warning, tr("Hapus pengguna", "Remove user"), text,
                          QMessageBox.StandardButton.NoButton, self.page)
        box.setObjectName("remove_user_confirm")
        box.remove_button = box.addButton(tr("Hapus", "Remove"), QMessageBox.ButtonRole.DestructiveRole)
        box.cancel_button = box.addButton(tr("Batal", "Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(box.cancel_button)
        box.buttonClicked.connect(lambda b: b is box.remove_button and self._remove(user))
        self.confirm = box
        box.open()

    def _remove(self, user: UserInfo) -> None:
        ws = self.ctx.ws
        self._set_running(True)
        self.message.show_message("muted", tr(f"Menghapus {user.username}…", f"Removing {user.username}…"))
        self.ctx.runner.run_db(lambda: accounts.remove_user(ws, user.username),
                               lambda _r: self._done(tr(f"✓ Pengguna {user.username} dihapus.",
                                                        f"✓ User {user.username} removed.")),
                               self._failed, owner=self.page)

    def _set_running(self, running: bool) -> None:
        self.running = running
        self._update_buttons()

    def _done(self, text: str) -> None:
        self._set_running(False)
        self.message.show_message("ok", text)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self._set_running(False)
        text = error_text(exc)
        if text is None:
            self.ctx.runner.on_error(exc)
            return
        self.message.show_message("error", text)


class AccountDialog(QDialog):
    """A form of some of ``FIELDS``; ``work(values)`` runs on the database thread, ``saved(result)`` after.

    A service error naming one of the fields (``UserFacingError.field``) is shown beside that field.
    """

    saved = Signal(object)

    def __init__(self, runner: TaskRunner, title: str, intro: str, fields: tuple[str, ...], ok_text: str,
                 work: Callable[[dict[str, str]], object], *, roles: list[tuple[str, str]] | None = None,
                 area: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("account_dialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.runner, self.work, self.running = runner, work, False
        layout = QVBoxLayout(self)
        layout.addWidget(heading(title, 4))
        self.intro = label(intro, "muted", wrap=True)
        layout.addWidget(self.intro)
        grid = QGridLayout()  # like the enrolment form: caption, input, and its message under the input
        grid.setColumnStretch(1, 1)
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, FieldMessage] = {}
        for name in fields:
            text = tr(*FIELDS[name])
            if name == "role":
                widget = combo(roles or [], "account_role", text)
                select_data(widget, "officer")
            else:
                widget = QLineEdit(area if name == "area_code" else "")
                widget.setObjectName(f"account_{name}")
                widget.setAccessibleName(text)
                if name in PASSWORDS:
                    widget.setEchoMode(QLineEdit.EchoMode.Password)
                if name == "area_code":
                    widget.setPlaceholderText("3216")
            if name == "password":
                widget.setPlaceholderText(tr(f"minimal {accounts.MIN_PASSWORD} karakter",
                                             f"at least {accounts.MIN_PASSWORD} characters"))
            self.inputs[name] = widget
            self.messages[name] = FieldMessage(f"account_{name}")
            caption, row = label(text), grid.rowCount()
            caption.setBuddy(widget)
            grid.addWidget(caption, row, 0)
            grid.addWidget(widget, row, 1)
            grid.addWidget(self.messages[name], row + 1, 1)
        layout.addLayout(grid)
        self.progress = QProgressBar()
        self.progress.setObjectName("account_progress")
        self.progress.setRange(0, 0)  # busy: the key derivation reports no steps
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.message = FieldMessage("account")
        layout.addWidget(self.message)
        ok, cancel = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
        self.buttons = QDialogButtonBox(ok | cancel)
        self.ok_button = self.buttons.button(ok)
        self.ok_button.setObjectName("account_ok")
        self.ok_button.setText(ok_text)
        self.buttons.button(cancel).setText(tr("Batal", "Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.inputs[fields[0]].setFocus(Qt.FocusReason.OtherFocusReason)

    def values(self) -> dict[str, str]:
        out = {}
        for name, widget in self.inputs.items():
            if isinstance(widget, QLineEdit):
                out[name] = widget.text() if name in PASSWORDS else widget.text().strip()
            else:
                out[name] = widget.currentData()
        return out

    def show_error(self, field: str | None, text: str) -> None:
        if field in self.messages:
            self.messages[field].show_message("error", text)
            mark(self.inputs[field], "error")
            self.inputs[field].setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.message.show_message("error", text)

    def submit(self) -> None:
        if self.running:
            return
        for name, message in self.messages.items():
            message.clear_message()
            mark(self.inputs[name], "")
        self.message.clear_message()
        values = self.values()
        if "current" in values and not values["current"]:
            self.show_error("current", tr("Isi kata sandi sekarang.", "Enter the current password."))
            return
        if values["password"] != values["password2"]:
            self.show_error("password2", tr("Kedua kata sandi baru tidak sama.", "The two new passwords differ."))
            return
        self._set_running(True)
        self.runner.run_db(lambda: self.work(values), self._done, self._failed, owner=self)

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.progress.setVisible(running)
        self.buttons.setEnabled(not running)
        for widget in self.inputs.values():
            widget.setEnabled(not running)

    def _done(self, result: object) -> None:
        self._set_running(False)
        self.saved.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_running(False)
        text = error_text(exc)
        if text is None:
            log.error("account change failed", exc_info=exc)
            text = tr("Terjadi kesalahan tak terduga; tidak ada yang diubah.",
                      "An unexpected error happened; nothing was changed.")
        field = exc.field if isinstance(exc, UserFacingError) else None
        if "current" in self.inputs and isinstance(exc, UserFacingError) and exc.code in ("auth_failed", "locked"):
            field = "current"
            if exc.code == "auth_failed":
                text = tr("Kata sandi sekarang salah. ", "The current password is wrong. ") + tr(*LOCKOUT)
        for name in {"current": ("current",), "password": ("password", "password2")}.get(field or "", ()):
            self.inputs[name].clear()  # a wrong password is typed again from scratch
        self.show_error(field, text)

    def reject(self) -> None:
        if not self.running:  # a key slot half-written is never abandoned
            super().reject()
