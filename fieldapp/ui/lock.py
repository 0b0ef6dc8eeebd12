"""The idle lock: after some minutes without keyboard or mouse activity anywhere in the app the main window
covers everything with the lock screen and asks the same user's password again.

``IdleWatch`` is an application-wide event filter: any key press, click, wheel or mouse move restarts the
count. It only notes the time (cheap on every event); one single-shot timer checks when the time may be up.
``LockScreen`` is what shows while locked: who is logged in, a password field, "Buka kunci" and "Keluar".
The password is checked by ``accounts.confirm_password`` on the database thread, so a wrong one counts
towards the account's lockout like a wrong log-in.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.services import accounts
from fieldapp.services.workspace import DEFAULTS
from fieldapp.ui.context import Context
from fieldapp.ui.widgets import FieldMessage, card, heading, label

SETTING = "idle_lock_minutes"
ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


def minutes_from(values: dict[str, str]) -> int:
    """The idle time in minutes from the settings (0 = never lock); a missing or unreadable value is the default."""
    try:
        return max(0, int(values.get(SETTING) or DEFAULTS[SETTING]))
    except ValueError:
        return int(DEFAULTS[SETTING])


class IdleWatch(QObject):
    """Emits ``idle`` once no input reached the application for ``timeout_ms`` (0 = never)."""

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout_ms = 0
        self._last = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        self._installed = False

    def set_timeout_ms(self, ms: int) -> None:
        self.timeout_ms = max(0, int(ms))
        self.restart()

    def set_minutes(self, minutes: int) -> None:
        self.set_timeout_ms(minutes * 60_000)

    def start(self) -> None:
        if not self._installed:
            QApplication.instance().installEventFilter(self)
            self._installed = True
        self.restart()

    def stop(self) -> None:
        self._timer.stop()
        if self._installed:
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self._installed = False

    def restart(self) -> None:
        """Count from now (after unlocking, or when the idle time changed)."""
        self._last = time.monotonic()
        if self.timeout_ms > 0 and self._installed:
            self._timer.start(self.timeout_ms)
        else:
            self._timer.stop()

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY:
            self._last = time.monotonic()
        return False

    def _check(self) -> None:
        left = self.timeout_ms - (time.monotonic() - self._last) * 1000
        if left > 0:
            self._timer.start(math.ceil(left))  # there was activity meanwhile: wait for the rest
        elif self.timeout_ms > 0:
            self.idle.emit()


class LockScreen(QWidget):
    """Covers the main window while locked. ``unlocked`` once the password was right; ``log_out`` on "Keluar"."""

    unlocked = Signal()
    log_out = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("lock_screen")
        self.checking = False
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        middle = QHBoxLayout()
        middle.addStretch(1)
        frame, box = card()
        frame.setMinimumWidth(440)
        frame.setMaximumWidth(560)
        self.title = heading("", 6)
        box.addWidget(self.title)
        self.intro = label("", "muted", wrap=True)
        box.addWidget(self.intro)
        self.password = QLineEdit()
        self.password.setObjectName("unlock_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.submit)
        box.addWidget(self.password)
        self.message = FieldMessage("unlock")
        box.addWidget(self.message)
        buttons = QHBoxLayout()
        self.logout_button = QPushButton()
        self.logout_button.setObjectName("logout_button")
        self.logout_button.clicked.connect(self.log_out)
        buttons.addWidget(self.logout_button)
        buttons.addStretch(1)
        self.unlock_button = QPushButton()
        self.unlock_button.setObjectName("unlock_button")
        self.unlock_button.setProperty("role", "primary")
        self.unlock_button.clicked.connect(self.submit)
        buttons.addWidget(self.unlock_button)
        box.addLayout(buttons)
        middle.addWidget(frame)
        middle.addStretch(1)
        outer.addLayout(middle)
        outer.addStretch(2)
        self.retranslate()

    def retranslate(self) -> None:
        user = self.ctx.ws.user
        self.title.setText(tr("fieldapp terkunci", "fieldapp is locked"))
        self.intro.setText(
            tr(
                f"Layar dikunci karena tidak ada kegiatan. Masukkan kata sandi {user.full_name} ({user.username}) "
                "untuk melanjutkan; isian yang belum disimpan tetap ada. Pengguna lain: pilih Keluar.",
                f"The screen locked after a while without activity. Enter the password of {user.full_name} "
                f"({user.username}) to go on; anything not saved yet is kept. Someone else: choose Log out.",
            )
        )
        self.password.setAccessibleName(tr("Kata sandi", "Password"))
        self.password.setPlaceholderText(tr("Kata sandi", "Password"))
        self.unlock_button.setText(tr("Buka kunci", "Unlock"))
        self.logout_button.setText(tr("Keluar", "Log out"))

    def reset(self) -> None:
        """Fresh for a new lock: empty password, no old message, the cursor in the password field."""
        self.password.clear()
        self.message.clear_message()
        self._set_checking(False)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        password = self.password.text()
        if self.checking:
            return
        if not password:
            self.message.show_message("error", tr("Masukkan kata sandi.", "Enter the password."))
            return
        ws = self.ctx.ws
        self._set_checking(True)
        self.message.show_message("muted", tr("Memeriksa…", "Checking…"))
        self.ctx.runner.run_db(
            lambda: accounts.confirm_password(ws.store, ws.user.username, password),
            self._confirmed,
            self._refused,
            owner=self,
        )

    def _set_checking(self, checking: bool) -> None:
        self.checking = checking
        self.unlock_button.setEnabled(not checking)
        self.password.setEnabled(not checking)

    def _confirmed(self, _result) -> None:
        self._set_checking(False)
        self.password.clear()
        self.message.clear_message()
        self.unlocked.emit()

    def _refused(self, exc: BaseException) -> None:
        self._set_checking(False)
        if isinstance(exc, UserFacingError):
            text = tr("Kata sandi salah.", "Wrong password.") if exc.code == "auth_failed" else exc.text()
        else:
            text = tr(
                "Kata sandi tidak dapat diperiksa. Pilih Keluar lalu masuk lagi.",
                "The password could not be checked. Choose Log out and log in again.",
            )
        self.message.show_message("error", text)
        self.password.clear()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)
