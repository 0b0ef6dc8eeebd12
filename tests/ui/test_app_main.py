"""``fieldapp`` without a subcommand: ``fieldapp.ui.app.main`` from the first dialog to the main window and back."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from fieldapp.services.workspace import Workspace
from fieldapp.ui import app as ui_app
from fieldapp.ui.login import FirstRunDialog, LoginDialog
from fieldapp.ui.main_window import PAGES, MainWindow
from tests.conftest import PASSWORD

EXPECTED = {name for name, _ in PAGES}


def drive(steps: list, log: list) -> None:
    """Run ``steps`` one after another from the event loop ``main`` is in, each once its widget is there."""

    def tick() -> None:
        if not steps:
            return
        widget = steps[0][0]()
        if widget is not None:
            log.append(steps.pop(0)[1](widget))
        QTimer.singleShot(50, tick)

    QTimer.singleShot(50, tick)


def modal(kind):
    return lambda: w if isinstance(w := QApplication.activeModalWidget(), kind) and w.isVisible() else None


def main_window():
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)


def log_in(username: str, password: str):
    def act(dialog):
        dialog.username.setText(username)
        dialog.password.setText(password)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        return ("login", username)

    return act


def close(window):
    seen = set(window.pages)
    window.close()
    return ("window", seen, window.ctx.ws.user.username)


def test_log_in_then_main_window(qtbot, data_dir):
    log: list = []
    drive([(modal(LoginDialog), log_in("petugas", PASSWORD)), (main_window, close)], log)
    assert ui_app.main(data_dir) == 0
    assert log == [("login", "petugas"), ("window", EXPECTED, "petugas")]


def test_wrong_password_stays_in_the_dialog_then_cancel(qtbot, data_dir):
    log: list = []

    def wrong_then_cancel(dialog):
        log_in("petugas", "keliru-sekali")(dialog)
        qtbot.waitUntil(lambda: dialog.message.kind == "error", timeout=10_000)
        text = dialog.message.text()
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
        return text

    drive([(modal(LoginDialog), wrong_then_cancel)], log)
    assert ui_app.main(data_dir) == 1
    assert log == ["Nama pengguna atau kata sandi salah."]


def test_first_run_creates_the_store(qtbot, tmp_path):
    data_dir = tmp_path / "baru"
    log: list = []

    def create(dialog):
        dialog.full_name.setText("Kepala Seksi")
        dialog.username.setText("kasi")
        dialog.password.setText("kata-sandi-1")
        dialog.password2.setText("kata-sandi-1")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        return "created"

    drive([(modal(FirstRunDialog), create), (main_window, close)], log)
    assert ui_app.main(data_dir) == 0
    assert log[0] == "created" and log[1][2] == "kasi"
    ws = Workspace.open(data_dir, "kasi", "kata-sandi-1")
    assert ws.user.role == "supervisor" and ws.setting("language") == "id"
    ws.close()


def test_log_out_at_the_lock_screen_returns_to_the_log_in(qtbot, data_dir):
    log: list = []

    def lock_then_log_out(window):
        window.lock()
        assert window.lock_screen.isVisible() and not window.content.isVisible()
        window.lock_screen.logout_button.click()
        return ("logged out", window.ctx.ws.user.username)

    drive(
        [
            (modal(LoginDialog), log_in("petugas", PASSWORD)),
            (main_window, lock_then_log_out),
            (modal(LoginDialog), log_in("sup", PASSWORD)),  # someone else takes the laptop
            (main_window, close),
        ],
        log,
    )
    assert ui_app.main(data_dir) == 0
    assert log == [("login", "petugas"), ("logged out", "petugas"), ("login", "sup"), ("window", EXPECTED, "sup")]
