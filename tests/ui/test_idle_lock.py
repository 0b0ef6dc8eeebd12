"""The idle lock on the real main window: it covers everything, keeps the draft, wants the same password, counts
wrong ones towards the lockout, is pushed back by any input, and "Keluar" closes the window to the log-in."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from fieldapp.errors import UserFacingError
from tests.conftest import PASSWORD, open_as
from tests.ui.conftest import WAIT, make_window

TINY_MS = 150  # the idle time in these tests (the setting itself is in minutes)
LOCK_AFTER = 5  # wrong passwords in a row that lock an account (README, "Backups and the audit trail")


def lock_soon(qtbot, window) -> None:
    window.idle.set_timeout_ms(TINY_MS)
    qtbot.waitUntil(lambda: window.locked, timeout=WAIT)


def unlock_with(qtbot, window, password: str) -> None:
    screen = window.lock_screen
    screen.password.setText(password)
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.checking, timeout=WAIT)


def test_locks_when_idle_hides_the_data_and_keeps_the_draft(qtbot, window, db):
    window.show_page("enrol")
    form = window.pages["enrol"].form
    qtbot.keyClicks(form.inputs["full_name"], "Wati Lestari")
    qtbot.keyClicks(form.inputs["nik"], "3216")
    window.statusBar().showMessage("Tersimpan: Budi Santoso")
    lock_soon(qtbot, window)

    assert window.lock_screen.isVisible()
    assert not window.content.isVisible() and not form.isVisible()  # no page, no name, nothing of the data
    assert not window.statusBar().isVisible()
    assert window.ctx.ws.user.full_name in window.lock_screen.intro.text()
    assert window.lock_screen.password.hasFocus()

    unlock_with(qtbot, window, "salah-sekali")
    assert window.locked and window.lock_screen.message.text() == "Kata sandi salah."
    assert window.lock_screen.password.text() == ""

    unlock_with(qtbot, window, PASSWORD)
    qtbot.waitUntil(lambda: not window.locked, timeout=WAIT)
    assert form.isVisible() and window.statusBar().isVisible()
    assert form.inputs["full_name"].text() == "Wati Lestari" and form.inputs["nik"].text() == "3216"


def test_wrong_passwords_at_the_lock_lock_the_account(qtbot, window, data_dir):
    lock_soon(qtbot, window)
    for _ in range(LOCK_AFTER):
        unlock_with(qtbot, window, "salah-sekali")
    unlock_with(qtbot, window, PASSWORD)  # even the right one now: the account is locked for a while
    assert window.locked
    assert "dikunci sementara" in window.lock_screen.message.text()
    with pytest.raises(UserFacingError) as refused:  # and a fresh log-in is refused the same way
        open_as(data_dir, "petugas")
    assert refused.value.code == "locked"


def test_any_input_pushes_the_lock_back(qtbot, window):
    window.idle.set_timeout_ms(400)
    nik = window.pages["enrol"].form.inputs["nik"]
    window.show_page("enrol")
    for _ in range(8):  # 8 × 100 ms of typing and mouse moves: twice the idle time, never idle for long
        qtbot.wait(100)
        QTest.keyClick(nik, Qt.Key.Key_1)
        QTest.mouseMove(window.sidebar.viewport(), QPoint(5, 5))
    assert not window.locked
    qtbot.waitUntil(lambda: window.locked, timeout=WAIT)  # and once the typing stops, it locks


def test_dialogs_and_shortcuts_are_held_while_locked(qtbot, window):
    window.show_about()
    about = window.about_dialog
    qtbot.waitUntil(about.isVisible, timeout=WAIT)
    lock_soon(qtbot, window)
    assert not about.isVisible()
    QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "home"  # Ctrl+3 did nothing behind the lock screen
    unlock_with(qtbot, window, PASSWORD)
    qtbot.waitUntil(lambda: not window.locked, timeout=WAIT)
    assert about.isVisible()


def test_log_out_from_the_lock_screen_closes_to_the_log_in(qtbot, data_dir):
    window = make_window(qtbot, data_dir)
    lock_soon(qtbot, window)
    qtbot.mouseClick(window.lock_screen.logout_button, Qt.MouseButton.LeftButton)
    assert window.back_to_login == "" and not window.isVisible()


def test_zero_minutes_never_locks_and_a_supervisor_sets_the_minutes(qtbot, data_dir, db):
    db.set_setting("idle_lock_minutes", "0")
    window = make_window(qtbot, data_dir, "sup")
    assert window.idle.timeout_ms == 0
    qtbot.wait(300)
    assert not window.locked
    window.show_page("settings")
    spin = window.pages["settings"].idle_minutes
    assert spin.isEnabled() and spin.text() == "tidak pernah"
    spin.setValue(5)
    spin.editingFinished.emit()
    qtbot.waitUntil(lambda: window.idle.timeout_ms == 5 * 60_000, timeout=WAIT)
    assert db.setting("idle_lock_minutes") == "5"
    window.close()


def test_the_default_is_ten_minutes_and_officers_cannot_change_it(qtbot, window):
    assert window.idle.timeout_ms == 10 * 60_000
    window.show_page("settings")
    assert not window.pages["settings"].idle_minutes.isEnabled()
