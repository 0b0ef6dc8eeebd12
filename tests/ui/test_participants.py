"""The participants list: the id-holding table model, search as you type, filters, masking, edit from the list."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from fieldapp.domain.participant import SearchQuery
from fieldapp.services import enrolment, participants, seed
from fieldapp.ui.context import Bus, Context
from fieldapp.ui.participants_model import ParticipantsModel
from fieldapp.ui.tasks import TaskRunner
from tests.conftest import PASSWORD
from tests.factories import enrolment as make
from tests.factories import nik_for
from tests.ui.conftest import WAIT, ctrl_s, make_window


@pytest.fixture
def seeded(data_dir):
    seed.seed_demo(data_dir, 250, credentials=("sup", PASSWORD))
    return data_dir


@pytest.fixture
def model(qtbot, seeded, officer):
    runner = TaskRunner()
    m = ParticipantsModel(Context(officer, runner, Bus()))
    yield m
    runner.shutdown()


def _search(qtbot, model, query: SearchQuery | None = None):
    model.search(query or SearchQuery())
    qtbot.waitUntil(lambda: model.complete, timeout=WAIT)


def test_model_passes_qtmodeltester(qtbot, qtmodeltester, model):
    _search(qtbot, model)
    assert model.rowCount() == 250
    qtmodeltester.check(model, force_py=True)


def test_rows_are_fetched_in_pages_as_they_are_asked_for(qtbot, model, officer):
    _search(qtbot, model)
    deep = model.index(230, 1)
    assert model.data(deep) == "…"  # not fetched yet: the first page holds 100 rows
    qtbot.waitUntil(lambda: model.data(deep) != "…", timeout=WAIT)
    expected = participants.rows_for_ids(officer, [model.id_at(230)])[0]
    assert model.data(deep) == expected.full_name
    assert model.data(model.index(230, 2)) == expected.nik  # officers see the whole NIK


def test_the_id_fetch_stops_at_the_cap_and_says_so(qtbot, seeded, officer):
    runner = TaskRunner()
    try:
        m = ParticipantsModel(Context(officer, runner, Bus()), cap=120)
        _search(qtbot, m)
        assert m.rowCount() == 120 and m.capped
    finally:
        runner.shutdown()


def test_search_filters_and_sort(qtbot, seeded, db):
    window = make_window(qtbot, seeded, "kerani")
    window.show_page("participants")
    page = window.pages["participants"]
    qtbot.waitUntil(lambda: page.model.complete and page.model.rowCount() == 250, timeout=WAIT)
    first = page.model.row_at(0)
    assert "********" in page.model.data(page.model.index(0, 2))  # a clerk sees masked NIKs
    assert "NIK disamarkan" in page.info.text()

    qtbot.keyClicks(page.search_box, first.nik[:12])
    qtbot.waitUntil(lambda: page.model.complete and page.model.rowCount() >= 1, timeout=WAIT)
    assert first.id in [page.model.id_at(r) for r in range(page.model.rowCount())]

    page.search_box.clear()
    word = first.full_name.split()[0]
    qtbot.keyClicks(page.search_box, word.lower())
    expected = participants.count(db, SearchQuery(word, limit=None))
    qtbot.waitUntil(lambda: page.model.complete and page.model.rowCount() == expected, timeout=WAIT)

    page.sort.setCurrentIndex(page.sort.findData("name"))
    qtbot.waitUntil(lambda: page.model.complete and page.model.row_at(0) is not None, timeout=WAIT)
    names = [participants.rows_for_ids(db, [page.model.id_at(r)])[0].full_name for r in range(page.model.rowCount())]
    assert names == sorted(names)

    page.clear_filters()
    page.search_box.clear()
    page.village.set_village(first.village_code, first.village_name)
    expected = participants.count(db, SearchQuery(village_code=first.village_code, limit=None))
    qtbot.waitUntil(lambda: page.model.complete and page.model.rowCount() == expected, timeout=WAIT)
    page.state.setCurrentIndex(page.state.findData("accepted"))
    qtbot.waitUntil(lambda: page.model.complete and page.model.rowCount() == 0, timeout=WAIT)
    assert page.info.text().startswith("Tidak ada peserta")
    page.clear_filters()
    page.date_from.setDate(page.date_from.date().currentDate().addDays(1))
    qtbot.waitUntil(lambda: page.model.complete and page.model.rowCount() == 0, timeout=WAIT)
    window.close()


def test_edit_from_the_list_bumps_the_revision(qtbot, officer, data_dir, db):
    stored = enrolment.enrol(officer, make(nik=nik_for(dt.date(1990, 7, 12), "L", 77), full_name="Joko Saputra"))
    window = make_window(qtbot, data_dir)
    window.show_page("participants")
    page = window.pages["participants"]
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.model.row_at(0) is not None, timeout=WAIT)
    table = page.table
    rect = table.visualRect(page.model.index(0, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    enrol = window.pages["enrol"]
    qtbot.waitUntil(lambda: enrol.editing is not None and window.current_page() == "enrol", timeout=WAIT)
    name = enrol.form.inputs["full_name"]
    assert name.text() == "Joko Saputra" and "revisi 1" in enrol.banner_text.text()
    name.setFocus()
    name.selectAll()
    qtbot.keyClicks(name, "Joko Saputro")
    ctrl_s(qtbot)
    qtbot.waitUntil(lambda: enrol.status.text().startswith("✓ Perubahan tersimpan"), timeout=WAIT)
    after = participants.by_uuid(db, stored.uuid)
    assert (after.revision, after.sync_state, after.data.full_name) == (2, "pending", "Joko Saputro")
    assert participants.count(db, SearchQuery()) == 1
    assert enrol.editing is None  # back to a new enrolment
    window.show_page("participants")
    qtbot.waitUntil(lambda: page.model.row_at(0) is not None and page.model.row_at(0).full_name == "Joko Saputro")
    window.close()
