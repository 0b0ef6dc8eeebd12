"""A save on a full disk: SQLite really reports "database or disk is full" (``PRAGMA max_page_count`` on every
connection of the store), the officer reads what to do, and every typed value stays in the form."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import event

from fieldapp.services import enrolment, integrity
from fieldapp.ui.errors import error_text
from tests.factories import enrolment as make
from tests.ui.conftest import WAIT, ctrl_s
from tests.ui.test_enrolment import fill


def fill_the_disk(qtbot, window) -> None:
    """Cap the store at the pages it has now, then enrol until SQLite says the disk is full."""
    ws = window.ctx.ws
    engine = ws.store.engine
    with engine.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar())

    def cap(dbapi_conn, _record) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 1}")

    event.listen(engine, "connect", cap)
    engine.dispose()  # every connection from now on, the UI's database thread's included, is capped
    for serial in range(100, 400):
        try:
            enrolment.enrol(ws, make(serial=serial))
        except Exception as exc:  # the engine's "disk_full" error, or SQLite's own if untranslated
            assert integrity.is_disk_full(exc), exc
            return
    raise AssertionError("the capped store never filled up")


def test_a_save_on_a_full_disk_says_so_and_keeps_every_typed_value(qtbot, open_visit, window):
    window.show_page("enrol")
    page = window.pages["enrol"]
    fill_the_disk(qtbot, window)
    form = page.form
    person = make(serial=42, full_name="Siti Rahmawati Nurhaliza Kartikasari", street="Kp. Pulo Gebang Blok C 12")
    fill(qtbot, form, person)
    qtbot.wait(300)  # the live checks settle
    before = {k: v for k, v in form.snapshot().items() if k != "touched"}  # every input's value
    form.inputs["full_name"].setFocus()
    ctrl_s(qtbot)
    qtbot.waitUntil(lambda: page.status.kind == "error", timeout=WAIT)

    text = page.status.text()
    assert "penuh" in text and "BELUM tersimpan" in text and "Isian di formulir tetap ada" in text
    assert {k: v for k, v in form.snapshot().items() if k != "touched"} == before  # every value, as it was
    assert form.inputs["full_name"].text() == person.full_name
    assert form.isEnabled() and page.save_button.isEnabled()
    boxes = [b for b in window.findChildren(QMessageBox, "error_message") if b.isVisible()]
    assert boxes and "penuh" in boxes[0].text()
    assert page.last_saved is None



def test_sqlites_own_full_disk_error_is_recognised_too(tmp_path):
    """Should the engine not translate it, the UI still knows SQLite's raw error (and the damage markers do not
    mistake it for a damaged store)."""
    conn = sqlite3.connect(tmp_path / "tiny.sqlite")
    conn.execute("CREATE TABLE t (x BLOB)")
    conn.execute("PRAGMA max_page_count = 3")
    with pytest.raises(sqlite3.OperationalError) as raised:
        conn.execute("INSERT INTO t VALUES (zeroblob(100000))")
    conn.close()
    assert integrity.is_disk_full(raised.value) and not integrity.is_damage(raised.value)
    assert "penuh" in error_text(raised.value) and "BELUM tersimpan" in error_text(raised.value)
