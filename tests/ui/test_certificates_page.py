"""The Sertifikat page on a real store: choose a village by typing, see the list and a preview, save a PDF, reprint
with a reason, print through a real QPrinter (to a PDF file), cancel, and the page-image backends."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QPushButton

from fieldapp.services import certificate_checks as checking
from fieldapp.services import certificates as cert
from fieldapp.services import enrolment
from fieldapp.ui import pdf_pages
from fieldapp.ui.context import Bus, Context
from fieldapp.ui.pages import certificates as page_module
from fieldapp.ui.pages.certificates import CertificatesPage
from fieldapp.ui.tasks import TaskRunner
from tests.conftest import open_as
from tests.factories import enrolment as make
from tests.factories import nik_for, open_visit
from tests.ui.conftest import WAIT
from tests.unit.test_certificate_service import issues_of

VILLAGE = "3216062002"  # Lambangsari
NAMES = ["Wulan Sari", "Ahmad Fauzi", "Citra Kirana", "Bambang Pamungkas", "Rina Marlina"]
SORTED = sorted(NAMES)


@pytest.fixture
def enrolled(data_dir):
    ws = open_as(data_dir, "petugas")
    try:
        visit = open_visit(ws, village_code=VILLAGE)
        ids = []
        for n, name in enumerate(NAMES, start=1):
            birth = dt.date(1970 + n, n, n + 5)
            p = enrolment.enrol(
                ws, make(full_name=name, birth_date=birth, nik=nik_for(birth, "L", n)), visit_id=visit.id
            )
            ids.append(p.id)
    finally:
        ws.close()
    return ids


@pytest.fixture
def page(qtbot, data_dir, enrolled):
    ws = open_as(data_dir, "kerani")
    runner = TaskRunner()
    errors = []
    runner.on_error = errors.append
    widget = CertificatesPage(Context(ws, runner, Bus()))
    widget.errors = errors
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    runner.shutdown()
    ws.close()


@pytest.fixture
def db(data_dir):
    ws = open_as(data_dir, "sup")
    yield ws
    ws.close()


def _choose_village(qtbot, page) -> None:
    page.village.setFocus()
    qtbot.keyClicks(page.village, "Lambangsari")
    qtbot.waitUntil(lambda: bool(page.village._hits), timeout=WAIT)
    qtbot.keyClick(page.village, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.village.code == VILLAGE, timeout=WAIT)
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=WAIT)


def _names(page) -> list[str]:
    return [page.model.data(page.model.index(r, 0)) for r in range(page.model.rowCount())]


def _pdf_texts(path: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(path.read_bytes())).pages]


def _save(qtbot, page, monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), "PDF (*.pdf)"))
    page.result.clear()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)


def test_typing_a_village_lists_people_and_shows_a_preview(qtbot, page, db):
    assert not page.save_button.isEnabled() and "Pilih desa" in page.info.text()
    _choose_village(qtbot, page)
    assert _names(page) == SORTED
    assert "********" in page.model.data(page.model.index(0, 1))  # masked NIK
    assert page.model.data(page.model.index(0, 3)) == "Sementara" and page.model.data(page.model.index(0, 4)) == "–"
    assert "5 peserta · 0 final (KPJ terbit) · 5 sementara" in page.info.text()
    qtbot.waitUntil(lambda: len(page.preview.images) == 4, timeout=WAIT)
    assert "Pratinjau: 4 dari 5 halaman" in page.preview.title.text()
    image = page.preview.images[0]
    assert image.width() > image.height() > 500  # A4 landscape at preview resolution
    labels = [page.preview.pages.itemAt(n).widget() for n in range(4)]
    assert all(not label.pixmap().isNull() for label in labels)
    assert page.save_button.isEnabled() and page.print_button.isEnabled()
    assert issues_of(db) == []  # a preview records nothing

    page.table.selectRow(2)  # one person's paper
    qtbot.waitUntil(lambda: "Pratinjau: 1 dari 5" in page.preview.title.text(), timeout=WAIT)
    page.findChild(type(page.kinds.buttons()[1]), "kind_card").click()
    qtbot.waitUntil(lambda: "1 dari 1 halaman" in page.preview.title.text(), timeout=WAIT)
    assert page.preview.images[0].height() > page.preview.images[0].width()  # a sheet of cards: portrait
    assert page.errors == []


def test_save_pdf_writes_the_file_records_the_issue_and_updates_counts(qtbot, page, db, tmp_path, monkeypatch):
    _choose_village(qtbot, page)
    out = tmp_path / "sertifikat.pdf"
    _save(qtbot, page, monkeypatch, out)
    qtbot.waitUntil(lambda: "tersimpan" in page.result.text(), timeout=WAIT)
    texts = _pdf_texts(out)
    assert len(texts) == 5
    assert [next(n for n in NAMES if n in t) for t in texts] == SORTED
    assert not list(tmp_path.glob(".*.part"))
    issues = issues_of(db)
    assert len(issues) == 5 and {i.kind for i in issues} == {"certificate"}
    assert all(i.serial in t for i, t in zip(issues, texts, strict=True))
    qtbot.waitUntil(
        lambda: page.model.rowCount() == 5 and page.model.data(page.model.index(0, 4)) == "1×", timeout=WAIT
    )
    assert "sudah pernah dicetak" in page.reason_message.text()
    checks = checking.verify_pdf(out.read_bytes(), cert.public_keys(db))
    assert len(checks) == 5 and all(c.result.valid and c.on_page for c in checks)


def test_a_reprint_asks_for_the_reason_at_the_field(qtbot, page, db, tmp_path, monkeypatch):
    _choose_village(qtbot, page)
    _save(qtbot, page, monkeypatch, tmp_path / "a.pdf")
    qtbot.waitUntil(lambda: "tersimpan" in page.result.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: page.model.data(page.model.index(0, 4)) == "1×", timeout=WAIT)
    _save(qtbot, page, monkeypatch, tmp_path / "b.pdf")
    qtbot.waitUntil(lambda: page.reason_message.kind == "error", timeout=WAIT)
    assert "Cetak ulang perlu alasan" in page.reason_message.text() and page.focusWidget() is page.reason
    assert not (tmp_path / "b.pdf").exists() and len(issues_of(db)) == 5 and page.errors == []
    qtbot.keyClicks(page.reason, "Kertas rusak kena hujan")
    _save(qtbot, page, monkeypatch, tmp_path / "b.pdf")
    qtbot.waitUntil(lambda: "tersimpan" in page.result.text(), timeout=WAIT)
    assert all("CETAK ULANG" in t and "Kertas rusak kena hujan" in t for t in _pdf_texts(tmp_path / "b.pdf"))
    assert [i.reprint_reason for i in issues_of(db)[5:]] == ["Kertas rusak kena hujan"] * 5


def test_print_goes_to_a_real_printer_a4_landscape(qtbot, page, db, tmp_path):
    _choose_village(qtbot, page)
    out = tmp_path / "printed.pdf"
    printer = pdf_pages.a4_printer(True, "uji")
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setResolution(150)
    page.print_to(printer)
    qtbot.waitUntil(lambda: "dikirim ke printer" in page.result.text(), timeout=WAIT * 3)
    reader = PdfReader(out)
    assert len(reader.pages) == 5
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    assert abs(float(box.width) - 841.9) < 2  # A4 landscape, the page drawn at 1:1
    assert len(issues_of(db)) == 5 and page.errors == []


def test_cancel_records_nothing(qtbot, page, db, tmp_path, monkeypatch):
    _choose_village(qtbot, page)
    _save(qtbot, page, monkeypatch, tmp_path / "x.pdf")
    dialog = page.findChild(QProgressDialog, "certificate_progress")
    dialog.findChild(QPushButton).click()  # "Batal", before the event loop runs again: no page drawn yet
    qtbot.waitUntil(lambda: "dibatalkan" in page.result.text(), timeout=WAIT)
    assert issues_of(db) == [] and not (tmp_path / "x.pdf").exists() and page.errors == []
    assert page.save_button.isEnabled()


def test_show_participants_prints_the_list_selection(qtbot, page, enrolled):
    page.show_participants([enrolled[0], enrolled[3]])  # Wulan Sari, Bambang Pamungkas
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=WAIT)
    assert _names(page) == ["Bambang Pamungkas", "Wulan Sari"]
    assert page.mode.currentData() == "chosen" and "2 peserta dipilih" in page.chosen_label.text()
    qtbot.waitUntil(lambda: len(page.preview.images) == 2, timeout=WAIT)


def test_visit_and_everyone(qtbot, page):
    page.mode.setCurrentIndex(page.mode.findData("visit"))
    qtbot.waitUntil(lambda: page.visit.count() == 1 and page.model.rowCount() == 5, timeout=WAIT)
    page.mode.setCurrentIndex(page.mode.findData("all"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 5 and "5 peserta" in page.info.text(), timeout=WAIT)
    page.mode.setCurrentIndex(page.mode.findData("search"))
    qtbot.keyClicks(page.search_box, "rina")
    qtbot.waitUntil(lambda: _names(page) == ["Rina Marlina"], timeout=WAIT)


def test_without_a_page_renderer_the_preview_says_so(qtbot, page, monkeypatch):
    monkeypatch.setattr(page_module, "rasterizer", lambda: None)
    _choose_village(qtbot, page)
    qtbot.waitUntil(lambda: "Pratinjau tidak tersedia" in page.preview.title.text(), timeout=WAIT)
    assert page.preview.images == [] and page.save_button.isEnabled()


@pytest.mark.parametrize("backend", ["pdfium", "pdftoppm"])
def test_page_images_from_each_backend(backend, db, enrolled, monkeypatch):
    if backend == "pdfium":
        pytest.importorskip("pypdfium2")
    elif shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed")
    monkeypatch.setattr(pdf_pages, "rasterizer", lambda: backend)
    pdf = cert.draft(db, cert.Selection(village_code=VILLAGE), "certificate", limit=3)
    images = list(pdf_pages.page_images(pdf, 3, 72))
    assert [(i.width(), i.height()) for i in images] == [(842, 595)] * 3 or all(
        abs(i.width() - 842) <= 1 and abs(i.height() - 595) <= 1 for i in images
    )
    assert images[0].pixelColor(5, 5).name() == "#ffffff"  # paper white outside the frame


def test_without_a_page_renderer_print_opens_the_pdf_in_the_system_viewer(qtbot, page, db, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(page_module, "rasterizer", lambda: None)
    monkeypatch.setattr(page_module.tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.setattr(page_module.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    _choose_village(qtbot, page)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT)
    (path,) = opened
    assert Path(path).parent == tmp_path and len(_pdf_texts(Path(path))) == 5
    assert len(issues_of(db)) == 5 and page.errors == []
