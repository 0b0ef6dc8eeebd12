"""The "Pengguna" card in Settings: accounts listed for supervisors and admins, added, reset and removed through
the dialogs; everyone changes their own password. Each change is checked by opening the real store with it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from fieldapp.errors import AuthenticationFailed
from fieldapp.services.workspace import Workspace
from tests.conftest import PASSWORD
from tests.ui.conftest import WAIT, make_window

LEFT = Qt.MouseButton.LeftButton
NEW = "baru-sekali-9"


@pytest.fixture
def open_card(qtbot, data_dir):
    """The settings page's card as ``username``, its list loaded (for those who see one)."""
    windows = []

    def open_(username: str):
        window = make_window(qtbot, data_dir, username)
        windows.append(window)
        window.show_page("settings")
        card = window.pages["settings"].users
        if card.managing:
            qtbot.waitUntil(lambda: card.table.rowCount() > 0, timeout=WAIT)
        return card

    yield open_
    for window in windows:
        window.close()


def usernames(card) -> list[str]:
    return [card.table.item(row, 0).text() for row in range(card.table.rowCount())]


def select(card, username: str) -> None:
    card.table.selectRow(usernames(card).index(username))


def fill(qtbot, dialog, **values) -> None:
    for name, value in values.items():
        widget = dialog.inputs[name]
        if name == "role":
            widget.setCurrentIndex(widget.findData(value))
        else:
            widget.clear()
            qtbot.keyClicks(widget, value)


def submit_and_wait_closed(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)


def opens(data_dir, username: str, password: str) -> bool:
    try:
        Workspace.open(data_dir, username, password).close()
    except AuthenticationFailed:
        return False
    return True


def test_an_admin_adds_an_officer_who_can_open_the_store(qtbot, data_dir, open_card):
    card = open_card("admin")
    assert usernames(card) == ["admin", "kerani", "petugas", "sup"]
    row = usernames(card).index("petugas")
    assert [card.table.item(row, c).text() for c in (1, 2)] == ["Petugas Uji", "petugas"]
    assert card.table.item(row, 3).text().startswith("3216 · ")
    select(card, "admin")  # their own row: no reset (that is "Ganti kata sandi saya") and no removal
    assert not card.reset_button.isEnabled() and not card.remove_button.isEnabled()
    assert card.hint.text().startswith("Ini akun Anda")
    select(card, "sup")  # an admin manages supervisors
    assert card.reset_button.isEnabled() and card.remove_button.isEnabled() and not card.hint.isVisible()
    qtbot.mouseClick(card.add_button, LEFT)
    dialog = card.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    roles = [dialog.inputs["role"].itemData(i) for i in range(dialog.inputs["role"].count())]
    assert roles == ["officer", "clerk", "supervisor", "admin"]
    fill(qtbot, dialog, username="budi", full_name="Budi Santoso", role="officer", area_code="3216",
         password=NEW, password2=NEW)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.progress.isVisible() and not dialog.ok_button.isEnabled()  # argon2 runs on the database thread
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: "budi" in usernames(card), timeout=WAIT)
    assert card.message.text() == "✓ Pengguna budi ditambahkan."
    row = usernames(card).index("budi")
    assert [card.table.item(row, c).text() for c in (1, 2)] == ["Budi Santoso", "petugas"]
    ws = Workspace.open(data_dir, "budi", NEW)
    try:
        assert (ws.user.role, ws.user.full_name, ws.user.area_code) == ("officer", "Budi Santoso", "3216")
    finally:
        ws.close()


def test_a_supervisor_may_only_add_officers_and_clerks(qtbot, open_card):
    card = open_card("sup")
    qtbot.mouseClick(card.add_button, LEFT)
    role = card.dialog.inputs["role"]
    assert [role.itemData(i) for i in range(role.count())] == ["officer", "clerk"]
    assert [role.itemText(i) for i in range(role.count())] == ["petugas", "kerani"]
    card.dialog.reject()
    select(card, "admin")  # not theirs to manage
    assert not card.reset_button.isEnabled() and not card.remove_button.isEnabled()
    assert "hanya dikelola oleh admin" in card.hint.text()
    select(card, "sup")  # their own row: "Ganti kata sandi saya" instead
    assert not card.reset_button.isEnabled() and not card.remove_button.isEnabled()
    select(card, "kerani")
    assert card.reset_button.isEnabled() and card.remove_button.isEnabled()


def test_a_too_short_password_is_shown_beside_the_password_and_nothing_is_added(qtbot, data_dir, open_card):
    card = open_card("sup")
    qtbot.mouseClick(card.add_button, LEFT)
    dialog = card.dialog
    fill(qtbot, dialog, username="siti", full_name="Siti", password="pendek", password2="pendek")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    message = dialog.messages["password"]
    qtbot.waitUntil(lambda: message.kind == "error", timeout=WAIT)
    assert message.text() == "Kata sandi minimal 8 karakter."
    assert dialog.isVisible() and dialog.inputs["password"].text() == ""
    assert dialog.inputs["username"].text() == "siti"  # the rest is kept
    assert not dialog.message.isVisible() and not dialog.messages["username"].isVisible()
    assert not opens(data_dir, "siti", "pendek") and "siti" not in usernames(card)
    fill(qtbot, dialog, password=NEW, password2="lain-lagi-1")  # a mismatch is caught before the service
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.messages["password2"].text() == "Kedua kata sandi baru tidak sama."
    assert dialog.ok_button.isEnabled() and not dialog.progress.isVisible()


def test_resetting_a_password_retires_the_old_one(qtbot, data_dir, open_card):
    card = open_card("sup")
    select(card, "petugas")
    qtbot.mouseClick(card.reset_button, LEFT)
    dialog = card.dialog
    assert "Petugas Uji (petugas)" in dialog.intro.text()
    assert list(dialog.inputs) == ["password", "password2"]
    fill(qtbot, dialog, password=NEW, password2=NEW)
    submit_and_wait_closed(qtbot, dialog)
    qtbot.waitUntil(lambda: card.message.kind == "ok", timeout=WAIT)
    assert card.message.text() == "✓ Kata sandi petugas diganti."
    assert not opens(data_dir, "petugas", PASSWORD)
    assert opens(data_dir, "petugas", NEW)


def test_removing_an_account_retires_its_password_and_its_row(qtbot, data_dir, open_card):
    card = open_card("sup")
    select(card, "kerani")
    qtbot.mouseClick(card.remove_button, LEFT)
    box = card.confirm
    qtbot.waitUntil(box.isVisible, timeout=WAIT)
    assert "tidak akan bisa lagi membuka data di laptop ini" in box.text() and "kerani" in box.text()
    qtbot.mouseClick(box.remove_button, LEFT)
    qtbot.waitUntil(lambda: "kerani" not in usernames(card), timeout=WAIT)
    assert card.message.text() == "✓ Pengguna kerani dihapus."
    assert usernames(card) == ["admin", "petugas", "sup"]
    with pytest.raises(AuthenticationFailed):
        Workspace.open(data_dir, "kerani", PASSWORD)


def test_cancelling_the_removal_keeps_the_account(qtbot, data_dir, open_card):
    card = open_card("admin")
    select(card, "sup")
    qtbot.mouseClick(card.remove_button, LEFT)
    box = card.confirm
    qtbot.mouseClick(box.cancel_button, LEFT)
    assert not box.isVisible() and "sup" in usernames(card) and opens(data_dir, "sup", PASSWORD)


def test_an_officer_changes_only_their_own_password(qtbot, data_dir, open_card):
    card = open_card("petugas")
    assert not card.managing and not hasattr(card, "table")
    buttons = [b.text() for b in card.frame.findChildren(type(card.own_button)) if b.isVisible()]
    assert buttons == ["Ganti kata sandi saya…"]
    qtbot.mouseClick(card.own_button, LEFT)
    dialog = card.dialog
    assert list(dialog.inputs) == ["current", "password", "password2"]

    fill(qtbot, dialog, current="salah-sekali", password=NEW, password2=NEW)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    message = dialog.messages["current"]
    qtbot.waitUntil(lambda: message.kind == "error", timeout=WAIT)
    assert message.text().startswith("Kata sandi sekarang salah.") and "5 kali berturut-turut" in message.text()
    assert dialog.isVisible() and dialog.inputs["current"].text() == ""
    assert opens(data_dir, "petugas", PASSWORD)  # nothing changed

    fill(qtbot, dialog, current=PASSWORD)
    submit_and_wait_closed(qtbot, dialog)
    qtbot.waitUntil(lambda: card.message.kind == "ok", timeout=WAIT)
    assert card.message.text().startswith("✓ Kata sandi Anda diganti.")
    assert not opens(data_dir, "petugas", PASSWORD)
    assert opens(data_dir, "petugas", NEW)
