"""Settings (language at once, font size, server address), the home page, and the other pages' contents."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar

from fieldapp import i18n
from fieldapp.services import enrolment
from fieldapp.ui.main_window import PAGES
from tests.factories import enrolment as make
from tests.ui.conftest import WAIT, make_window


def sidebar_texts(window):
    return [window.sidebar.item(n).text() for n in range(window.sidebar.count())]


def test_language_switch_applies_at_once_and_keeps_the_draft(qtbot, window, db):
    assert sidebar_texts(window)[:3] == ["Beranda", "Kunjungan", "Pendaftaran"]
    window.show_page("enrol")
    qtbot.keyClicks(window.pages["enrol"].form.inputs["full_name"], "Wati Lestari")
    window.show_page("settings")
    combo = window.pages["settings"].language
    combo.setCurrentIndex(combo.findData("en"))
    qtbot.waitUntil(lambda: sidebar_texts(window)[0] == "Home", timeout=WAIT)
    assert sidebar_texts(window) == [en for _name, (_id, en) in PAGES]
    assert i18n.language() == "en" and window.current_page() == "settings"
    assert db.setting("language") == "en"  # stored: the next start is in English too
    window.show_page("enrol")
    page = window.pages["enrol"]
    assert page.form.inputs["full_name"].text() == "Wati Lestari"
    assert page.save_button.accessibleName() == "Save & next"


def test_the_next_start_uses_the_stored_language(qtbot, data_dir, db):
    db.set_setting("language", "en")
    window = make_window(qtbot, data_dir)
    assert sidebar_texts(window)[0] == "Home"
    window.close()


def test_font_size_server_address_and_device(qtbot, window, db):
    window.show_page("settings")
    page = window.pages["settings"]
    page.font_size.setValue(13)
    page.font_size.editingFinished.emit()
    qtbot.waitUntil(lambda: db.setting("font_size") == "13", timeout=WAIT)
    qtbot.waitUntil(lambda: window.font().pointSize() == 13, timeout=WAIT)
    page = window.pages["settings"]  # rebuilt in the new size
    page.server.setText("ftp://salah")
    page.server.editingFinished.emit()
    assert page.server_message.kind == "error"
    page.server.setText("https://bpu.dinas.example.go.id")
    page.server.editingFinished.emit()
    qtbot.waitUntil(lambda: db.setting("server_url") == "https://bpu.dinas.example.go.id", timeout=WAIT)
    assert window.ctx.ws.device.name in page.findChild(QLabel, "setting_device").text()
    assert str(window.ctx.ws.data_dir) in page.findChild(QLabel, "setting_data_dir").text()
    assert not page.age_min.isEnabled()  # an officer does not change the rules


def test_a_supervisor_changes_the_age_limits(qtbot, data_dir, db):
    window = make_window(qtbot, data_dir, "sup")
    window.show_page("settings")
    page = window.pages["settings"]
    assert page.age_max.isEnabled()
    page.age_max.setValue(65)
    page.age_max.editingFinished.emit()
    qtbot.waitUntil(lambda: db.setting("age_max") == "65", timeout=WAIT)
    window.close()


def test_home_shows_today_pending_last_sync_and_progress(qtbot, data_dir, officer):
    enrolment.enrol(officer, make())
    enrolment.enrol(officer, make(serial=4, full_name="Agus Hermawan"))
    window = make_window(qtbot, data_dir)
    home = window.pages["home"]
    qtbot.waitUntil(lambda: home.loaded == {"quick", "counts", "progress"}, timeout=WAIT)
    assert home.today.text() == "2" and home.pending.text() == "2"
    assert home.sync.text() == "Belum pernah"  # never synced
    assert home.sync_note.property("role") == "warning"
    bar = home.findChild(QProgressBar, "progress_3216062002")
    assert (bar.value(), bar.maximum(), bar.format()) == (2, 100, "2 / 100")
    window.close()


@pytest.mark.parametrize(("user", "hidden"), [("petugas", {"certificates"}), ("kerani", {"visit", "enrol"}),
                                             ("sup", set()),
                                             ("admin", {"visit", "enrol", "participants", "certificates"})])
def test_each_role_opens_its_pages_from_the_sidebar_without_an_error(qtbot, data_dir, officer, user, hidden):
    enrolment.enrol(officer, make(birth_date=dt.date(1985, 1, 5)))
    window = make_window(qtbot, data_dir, user)
    errors = []
    window.ctx.runner.on_error = errors.append
    assert {name for row, (name, _t) in enumerate(PAGES) if window.sidebar.item(row).isHidden()} == hidden
    for row, (name, _title) in enumerate(PAGES):
        item = window.sidebar.item(row)
        if item.isHidden():
            window.show_page(name)  # Ctrl+N or a link to a page the role cannot use: nothing happens
            assert window.current_page() != name
            continue
        qtbot.mouseClick(
            window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=window.sidebar.visualItemRect(item).center()
        )
        assert window.current_page() == name and window.stack.currentWidget() is window.pages[name]
        qtbot.wait(300)  # let the page's first reads come back
    with qtbot.waitActive(window):  # offscreen, the window loses activation once the Laporan page is built
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "home"
    assert errors == []
    window.close()
