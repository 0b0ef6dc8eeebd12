"""Opening an outreach visit with the village type-ahead; the visit pre-fills the enrolment form."""

from __future__ import annotations

from PySide6.QtCore import Qt

from fieldapp.services import regions, visits
from tests.ui.conftest import WAIT


def test_village_type_ahead_puts_the_officers_area_first(officer):
    hits = regions.search_villages(officer, "sukamaju")
    assert hits and all(h.name == "Sukamaju" for h in hits[:1])
    assert hits[0].code.startswith("3216")  # Kabupaten Bekasi, the officer's area
    assert any(not h.code.startswith("3216") for h in hits)  # but every Indonesian village is there
    assert regions.search_villages(officer, "") == []
    assert regions.name_of(officer, "3216062002").startswith("Lambangsari, Tambun Selatan")


def test_open_a_visit_from_the_type_ahead(qtbot, window, db):
    window.show_page("visit")
    page = window.pages["visit"]
    village = page.village
    village.setFocus()
    qtbot.keyClicks(village, "lambangs")
    popup = village._completer.popup()
    qtbot.waitUntil(lambda: popup.isVisible() and popup.model().rowCount() > 0, timeout=WAIT)
    assert popup.model().index(0, 0).data().startswith("Lambangsari, Tambun Selatan")
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert village.code == "3216062002"
    qtbot.keyClicks(page.location, "Balai Desa Lambangsari")
    page.package.setCurrentIndex(page.package.findData("JKK,JKM,JHT"))
    page.funding.setCurrentIndex(page.funding.findData("dana_desa"))
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: window.current_page() == "enrol", timeout=WAIT)
    [stored] = visits.list_visits(db)
    assert not stored.closed and stored.officer == "petugas"
    assert (stored.village_code, stored.programs, stored.funding_source) == (
        "3216062002",
        ("JKK", "JKM", "JHT"),
        "dana_desa",
    )
    assert stored.location_note == "Balai Desa Lambangsari"
    form = window.pages["enrol"].form
    assert form.inputs["village"].code == "3216062002"
    assert form.value("programs") == "JKK,JKM,JHT" and form.value("funding_source") == "dana_desa"
    assert "Lambangsari" in window.pages["enrol"].banner_text.text()
    assert "Lambangsari" in window.pages["home"].visit.text()


def test_enter_takes_the_exact_own_area_village(qtbot, window):
    window.show_page("visit")
    village = window.pages["visit"].village
    village.setFocus()
    qtbot.keyClicks(village, "Lambangsari")
    qtbot.waitUntil(lambda: len(village._hits) > 0, timeout=WAIT)
    qtbot.keyClick(village, Qt.Key.Key_Return)
    assert village.code == "3216062002"


def test_a_visit_needs_a_village_from_the_list(qtbot, window, db):
    window.show_page("visit")
    page = window.pages["visit"]
    qtbot.keyClicks(page.village, "Desa Yang Tidak Ada")
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert page.village_message.kind == "error"
    assert visits.list_visits(db) == []
