"""The enrolment form, driven from the keyboard like an officer does, asserted against the real store."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from fieldapp.domain.participant import SearchQuery
from fieldapp.services import enrolment, participants
from fieldapp.ui.widgets import state_of
from tests.factories import enrolment as make
from tests.factories import nik_for
from tests.ui.conftest import WAIT, ctrl_s, focused, tab, type_text

PEOPLE = (
    # nik, name, place, street, rt, rw, phone, occupation (typed), heir, relationship (typed), born, sex
    (nik_for(dt.date(1988, 3, 14), "P", 21), "Siti Rohmah", "Bekasi", "Kp. Rawa No. 3", "2", "4", "081298765432",
     "Pedagang", "Ahmad Fauzi", "Suami", dt.date(1988, 3, 14), "P"),
    (nik_for(dt.date(1975, 11, 2), "L", 7), "Dadang Suryana", "Karawang", "Kp. Pulo No. 12", "3", "5", "0813-1111-2222",
     "Petani", "Euis Komariah", "Istri", dt.date(1975, 11, 2), "L"),
    (nik_for(dt.date(1999, 6, 30), "L", 415), "Rizky Maulana", "Bekasi", "Gg. Mawar 7", "11", "2", "",
     "Pengemudi", "", "", dt.date(1999, 6, 30), "L"),
)  # fmt: skip


def page_of(window):
    window.show_page("enrol")
    page = window.pages["enrol"]
    page.form.inputs["nik"].setFocus()
    return page


def choose(qtbot, text: str) -> None:
    """Type the start of an item's text into a focused combo box (Qt's keyboard search)."""
    qtbot.wait(QApplication.keyboardInputInterval() + 20)  # a person is slower than QTest: a fresh search
    type_text(qtbot, text)


def type_person(qtbot, page, person) -> None:
    """Tab order = visual order: NIK, name, place, (birth date and sex come from the NIK), street, RT, RW, ..."""
    nik, name, place, street, rt, rw, phone, job, heir, relation, born, _sex = person
    form = page.form
    assert focused() is form.inputs["nik"]
    type_text(qtbot, nik)
    tab(qtbot)
    type_text(qtbot, name)
    tab(qtbot)
    type_text(qtbot, place)
    qtbot.waitUntil(lambda: form.inputs["birth_date"].text() == born.strftime("%d-%m-%Y"), timeout=WAIT)
    tab(qtbot, 3)  # birth date and sex were filled from the NIK
    assert focused() is form.inputs["street"]
    type_text(qtbot, street)
    tab(qtbot)
    type_text(qtbot, rt)
    tab(qtbot)
    type_text(qtbot, rw)
    tab(qtbot, 2)  # the village comes from the visit
    assert focused() is form.inputs["phone"]
    type_text(qtbot, phone)
    tab(qtbot)
    choose(qtbot, job)
    tab(qtbot, 4)  # income band, programmes and funding keep their defaults / the visit's
    assert focused() is form.inputs["heir_name"]
    type_text(qtbot, heir)
    tab(qtbot)
    choose(qtbot, relation)
    tab(qtbot, 2)
    assert focused() is form.inputs["consent"]
    qtbot.keyClick(focused(), Qt.Key.Key_Space)


def test_three_people_typed_in_are_saved_and_found(qtbot, open_visit, window, db):
    page = page_of(window)
    qtbot.waitUntil(lambda: page.form.inputs["village"].code == "3216062002", timeout=WAIT)
    for person in PEOPLE:
        type_person(qtbot, page, person)
        ctrl_s(qtbot)
        qtbot.waitUntil(lambda p=person: page.status.text().startswith(f"✓ Tersimpan: {p[1]}"), timeout=WAIT)
        assert page.form.inputs["nik"].text() == "" and focused() is page.form.inputs["nik"]
        assert page.form.inputs["village"].code == "3216062002"  # the visit's fields stay
        stored = participants.find_by_nik(db, person[0])
        assert stored is not None and stored.data.full_name == person[1]
        assert stored.visit_id == open_visit.id and stored.data.birth_date == person[10]
        assert stored.data.sex == person[11] and stored.revision == 1

    first = participants.find_by_nik(db, PEOPLE[0][0]).data
    assert (first.phone, first.rt, first.occupation, first.heir_relationship) == (
        "+6281298765432",
        "002",
        "pedagang",
        "suami",
    )
    assert first.consent_given_at is not None and first.funding_source == "apbd"
    assert participants.find_by_nik(db, PEOPLE[2][0]).data.sector == "transport"  # ojek: PP 50/2025 window

    window.show_page("participants")
    plist = window.pages["participants"]
    qtbot.waitUntil(lambda: plist.model.rowCount() == 3 and plist.model.complete, timeout=WAIT)
    qtbot.keyClicks(plist.search_box, "dadang")
    qtbot.waitUntil(lambda: plist.model.rowCount() == 1 and plist.model.row_at(0) is not None, timeout=WAIT)
    assert plist.model.row_at(0).full_name == "Dadang Suryana"
    assert plist.info.text() == "1 peserta"


def test_invalid_nik_blocks_the_save_with_its_message_at_the_field(qtbot, open_visit, window, db):
    page = page_of(window)
    form = page.form
    type_text(qtbot, "3216061207900000")  # serial 0000
    msg = form.messages["nik"]
    qtbot.waitUntil(lambda: msg.kind == "error" and "0000" in msg.text(), timeout=WAIT)
    assert msg.isVisible() and state_of(form.inputs["nik"]) == "error"
    ctrl_s(qtbot)
    qtbot.waitUntil(lambda: page.status.text().startswith("Belum tersimpan"), timeout=WAIT)
    assert "NIK tidak valid" in msg.text()
    assert focused() is form.inputs["nik"]  # the first field in error
    assert form.messages["full_name"].kind == "error"  # every hard error named at its own field
    assert participants.count(db, SearchQuery()) == 0


def test_letter_o_in_nik_is_an_error_not_a_silent_zero(qtbot, open_visit, window):
    form = page_of(window).form
    type_text(qtbot, "32160612O7900003")
    msg = form.messages["nik"]
    qtbot.waitUntil(lambda: msg.kind == "error", timeout=WAIT)
    assert "(ada: O)" in msg.text() and form.inputs["nik"].text() == "32160612O7900003"


def fill(qtbot, form, e, *, birth_date: str | None = None) -> None:
    """Type a whole enrolment into the form (field by field, not by Tab)."""
    for name in ("nik", "full_name", "birth_place", "street", "rt", "rw", "phone", "heir_name"):
        qtbot.keyClicks(form.inputs[name], getattr(e, name))
    born = birth_date or e.birth_date.strftime("%d-%m-%Y")
    qtbot.waitUntil(lambda: form.inputs["birth_date"].text() != "", timeout=WAIT)  # filled from the NIK
    form.inputs["birth_date"].clear()
    qtbot.keyClicks(form.inputs["birth_date"], born)
    for name in ("occupation", "heir_relationship"):
        box = form.inputs[name]
        box.setCurrentIndex(box.findData(getattr(e, name)))
    form.inputs["consent"].setChecked(True)


def test_nik_birth_date_mismatch_warns_but_saves(qtbot, open_visit, window, db):
    page = page_of(window)
    e = make()
    fill(qtbot, page.form, e, birth_date="13-07-1990")  # the NIK says 12-07-1990
    msg = page.form.messages["birth_date"]
    qtbot.waitUntil(lambda: msg.kind == "warning" and "12-07-1990" in msg.text(), timeout=WAIT)
    assert state_of(page.form.inputs["birth_date"]) == "warning"
    page.form.inputs["full_name"].setFocus()
    ctrl_s(qtbot)
    qtbot.waitUntil(lambda: page.status.text().startswith("✓ Tersimpan"), timeout=WAIT)
    stored = participants.find_by_nik(db, e.nik)
    assert stored.data.birth_date == dt.date(1990, 7, 13)


def test_a_minor_needs_a_guardian(qtbot, open_visit, window, db):
    page = page_of(window)
    born = dt.date.today().replace(year=dt.date.today().year - 16, day=1)
    e = make(birth_date=born)
    fill(qtbot, page.form, e)
    guardian = page.form.inputs["guardian_name"]
    qtbot.waitUntil(guardian.isVisible, timeout=WAIT)
    page.save()
    qtbot.waitUntil(lambda: page.form.messages["guardian_name"].kind == "error", timeout=WAIT)
    assert participants.find_by_nik(db, e.nik) is None
    qtbot.keyClicks(guardian, "Siti Aminah")
    page.save()
    qtbot.waitUntil(lambda: page.status.text().startswith("✓ Tersimpan"), timeout=WAIT)
    assert participants.find_by_nik(db, e.nik).data.guardian_name == "Siti Aminah"


def test_live_contribution_follows_the_package(qtbot, open_visit, window):
    form = page_of(window).form
    fill(qtbot, form, make())
    qtbot.waitUntil(lambda: "Rp16.800" in form.contribution.text(), timeout=WAIT)
    first = form.contribution.text()
    box = form.inputs["programs"]
    box.setCurrentIndex(box.findData("JKK,JKM,JHT"))
    qtbot.waitUntil(lambda: "JHT" in form.contribution.text(), timeout=WAIT)
    assert form.contribution.text() != first


def test_duplicate_nik_opens_the_dialog_and_the_existing_record(qtbot, open_visit, window, data_dir, db):
    existing = enrolment.enrol(db, make(full_name="Budi Santoso"))
    page = page_of(window)
    fill(qtbot, page.form, make(full_name="Budi Lain"))
    qtbot.waitUntil(lambda: "Sudah terdaftar" in page.form.messages["nik"].text(), timeout=WAIT)
    page.save()
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=WAIT)
    texts = [w.text() for w in page.dialog.findChildren(QLabel) if w.objectName().startswith("existing_")]
    assert existing.masked_nik in texts and "Budi Santoso" in texts and "sup" in texts
    assert existing.data.nik not in texts  # masked, never the whole NIK
    assert participants.count(db, SearchQuery()) == 1
    qtbot.mouseClick(page.dialog.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.editing is not None, timeout=WAIT)
    assert page.editing.id == existing.id and page.form.inputs["full_name"].text() == "Budi Santoso"
    assert window.current_page() == "enrol"


def test_cancel_in_the_duplicate_dialog_keeps_the_typing(qtbot, open_visit, window, db):
    enrolment.enrol(db, make())
    page = page_of(window)
    fill(qtbot, page.form, make(full_name="Budi Lain"))
    page.save()
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=WAIT)
    qtbot.mouseClick(page.dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not page.dialog.isVisible() and page.editing is None
    assert page.form.inputs["full_name"].text() == "Budi Lain"
    assert participants.count(db, SearchQuery()) == 1


FIELDS = (
    "nik", "full_name", "birth_place", "birth_date", "sex", "street", "rt", "rw", "village", "phone", "occupation",
    "income_band", "programs", "funding_source", "heir_name", "heir_relationship", "heir_phone", "consent",
    "guardian_name",
)  # fmt: skip


def test_every_input_is_named_for_automation_and_screen_readers(window):
    page = page_of(window)
    form = window.findChild(QWidget, "enrolment_form")
    assert form is page.form
    for name in FIELDS:
        widget = form.findChild(QWidget, name)
        assert widget is not None and widget is form.inputs[name], name
        assert widget.accessibleName(), name
    assert window.findChild(QPushButton, "save_next").accessibleName() == "Simpan & berikutnya"


def test_tab_order_follows_the_visual_order(qtbot, open_visit, window):
    form = page_of(window).form
    expected = [w.objectName() for w in form.tab_chain if w.objectName() != "guardian_name"] + ["save_next"]
    seen = [focused().objectName()]
    for _ in expected[1:]:
        tab(qtbot)
        seen.append(focused().objectName())
    assert seen == expected


def test_ctrl_enter_saves_too(qtbot, open_visit, window, db):
    page = page_of(window)
    e = make()
    fill(qtbot, page.form, e)
    page.form.inputs["street"].setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.status.text().startswith("✓ Tersimpan"), timeout=WAIT)
    assert participants.find_by_nik(db, e.nik).visit_id == open_visit.id


def test_nik_typed_with_spaces_and_full_width_digits_is_tidied(qtbot, open_visit, window):
    form = page_of(window).form
    type_text(qtbot, "3216 0612.0790-0003")
    tab(qtbot)
    assert form.inputs["nik"].text() == "3216061207900003"
    qtbot.waitUntil(lambda: form.inputs["birth_date"].text() == "12-07-1990", timeout=WAIT)
    form.inputs["nik"].clear()
    commit = QInputMethodEvent("", [])  # full-width digits arrive through an input method, as on some phones/IMEs
    commit.setCommitString("３２１６０６１２０７９００００３")
    QApplication.sendEvent(form.inputs["nik"], commit)
    qtbot.waitUntil(lambda: form.messages["nik"].kind == "ok", timeout=WAIT)
