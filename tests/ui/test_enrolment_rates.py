"""The enrolment form offers the bands and shows the contribution of the store's rate table: the shipped one until
a supervisor imports a reference file (the real ``fieldapp-server export-reference``), then the imported one."""

from __future__ import annotations

from PySide6.QtCore import Qt

from fieldapp.services import participants, reference
from tests.conftest import open_as
from tests.factories import open_visit
from tests.ui.conftest import WAIT, ctrl_s, make_window
from tests.ui.test_enrolment import PEOPLE, page_of, type_person
from tests.unit.test_rates_in_use import JANUARY, TOP_BAND, VILLAGE, newer  # noqa: F401 (newer: the fixture)
from tests.unit.test_reference_updates import exported  # noqa: F401 (the fixture newer needs)


def test_the_form_uses_the_imported_rate_table(qtbot, data_dir, db, newer):  # noqa: F811
    with open_as(data_dir, "petugas") as ws:
        open_visit(ws, village_code=VILLAGE, start_month=JANUARY)  # contributions from January 2027
    window = make_window(qtbot, data_dir)
    try:
        page = page_of(window)
        form = page.form
        qtbot.waitUntil(lambda: form.inputs["village"].code == VILLAGE, timeout=WAIT)
        type_person(qtbot, page, PEOPLE[0])
        qtbot.waitUntil(lambda: "JKM Rp6.800" in form.contribution.text(), timeout=WAIT)  # the shipped table
        assert "<b>Rp16.800</b>" in form.contribution.text()
        assert TOP_BAND not in form._offered()

        reference.import_file(db, newer)  # the supervisor's file, imported while the form is open
        window.show_page("participants")
        window.show_page("enrol")
        qtbot.waitUntil(lambda: "JKM Rp7.000" in form.contribution.text(), timeout=WAIT)
        assert "<b>Rp17.000</b>" in form.contribution.text()
        qtbot.waitUntil(lambda: TOP_BAND in form._offered(), timeout=WAIT)

        band = form.inputs["income_band"]
        band.setFocus()
        qtbot.keyClick(band, Qt.Key.Key_End)  # the officer picks the top band, which only the new table has
        assert band.currentData() == TOP_BAND
        qtbot.waitUntil(lambda: "JKK Rp212.000" in form.contribution.text(), timeout=WAIT)
        ctrl_s(qtbot)
        qtbot.waitUntil(lambda: page.status.text().startswith(f"✓ Tersimpan: {PEOPLE[0][1]}"), timeout=WAIT)
        assert participants.find_by_nik(db, PEOPLE[0][0]).data.income_band == TOP_BAND
    finally:
        window.close()
        window.shutdown()
