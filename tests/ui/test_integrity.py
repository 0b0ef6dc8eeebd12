"""The store's integrity check after the window shows, and damaged stores: no more writes, the restore offer,
and a store too damaged to open refused at the log-in with the same offer. Damage is made for real: bytes of
the store file overwritten."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from fieldapp.db.engine import store_path
from fieldapp.services import backup, enrolment, integrity, participants
from fieldapp.ui.login import LoginDialog
from fieldapp.ui.tasks import TaskRunner
from tests.conftest import PASSWORD, open_as
from tests.factories import enrolment as make
from tests.ui.conftest import WAIT, make_window

LEFT = Qt.MouseButton.LeftButton
INDEX = "sqlite_autoindex_certificate_issues_1"  # an index nothing reads at start-up: the store still opens


def backed_up(data_dir: Path) -> Path:
    ws = open_as(data_dir, "sup")
    try:
        return backup.backup_now(ws.store)
    finally:
        ws.close()


def overwrite_page_of(data_dir: Path, name: str) -> None:
    """Scribble over the root page of table or index ``name`` in the (closed) store file."""
    ws = open_as(data_dir, "sup")
    try:
        with ws.store.engine.connect() as conn:
            page_size = conn.exec_driver_sql("PRAGMA page_size").scalar()
            root = conn.exec_driver_sql("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).scalar()
    finally:
        ws.close()
    with open(store_path(data_dir), "r+b") as f:  # closed: the WAL was checkpointed into the file
        f.seek((int(root) - 1) * int(page_size))
        f.write(b"\x55" * int(page_size))


def test_a_sound_store_passes_the_check_after_the_window_shows(qtbot, window):
    qtbot.waitUntil(lambda: window.guard.result is not None, timeout=WAIT)
    assert window.guard.result == "ok"
    assert not window.guard.banner.isVisible()
    assert window.pages["enrol"].save_button.isEnabled()
    qtbot.waitUntil(lambda: window.guard.backup is not None, timeout=WAIT)  # then today's rolling backup
    names = {p.name.split("-")[1] for p in backup.list_backups(window.ctx.ws.data_dir)}
    assert names == {"daily", "weekly"}
    assert backup.check(window.guard.backup, window.ctx.ws.store.key) == "ok"


def test_a_damaged_store_takes_no_more_writes_and_offers_the_newest_backup(qtbot, data_dir):
    backed_up(data_dir)
    overwrite_page_of(data_dir, INDEX)
    window = make_window(qtbot, data_dir, "sup")
    qtbot.waitUntil(lambda: window.guard.result is not None, timeout=WAIT)
    assert window.guard.result not in ("ok", "")  # e.g. "Page 36: btreeInitPage() …" or "… malformed"

    dialog = window.guard.dialog
    qtbot.waitUntil(lambda: dialog.isVisible(), timeout=WAIT)
    assert "Penyimpanan data rusak" in window.guard.banner_text.text() and window.guard.banner.isVisible()
    assert window.guard.result in dialog.findChild(type(window.guard.banner_text), "restore_problem").text()
    page = window.pages["enrol"]
    assert not page.save_button.isEnabled() and not page.form.isEnabled()
    assert "rusak" in page.status.text()

    # Nothing of the app writes to it any more, whatever tries: the store's connections are read-only.
    ws = window.ctx.ws
    qtbot.waitUntil(lambda: _write_refused(ws), timeout=WAIT)

    assert "yang terbaru" in dialog.what.text()  # names what comes back …
    assert str(store_path(data_dir)) in dialog.what.text()  # … and what is replaced
    dialog.password.setText(PASSWORD)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: window.back_to_login is not None, timeout=WAIT)
    assert "Data dipulihkan" in window.back_to_login and not window.isVisible()
    window.shutdown()
    again = open_as(data_dir, "sup")
    try:
        assert integrity.quick_check(again.store) == "ok"
    finally:
        again.close()


def _write_refused(ws) -> bool:
    try:
        ws.set_setting("server_url", "https://should-not-be-written.example")
    except Exception as exc:
        return "readonly" in str(exc).lower() or "read-only" in str(exc).lower()
    return False


@pytest.fixture
def runner():
    r = TaskRunner()
    yield r
    r.shutdown()


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_store_that_cannot_be_opened_is_refused_at_log_in_with_the_offer(qtbot, runner, data_dir, officer, damage):
    saved = enrolment.enrol(officer, make())
    officer.close()
    backed_up(data_dir)
    path = store_path(data_dir)
    size = path.stat().st_size
    if damage == "garbage":
        path.write_bytes(os.urandom(size))
    else:
        with open(path, "r+b") as f:
            f.truncate(size // 2)

    dialog = LoginDialog(runner, data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "sup")
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)
    qtbot.waitUntil(lambda: dialog.restore_dialog is not None and dialog.restore_dialog.isVisible(), timeout=WAIT)
    assert dialog.message.kind == "error" and "rusak" in dialog.message.text()
    assert dialog.restore_button.isVisible()

    offer = dialog.restore_dialog
    assert offer.username.text() == "sup"
    offer.password.setText(PASSWORD)
    qtbot.mouseClick(offer.ok_button, LEFT)
    qtbot.waitUntil(lambda: "Data dipulihkan" in dialog.message.text(), timeout=WAIT)
    assert not dialog.restore_button.isVisible()

    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)
    qtbot.waitUntil(lambda: dialog.workspace is not None, timeout=WAIT)
    assert participants.find_by_nik(dialog.workspace, saved.data.nik) is not None  # what the backup held
    assert integrity.quick_check(dialog.workspace.store) == "ok"
    dialog.workspace.close()
