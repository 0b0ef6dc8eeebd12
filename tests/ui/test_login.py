"""Log-in and first-run dialogs on a real store; the password hash runs on the database thread."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from fieldapp.services.workspace import Workspace
from fieldapp.ui.login import FirstRunDialog, LoginDialog, store_exists
from fieldapp.ui.tasks import TaskRunner
from tests.conftest import PASSWORD
from tests.ui.conftest import WAIT

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def runner():
    r = TaskRunner()
    yield r
    r.shutdown()


def _ok(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_wrong_then_right_password(qtbot, runner, data_dir):
    dialog = LoginDialog(runner, data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "petugas")
    qtbot.keyClicks(dialog.password, "salah-sekali")
    qtbot.mouseClick(_ok(dialog), LEFT)
    qtbot.waitUntil(lambda: dialog.message.text() == "Nama pengguna atau kata sandi salah.", timeout=WAIT)
    assert dialog.message.kind == "error"
    assert dialog.password.text() == "" and dialog.isVisible()
    assert _ok(dialog).isEnabled()

    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(_ok(dialog), LEFT)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=WAIT)
    assert dialog.workspace.user.username == "petugas"
    dialog.workspace.close()


def test_unknown_user_gets_the_same_message(qtbot, runner, data_dir):
    dialog = LoginDialog(runner, data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "tidakada")
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(_ok(dialog), LEFT)
    qtbot.waitUntil(lambda: dialog.message.text() == "Nama pengguna atau kata sandi salah.", timeout=WAIT)


def test_first_run_creates_the_store_and_supervisor(qtbot, runner, tmp_path):
    data_dir = tmp_path / "new"
    assert not store_exists(data_dir)
    dialog = FirstRunDialog(runner, data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.full_name, "Ibu Supervisor")
    qtbot.keyClicks(dialog.username, "ketua")
    qtbot.keyClicks(dialog.password, "rahasia-desa")
    qtbot.keyClicks(dialog.password2, "rahasia-lain")
    qtbot.mouseClick(_ok(dialog), LEFT)
    assert dialog.message.text() == "Kedua kata sandi tidak sama."
    dialog.password2.clear()
    qtbot.keyClicks(dialog.password2, "rahasia-desa")
    qtbot.mouseClick(_ok(dialog), LEFT)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=WAIT)
    assert (dialog.workspace.user.username, dialog.workspace.user.role) == ("ketua", "supervisor")
    dialog.workspace.close()
    again = Workspace.open(data_dir, "ketua", "rahasia-desa")
    assert again.user.full_name == "Ibu Supervisor"
    again.close()
