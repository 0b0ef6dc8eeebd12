"""The Sinkronisasi page against the real server on 127.0.0.1 (uvicorn in a thread, SQLite file) and a real
laptop store: the password dialog filled like a person would, results read from the page, then the database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select, text

from fieldapp.db import models as m
from fieldapp.server import cli as server_cli
from fieldapp.server.app import create_app
from fieldapp.server.db import make_engine
from fieldapp.server.settings import Settings
from fieldapp.services import enrolment, sync, transfer
from fieldapp.sync.client import SyncClient, make_batch
from fieldapp.sync.transfer import read_receipt_file
from fieldapp.ui.context import Bus, Context
from fieldapp.ui.pages.enrolment import EnrolmentPage
from fieldapp.ui.pages.sync import SyncPage
from fieldapp.ui.tasks import TaskRunner
from tests.conftest import PASSWORD, open_as
from tests.factories import enrol_people
from tests.integration.conftest import RunningServer, ThreadedServer, free_port, make_record
from tests.ui.conftest import WAIT

OFFLINE_WAIT = 60_000  # the client retries a refused connection for about 15 s before it says "offline"


@pytest.fixture
def server(tmp_path):
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'server.sqlite3'}")
    engine = make_engine(settings.db_url)
    port = free_port()
    threaded = ThreadedServer(create_app(settings, engine=engine), port)
    threaded.start()
    running = RunningServer(f"http://127.0.0.1:{port}", port, settings, engine)
    running.add_user("petugas", "officer", PASSWORD)  # the laptop account's name and password, by convention
    running.thread = threaded
    yield running
    if threaded.thread.is_alive():
        threaded.stop()
    engine.dispose()


@pytest.fixture
def ctx(data_dir):
    context = Context(open_as(data_dir, "petugas"), TaskRunner(), Bus())
    yield context
    context.runner.shutdown()
    context.ws.close()


@pytest.fixture
def page(qtbot, ctx):
    p = SyncPage(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    qtbot.waitUntil(lambda: p.overview is not None, timeout=WAIT)
    return p


def states(ws) -> dict[str, str]:
    with ws.store.sessions() as s:
        return dict(s.execute(select(m.Participant.full_name, m.Participant.sync_state)).all())


def sync_from_page(qtbot, page, url: str, password: str = PASSWORD) -> None:
    """Type the address, press "Sinkronkan sekarang", fill the password dialog and press its "Sinkronkan"."""
    page.url.clear()
    qtbot.keyClicks(page.url, url)
    qtbot.keyClick(page.url, Qt.Key.Key_Return)
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.password_dialog is not None and page.password_dialog.isVisible(), timeout=WAIT)
    dialog = page.password_dialog
    assert dialog.username.text() == "petugas"  # pre-filled with the laptop account
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_sync_sends_records_and_shows_the_receipt(qtbot, page, ctx, server):
    enrol_people(ctx.ws, 2)
    ctx.bus.participants_changed.emit()
    qtbot.waitUntil(lambda: "2 data menunggu dikirim" in page.status.text(), timeout=WAIT)
    sync_from_page(qtbot, page, server.url)
    qtbot.waitUntil(lambda: page.running, timeout=WAIT)
    qtbot.waitUntil(lambda: "Sinkronisasi selesai" in page.result_text.text(), timeout=WAIT * 3)
    shown = page.result_text.text()
    assert "2 data dalam 1 kiriman — 2 diterima" in shown
    assert "Tanda terima kiriman" in shown and "Nomor KPJ baru dari BPJS: 0" in shown
    assert "Jam laptop dibanding server:" in shown and "⚠" not in shown  # same clock: no warning
    assert set(states(ctx.ws).values()) == {"accepted"}
    assert ctx.ws.setting("server_url") == server.url  # typed on this page, kept as the setting
    assert not page.progress.isVisible() and page.sync_button.isEnabled()
    qtbot.waitUntil(lambda: page.log.batches.rowCount() == 1, timeout=WAIT)
    assert page.log.batches.item(0, 4).text() == "ada tanda terima"
    assert page.log.batches.item(0, 5).text() == "2 diterima"
    page.log.batches.selectRow(0)  # drill down: each record's result
    qtbot.waitUntil(lambda: page.log.results.rowCount() == 2, timeout=WAIT)
    assert {page.log.results.item(r, 3).text() for r in range(2)} == {"diterima"}
    assert "0 data menunggu dikirim" in page.status.text()
    assert page.attention.table.rowCount() == 0 and page.attention.detail.text().startswith("Tidak ada data")


def test_offline_keeps_records_pending_and_says_so_calmly(qtbot, page, ctx, server):
    server.thread.stop()  # the hotspot is gone
    enrol_people(ctx.ws, 2)
    sync_from_page(qtbot, page, server.url)
    qtbot.waitUntil(lambda: page.running and page.cancel_button.isVisible(), timeout=WAIT)
    assert not page.sync_button.isEnabled()
    qtbot.waitUntil(lambda: not page.running, timeout=OFFLINE_WAIT)
    shown = page.result_text.text()
    assert shown.startswith("Server tidak dapat dihubungi.") and "data tetap aman di laptop" in shown
    assert "2 data menunggu dikirim" in shown
    assert page.result.property("role") == "banner-warning"
    assert set(states(ctx.ws).values()) == {"pending"}
    assert page.sync_button.isEnabled() and not page.cancel_button.isVisible()


def test_wrong_password_is_a_message_in_the_page(qtbot, page, ctx, server):
    enrol_people(ctx.ws, 1)
    sync_from_page(qtbot, page, server.url, password="salah-sandi")
    qtbot.waitUntil(lambda: not page.running and page.result.isVisible(), timeout=WAIT * 3)
    assert "1 data menunggu dikirim" in page.result_text.text()
    assert set(states(ctx.ws).values()) == {"pending"}


def test_bad_address_is_refused_before_asking_the_password(qtbot, page):
    page.url.setText("http://server.contoh.id")
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    assert page.password_dialog is None and "https://" in page.result_text.text()


def test_duplicate_and_rejected_records_need_attention(qtbot, page, ctx, server):
    mine = enrol_people(ctx.ws, 3)
    # The same NIK was enrolled from another laptop first: the server already holds it.
    server.add_user("lain", "officer", PASSWORD)
    with SyncClient(server.url) as other:
        other.login("lain", PASSWORD, "laptop-lain")
        other.post_batch(make_batch([make_record(nik=mine[1].data.nik)], "laptop-lain"))
    with ctx.ws.store.engine.begin() as conn:  # a record damaged on the laptop: the server refuses it
        conn.execute(text("UPDATE participants SET rt = 'abc' WHERE id = :id"), {"id": mine[2].id})
    sync_from_page(qtbot, page, server.url)
    qtbot.waitUntil(lambda: "Sinkronisasi selesai" in page.result_text.text(), timeout=WAIT * 3)
    assert "3 data dalam 1 kiriman — 1 diterima, 1 duplikat, 1 ditolak" in page.result_text.text()
    assert "2 data perlu perhatian" in page.result_text.text()
    assert page.result.property("role") == "banner-warning"
    assert states(ctx.ws) == {"Warga Uji A": "accepted", "Warga Uji B": "duplicate_person", "Warga Uji C": "rejected"}
    table = page.attention.table
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=WAIT)
    assert page.tabs.currentWidget() is page.attention and page.tabs.tabText(0) == "Perlu perhatian (2)"
    rows = {table.item(r, 1).text(): (table.item(r, 4).text(), table.item(r, 5).text()) for r in range(2)}
    assert rows["Warga Uji B"] == ("duplikat", "NIK ini sudah terdaftar aktif pada data lain.")
    assert rows["Warga Uji C"][0] == "ditolak" and rows["Warga Uji C"][1].startswith("RT: ")  # the field in words
    row_c = next(r for r in range(2) if table.item(r, 1).text() == "Warga Uji C")
    table.selectRow(row_c)
    assert "Perbaiki isian yang disebut" in page.attention.detail.text()
    form_page = EnrolmentPage(ctx)  # the enrolment form listens on the same bus, as in the main window
    qtbot.addWidget(form_page)
    with qtbot.waitSignal(ctx.bus.edit_participant, timeout=WAIT) as opened:
        qtbot.mouseClick(page.attention.fix_button, Qt.MouseButton.LeftButton)
    assert opened.args == [mine[2].id]
    qtbot.waitUntil(lambda: form_page.editing is not None, timeout=WAIT)
    assert form_page.editing.id == mine[2].id and form_page.form.inputs["rt"].text() == "abc"
    form_page.form.inputs["rt"].setText("3")  # the officer corrects the RT and saves: pending again
    qtbot.waitUntil(lambda: form_page.save_button.isEnabled(), timeout=WAIT)
    form_page.save()
    qtbot.waitUntil(lambda: states(ctx.ws)["Warga Uji C"] == "pending", timeout=WAIT)
    qtbot.waitUntil(lambda: table.rowCount() == 1 and "1 data menunggu dikirim" in page.status.text(), timeout=WAIT)
    assert table.item(0, 1).text() == "Warga Uji B"


def test_conflict_shows_both_versions_and_keep_mine_settles_it(qtbot, page, ctx, server):
    mine = enrol_people(ctx.ws, 1)[0]
    sync.sync_now(ctx.ws, server.url, "petugas", PASSWORD)
    edited = enrolment.edit(ctx.ws, mine.id, enrolment.draft_from(mine, street="Jl. Dua"), expected_revision=1)
    sync.sync_now(ctx.ws, server.url, "petugas", PASSWORD)  # the server now holds revision 2
    with ctx.ws.store.engine.begin() as conn:  # this laptop restored from a backup taken before both syncs
        conn.execute(text("UPDATE participants SET revision=1, synced_revision=0, sync_state='accepted'"))
    enrolment.edit(ctx.ws, mine.id, enrolment.draft_from(edited, street="Jl. Tiga"), expected_revision=1)
    sync_from_page(qtbot, page, server.url)
    qtbot.waitUntil(lambda: page.attention.table.rowCount() == 1, timeout=WAIT * 3)
    assert page.attention.table.item(0, 4).text() == "konflik"
    qtbot.waitUntil(lambda: page.attention.keep_mine.isVisible(), timeout=WAIT)
    detail = page.attention.detail.text()
    assert "Di laptop: revisi 2" in detail and "revisi yang lebih baru" in detail
    assert "Jl. Tiga ↔ Jl. Dua" in detail  # this laptop's street beside the server's
    qtbot.mouseClick(page.attention.keep_mine, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.attention.table.rowCount() == 0, timeout=WAIT * 3)
    assert states(ctx.ws)[mine.data.full_name] == "pending"
    assert sync.sync_now(ctx.ws, server.url, "petugas", PASSWORD).counts == {"updated": 1}


def test_offline_transfer_export_and_receipt_import(qtbot, page, ctx, server, tmp_path):
    sync.sync_now(ctx.ws, server.url, "petugas", PASSWORD)  # once online: the account's transfer key is kept
    enrol_people(ctx.ws, 2)
    page.transfer.export_to(tmp_path / "kiriman.json")
    qtbot.waitUntil(lambda: "berkas kiriman ditulis" in page.result_text.text(), timeout=WAIT)
    assert (tmp_path / "kiriman.json").exists() and set(states(ctx.ws).values()) == {"sent"}
    receipt = tmp_path / "tanda-terima.json"
    db = server.settings.db_url
    argv = ["import-batch", str(tmp_path / "kiriman.json"), "--receipt-out", str(receipt), "--db", db]
    assert server_cli.main(argv) == 0
    page.transfer.import_files([receipt, tmp_path / "kiriman.json"])  # the second is not a receipt: named, not fatal
    qtbot.waitUntil(lambda: "tanda-terima.json" in page.result_text.text(), timeout=WAIT)
    lines = page.result_text.text().splitlines()
    assert lines[0] == "✓ tanda-terima.json: 2 diterima" and lines[1].startswith("✗ kiriman.json: ")
    assert set(states(ctx.ws).values()) == {"accepted"}
    assert read_receipt_file(receipt, transfer.transfer_key(ctx.ws))["counts"]["accepted"] == 2
    with ctx.ws.store.sessions() as s:
        assert s.scalar(select(m.SyncBatch.server)) == "file:kiriman.json"
    qtbot.waitUntil(lambda: page.log.batches.rowCount() == 1, timeout=WAIT)
    assert page.log.batches.item(0, 1).text() == "Berkas kiriman.json"


def test_auto_sync_asks_the_password_once_then_syncs_when_the_server_answers(qtbot, page, ctx, server):
    enrol_people(ctx.ws, 1)
    page.url.setText(server.url)
    page.auto.setChecked(True)  # asks the password at once and syncs
    qtbot.waitUntil(lambda: page.password_dialog is not None and page.password_dialog.isVisible(), timeout=WAIT)
    qtbot.keyClicks(page.password_dialog.password, PASSWORD)
    page.password_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "Sinkronisasi selesai" in page.result_text.text(), timeout=WAIT * 3)
    assert page.login == ("petugas", PASSWORD) and page.timer.isActive()
    assert page.auto_note.text() == "Server diperiksa tiap 3 menit."
    enrol_people(ctx.ws, 1, start=5)  # enrolled later in the evening
    page.auto_tick()
    qtbot.waitUntil(lambda: set(states(ctx.ws).values()) == {"accepted"} and not page.running, timeout=WAIT * 3)
    assert page.auto_note.text().endswith("server terjangkau.")
    qtbot.waitUntil(lambda: page.log.batches.rowCount() == 2, timeout=WAIT)
    server.thread.stop()  # the hotspot drops
    enrol_people(ctx.ws, 1, start=9)
    page.auto_tick()
    qtbot.waitUntil(lambda: "tidak terjangkau" in page.auto_note.text(), timeout=WAIT * 2)
    assert not page.running and "Warga Uji I" in {n for n, s in states(ctx.ws).items() if s == "pending"}
    page.auto.setChecked(False)
    assert page.login is None and not page.timer.isActive() and page.auto_note.text() == ""
