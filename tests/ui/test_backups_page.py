"""The "Cadangan" card in Settings: backups listed with kind, size and whether intact; "Buat cadangan sekarang";
"Pulihkan…" with the confirmation, the password again, and the return to the log-in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from fieldapp.db.engine import store_path
from fieldapp.services import backup, enrolment, participants
from fieldapp.ui.restore import describe
from tests.conftest import PASSWORD, open_as
from tests.factories import enrolment as make
from tests.ui.conftest import WAIT, make_window

LEFT = Qt.MouseButton.LeftButton


def cells(card, column: int) -> list[str]:
    return [card.table.item(row, column).text() for row in range(card.table.rowCount())]


def all_checked(card) -> bool:
    return card.table.rowCount() > 0 and all(card.states.get(info.path) for info in card.infos)


def test_officers_see_no_backups(qtbot, window):
    window.show_page("settings")
    assert window.pages["settings"].backups is None


def test_back_up_now_lists_the_new_backup_checked(qtbot, data_dir):
    window = make_window(qtbot, data_dir, "sup")
    # the start-up check's rolling backups (daily and weekly) first, so they are not counted as the new one
    qtbot.waitUntil(lambda: window.guard.backup is not None, timeout=WAIT)
    window.show_page("settings")
    card = window.pages["settings"].backups
    before = card.table.rowCount()
    qtbot.mouseClick(card.backup_button, LEFT)
    qtbot.waitUntil(lambda: card.table.rowCount() == before + 1 and all_checked(card), timeout=WAIT)
    assert card.message.kind == "ok" and "Cadangan dibuat: manual" in card.message.text()
    assert cells(card, 1)[0] == "manual"  # newest first
    assert cells(card, 3)[0] == "✓ utuh"
    assert cells(card, 2)[0].endswith("MB")
    assert len(backup.list_backups(data_dir)) == before + 1
    window.close()


def test_a_damaged_backup_is_marked_and_cannot_be_chosen(qtbot, data_dir):
    ws = open_as(data_dir, "sup")
    bad = backup.backup_now(ws.store, "daily-20261120")
    ws.close()
    with open(bad, "r+b") as f:
        f.seek(4096 * 3)
        f.write(b"\x00" * 4096 * 4)
    window = make_window(qtbot, data_dir, "sup")
    window.show_page("settings")
    card = window.pages["settings"].backups
    qtbot.waitUntil(lambda: all_checked(card), timeout=WAIT)
    row = [info.path for info in card.infos].index(bad)
    assert cells(card, 1)[row] == "harian"
    assert cells(card, 3)[row].startswith("✗ rusak")
    card.table.selectRow(row)
    assert not card.restore_button.isEnabled()
    window.close()


def test_restore_from_settings_names_what_is_replaced_and_returns_to_the_log_in(qtbot, data_dir, officer):
    chosen = backup.backup_now(officer.store)  # before this person was enrolled
    later = enrolment.enrol(officer, make())
    officer.close()
    window = make_window(qtbot, data_dir, "sup")
    window.show_page("settings")
    card = window.pages["settings"].backups
    qtbot.waitUntil(lambda: all_checked(card), timeout=WAIT)
    card.table.selectRow([info.path for info in card.infos].index(chosen))
    assert card.restore_button.isEnabled()
    qtbot.mouseClick(card.restore_button, LEFT)
    dialog = card.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    what = dialog.what.text()
    assert str(store_path(data_dir)) in what and describe(chosen).made_text() in what and "sebelum pemulihan" in what

    dialog.password.setText("salah-sekali")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: dialog.message.kind == "error", timeout=WAIT)
    assert dialog.isVisible() and window.back_to_login is None  # nothing replaced

    dialog.password.setText(PASSWORD)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: window.back_to_login is not None, timeout=WAIT)
    assert window.back_to_login.startswith("Data dipulihkan dari cadangan manual")
    assert not window.isVisible()
    window.shutdown()
    kept = [p for p in backup.list_backups(data_dir) if describe(p).kind == "pre-restore"]
    assert kept  # the store that was replaced is kept
    ws = open_as(data_dir, "sup")
    try:
        assert participants.find_by_nik(ws, later.data.nik) is None  # the store is the backup's
    finally:
        ws.close()


def test_describe_reads_kind_and_time_from_the_name(tmp_path):
    path = Path(tmp_path) / "fieldapp-pre-migrate-0004-20261120-081500.sqlite"
    path.write_bytes(b"x" * 2048)
    info = describe(path)
    assert (info.kind, info.kind_text(), info.made_text(), info.size) == (
        "pre-migrate", "sebelum migrasi", "20-11-2026 08:15", 2048)
