"""The Laporan page and the import wizard on a real store, with the real task runner (pytest-qt, offscreen).

The sync log is GENERATED (``bench.bench_reports.synthetic_sync_log``) over seeded demo participants.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QLabel, QWizard
from sqlalchemy import func, select

from bench.bench_reports import synthetic_sync_log
from fieldapp.db import models as m
from fieldapp.services import reports_data, seed
from fieldapp.ui.context import Bus, Context
from fieldapp.ui.import_wizard import ImportWizard
from fieldapp.ui.pages.reports import ReportsPage
from fieldapp.ui.tasks import TaskRunner
from tests.conftest import open_as
from tests.factories import nik_for
from tests.ui.conftest import WAIT
from tests.unit.test_exports import unsealed


def make_ctx(data_dir, username: str) -> Context:
    return Context(open_as(data_dir, username), TaskRunner(), Bus())


@pytest.fixture
def sup_ctx(data_dir):
    ws = open_as(data_dir, "sup")
    for rows in seed.demo_rows(ws.store, 300):
        seed.bulk_insert(ws.store, rows)
    synthetic_sync_log(ws.store, 250, batch_size=50, failed=1)
    ws.close()
    ctx = make_ctx(data_dir, "sup")
    yield ctx
    ctx.runner.shutdown()
    ctx.ws.close()


@pytest.fixture
def page(qtbot, sup_ctx):
    p = ReportsPage(sup_ctx)
    qtbot.addWidget(p)
    p.resize(1366, 768)
    p.show()
    qtbot.waitUntil(lambda: p.overview is not None, timeout=WAIT)
    return p


def test_page_shows_the_store_counts(page, sup_ctx):
    with sup_ctx.ws.store.sessions() as s:
        batches = s.scalar(select(func.count()).select_from(m.SyncBatch))
        accepted = s.scalar(select(func.count()).where(m.Participant.sync_state == "accepted"))
        villages = s.scalar(select(func.count(func.distinct(m.Participant.village_code))))
    assert page.batches.rowCount() == batches == 6
    assert page.villages.rowCount() == villages
    assert f"<b>{accepted}</b> diterima server" in page.coverage_summary.text()
    assert "<b>300</b> terdaftar" in page.coverage_summary.text()
    assert page.health.rowCount() == 1 and page.health.item(0, 2).text() == "50"  # 50 never sent
    assert page.officers.item(0, 0).text().endswith("(petugas)")


def test_filter_changes_the_tables(qtbot, page, sup_ctx):
    with sup_ctx.ws.store.sessions() as s:
        rejected = s.scalar(select(func.count()).where(m.Participant.sync_state == "rejected"))
        with_rejections = s.scalar(select(func.count(func.distinct(m.SyncResult.batch_id)))
                                   .where(m.SyncResult.status == "rejected"))
    page.status.setCurrentIndex(page.status.findData("failed"))
    qtbot.waitUntil(lambda: page.batches.rowCount() == 1, timeout=WAIT)
    assert page.batches.item(0, 5).text() == "Gagal kirim"
    page.status.setCurrentIndex(page.status.findData("rejected"))
    qtbot.waitUntil(lambda: page.overview.coverage.enrolled == rejected, timeout=WAIT)
    assert page.batches.rowCount() == with_rejections > 0
    page.clear_filters()
    qtbot.waitUntil(lambda: page.batches.rowCount() == 6 and page.overview.coverage.enrolled == 300, timeout=WAIT)
    page.date_from.setDate(QDate(2099, 1, 1))
    qtbot.waitUntil(lambda: page.batches.rowCount() == 0 and page.villages.rowCount() == 0, timeout=WAIT)


def test_drill_into_a_batch(qtbot, page):
    page.batches.selectRow(page.batches.rowCount() - 1)  # the oldest: 50 results
    qtbot.waitUntil(lambda: page.results.rowCount() == 50, timeout=WAIT)
    nik = page.results.item(0, 2).text()
    assert "********" in nik and len(nik) == 16


def test_export_from_the_page(qtbot, page, tmp_path):
    page.kind.setCurrentIndex(page.kind.findData("participants"))
    page.format.setCurrentIndex(page.format.findData("csv"))
    page.export_to(tmp_path / "peserta.csv")
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=WAIT)
    with open(tmp_path / "peserta.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 300 and all("********" in r["NIK"] for r in rows)
    assert "300 baris" in page.info.text()


def test_full_niks_are_exported_only_as_a_locked_xlsx(qtbot, page, tmp_path):
    page.kind.setCurrentIndex(page.kind.findData("participants"))
    page.format.setCurrentIndex(page.format.findData("csv"))
    assert page.file_password.isHidden()
    page.unmasked.setChecked(True)  # a supervisor may see full NIKs
    assert page.format.currentData() == "xlsx" and not page.format.isEnabled()
    assert not page.file_password.isHidden()
    page.export_to(tmp_path / "tanpa-sandi.xlsx")  # no file password: refused, nothing written
    qtbot.waitUntil(lambda: "kata sandi berkas" in page.info.text(), timeout=WAIT)
    assert not (tmp_path / "tanpa-sandi.xlsx").exists()
    qtbot.keyClicks(page.file_password, "kunci-berkas-123")
    page.export_to(tmp_path / "peserta.xlsx")
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=WAIT)
    sheet = unsealed(tmp_path / "peserta.xlsx", "kunci-berkas-123")["Peserta"]
    niks = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(niks) == 300 and all(len(n) == 16 and n.isdigit() for n in niks)
    page.unmasked.setChecked(False)
    assert page.format.isEnabled() and page.file_password.text() == "" and page.file_password.isHidden()


def test_device_warning_when_sync_is_overdue(qtbot, sup_ctx, page):
    # The generated log's last receipt is on 2026-11-01 (UTC); the warning setting is 72 hours.
    page._show(reports_data.overview(sup_ctx.ws, now=dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)))
    assert page.banner.isHidden() and page.health.item(0, 6).text() == "Baik"
    page._show(reports_data.overview(sup_ctx.ws, now=dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc)))
    assert not page.banner.isHidden()
    assert f"lebih dari 72 jam: {sup_ctx.ws.device.name}." in page.banner_text.text()
    assert page.health.item(0, 6).text() == "Belum sinkron > 72 jam"


@pytest.mark.parametrize(("user", "can_import"), [("petugas", True), ("kerani", False)])
def test_other_roles_see_an_explanation(qtbot, data_dir, user, can_import):
    ctx = make_ctx(data_dir, user)
    try:
        p = ReportsPage(ctx)
        qtbot.addWidget(p)
        p.show()
        assert "untuk supervisor" in p.findChild(QLabel, "reports_explanation").text()
        assert p.import_button.isVisibleTo(p) is can_import
    finally:
        ctx.runner.shutdown()
        ctx.ws.close()


def list_file(path) -> None:
    people = [(nik_for(dt.date(1980, 1, 1) + dt.timedelta(days=i * 37), "L", i + 1), f"Warga Uji {chr(65 + i)}")
              for i in range(5)]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["No", "NIK", "Nama Lengkap", "Tmp Lahir", "Tgl Lahir", "Alamat", "RT", "RW", "Kerja", "Desa"])
        for i, (nik, name) in enumerate(people):
            born = dt.date(1980, 1, 1) + dt.timedelta(days=i * 37)
            w.writerow([i + 1, nik, name, "Bekasi", f"{born:%d/%m/%Y}", "Kp. Uji", "1", "2", "Petani", "Lambangsari"])
        w.writerow([6, "3.21606E+15", "Rusak Angka", "Bekasi", "01/01/1980", "Kp. Uji", "1", "2", "Petani",
                    "Lambangsari"])


def test_wizard_map_preview_check_import(qtbot, data_dir, tmp_path):
    path = tmp_path / "daftar.csv"
    list_file(path)
    ctx = make_ctx(data_dir, "petugas")
    try:
        wizard = ImportWizard(ctx, path=path)
        qtbot.addWidget(wizard)
        wizard.show()
        wizard.file_page.village.set_village("3216062002", "Lambangsari, Tambun Selatan")
        assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
        wizard.next()
        mapping = wizard.mapping_page
        qtbot.waitUntil(lambda: mapping.loaded, timeout=WAIT)
        assert mapping.mapping() == (None, "nik", "full_name", "birth_place", "birth_date", "street", "rt", "rw",
                                     None, "village")  # "Kerja" is not a header the importer knows
        assert "6 baris data" in mapping.note.text() and mapping.table.item(8, 2).text().startswith("Petani")
        wizard.next()  # as guessed: every row lacks an occupation
        check = wizard.check_page
        qtbot.waitUntil(lambda: check.report is not None, timeout=WAIT)
        assert check.report.imported == 0 and check.report.rejected == 6
        wizard.back()
        mapping.combos[8].setCurrentIndex(mapping.combos[8].findData("occupation"))  # the user says what it is
        wizard.next()
        qtbot.waitUntil(lambda: check.report is not None, timeout=WAIT)
        assert (check.report.imported, check.report.rejected) == (5, 1)
        assert "5 siap diimpor" in check.summary.text()
        assert check.table.item(0, 0).text() == "7" and "angka" in check.table.item(0, 3).text()
        assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()  # consent not confirmed yet
        check.consent.setChecked(True)
        assert wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
        wizard.next()
        qtbot.waitUntil(lambda: wizard.result_page.done, timeout=WAIT)
        assert "5 peserta diimpor" in wizard.result_page.result.text()
        with ctx.ws.store.sessions() as s:
            methods = set(s.scalars(select(m.Participant.consent_method)))
            assert s.scalar(select(func.count()).select_from(m.Participant)) == 5 and methods == {"daftar_kolektif"}
    finally:
        ctx.runner.shutdown()
        ctx.ws.close()
