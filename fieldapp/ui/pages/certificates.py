"""Sertifikat: choose who (village, visit, name search, the participants list's choice, everyone), see who is
final or provisional and how often each was printed, preview the papers, then print or save the PDF.

The preview is a draft (serial "PRATINJAU", a QR that never verifies) and records nothing. Printing or saving
issues the papers: serials are reserved and the people read on the database thread, the PDF is drawn on a
worker thread (the store stays free meanwhile), then the issue log and the audit entry are written, and only
then the file appears or the pages go to the printer. Pages become images through :mod:`fieldapp.ui.pdf_pages`;
where that cannot work, the preview says so and "Cetak" opens the PDF in the system's viewer.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.services import certificates as cert
from fieldapp.services import visits
from fieldapp.services.certificates import CertificatePreviewRow, Selection
from fieldapp.ui.certificate_jobs import IssueJob, print_step, save_steps
from fieldapp.ui.certificates_model import COLUMN_SAMPLES, PrintRowsModel
from fieldapp.ui.context import Context
from fieldapp.ui.pdf_pages import PagesView, a4_printer, page_images, rasterizer
from fieldapp.ui.village import VillageEdit
from fieldapp.ui.widgets import FieldMessage, RefreshWhenShown, date_text, heading, label, mark, number, read_only_rows

MODES = (
    ("village", ("Desa", "Village")),
    ("visit", ("Kunjungan", "Visit")),
    ("search", ("Cari nama", "Name search")),
    ("chosen", ("Pilihan dari daftar Peserta", "Chosen in the Participants list")),
    ("all", ("Semua peserta", "Everyone")),
)
PREVIEW_PAGES = {"certificate": 4, "card": 10}  # papers drawn for the preview (cards: one sheet)
PREVIEW_DPI = 110


def _line_edit(name: str, accessible: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setPlaceholderText(placeholder)
    return edit


def _button(name: str, text: str, slot, role: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setProperty("role", role)
    button.clicked.connect(slot)
    return button


class CertificatesPage(RefreshWhenShown, QWidget):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.chosen_ids: tuple[int, ...] = ()
        self.dirty, self.busy = True, False
        self.last_output: Path | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 10)
        layout.setSpacing(8)
        layout.addWidget(heading(tr("Sertifikat & kartu peserta", "Certificates & participant cards")))
        layout.addLayout(self._choice_row())
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self._list_panel())
        self.preview = PagesView("certificate_preview")
        split.addWidget(self.preview)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([600, 420])  # the list, and a preview wide enough to check the layout
        layout.addWidget(split, 1)
        bottom = QHBoxLayout()
        self.result = label("", "ok", wrap=True)
        self.result.setObjectName("certificate_result")
        bottom.addWidget(self.result, 1)
        self.save_button = _button(
            "save_pdf", tr("Simpan PDF…  (Ctrl+Shift+S)", "Save PDF…  (Ctrl+Shift+S)"), self.choose_save_path
        )
        self.print_button = _button(
            "print_papers", tr("Cetak…  (Ctrl+P)", "Print…  (Ctrl+P)"), self.choose_printer, "primary"
        )
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.print_button)
        layout.addLayout(bottom)

        self._rows_timer = QTimer(self, singleShot=True, interval=200)
        self._rows_timer.timeout.connect(self.refresh)
        self._preview_timer = QTimer(self, singleShot=True, interval=150)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.village.chosen.connect(lambda _code: self.refresh())
        self.visit.currentIndexChanged.connect(lambda _i: self.refresh())
        self.search_box.textEdited.connect(lambda _t: self._rows_timer.start())
        self.kinds.buttonToggled.connect(lambda _b, on: on and self._kind_changed())
        self.reason.textEdited.connect(lambda _t: (self.reason_message.clear_message(), mark(self.reason, "")))
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._preview_timer.start())
        for keys, slot in (("Ctrl+P", self.choose_printer), ("Ctrl+Shift+S", self.choose_save_path)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        ctx.bus.participants_changed.connect(self._changed)
        self._show_rows([])

    def _choice_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(label(tr("Pilih menurut", "Choose by")))
        self.mode = QComboBox()
        self.mode.setObjectName("certificate_mode")
        self.mode.setAccessibleName(tr("Pilih peserta menurut", "Choose participants by"))
        for code, names in MODES:
            self.mode.addItem(tr(*names), code)
        row.addWidget(self.mode)
        self.village = VillageEdit(self.ctx, "certificate_village")
        self.visit = QComboBox()
        self.visit.setObjectName("certificate_visit")
        self.visit.setAccessibleName(tr("Kunjungan", "Visit"))
        self.search_box = _line_edit(
            "certificate_search",
            tr("Cari nama peserta", "Search participant names"),
            tr("ketik nama peserta…", "type a participant's name…"),
        )
        self.chosen_label = label("", "muted")
        everyone = label(tr("Semua peserta di laptop ini.", "Every participant on this laptop."), "muted")
        self.inputs = QStackedWidget()
        for widget in (self.village, self.visit, self.search_box, self.chosen_label, everyone):
            self.inputs.addWidget(widget)
        row.addWidget(self.inputs, 1)
        row.addSpacing(12)
        self.kinds = QButtonGroup(self)
        for code, text in (
            ("certificate", tr("Sertifikat (1 per halaman A4)", "Certificate (1 per A4 page)")),
            ("card", tr("Kartu peserta (10 per lembar A4)", "Participant card (10 per A4 sheet)")),
        ):
            button = QRadioButton(text)
            button.setObjectName(f"kind_{code}")
            button.setProperty("kind", code)
            button.setChecked(code == "certificate")
            self.kinds.addButton(button)
            row.addWidget(button)
        return row

    def _list_panel(self) -> QWidget:
        panel = QWidget()
        box = QVBoxLayout(panel)
        box.setContentsMargins(0, 0, 0, 0)
        self.model = PrintRowsModel(self)
        self.table = read_only_rows(QTableView(), "certificate_table")
        self.table.setAccessibleName(tr("Peserta yang akan dicetak", "Participants to print"))
        self.table.setModel(self.model)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        for column, sample in enumerate(COLUMN_SAMPLES):
            header.resizeSection(column, self.fontMetrics().horizontalAdvance(sample) + 20)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        box.addWidget(self.table, 1)
        self.info = label("", "muted", wrap=True)
        self.info.setObjectName("certificate_info")
        box.addWidget(self.info)
        row = QHBoxLayout()
        row.addWidget(label(tr("Alasan cetak ulang", "Reprint reason")))
        self.reason = _line_edit(
            "reprint_reason",
            tr("Alasan cetak ulang", "Reprint reason"),
            tr(
                "misalnya: kartu hilang, kertas rusak, data diperbaiki", "e.g. card lost, paper damaged, data corrected"
            ),
        )
        self.reason.setMaxLength(cert.MAX_REASON)
        row.addWidget(self.reason, 1)
        box.addLayout(row)
        self.reason_message = FieldMessage("reprint_reason", self)
        box.addWidget(self.reason_message)
        return panel

    # -- choosing -------------------------------------------------------------------------------------------
    def kind(self) -> str:
        checked = self.kinds.checkedButton()
        return checked.property("kind") if checked else "certificate"

    def selection(self) -> Selection | None:
        mode = self.mode.currentData()
        if mode == "village":
            return Selection(village_code=self.village.code) if self.village.code else None
        if mode == "visit":
            return Selection(visit_id=self.visit.currentData()) if self.visit.currentData() is not None else None
        if mode == "search":
            return Selection(text=self.search_box.text().strip()) if self.search_box.text().strip() else None
        if mode == "chosen":
            return Selection(participant_ids=self.chosen_ids) if self.chosen_ids else None
        return Selection(everyone=True)

    def show_participants(self, ids) -> None:
        """Print the participants chosen elsewhere (the participants list's selection)."""
        self.chosen_ids = tuple(ids)
        self.chosen_label.setText(
            tr(
                f"{number(len(self.chosen_ids))} peserta dipilih dari daftar Peserta.",
                f"{number(len(self.chosen_ids))} participants chosen in the Participants list.",
            )
        )
        self.mode.setCurrentIndex(self.mode.findData("chosen"))
        self.refresh()

    def _mode_changed(self, index: int) -> None:
        self.inputs.setCurrentIndex(index)
        if self.mode.currentData() == "visit" and self.visit.count() == 0:
            ws = self.ctx.ws
            self.ctx.runner.run_db(lambda: visits.list_visits(ws, limit=100), self._fill_visits, owner=self)
        self.refresh()

    def _fill_visits(self, rows) -> None:
        self.visit.blockSignals(True)
        self.visit.clear()
        for v in rows:
            self.visit.addItem(f"{date_text(v.visit_date)} · {v.village_name} · {v.officer}", v.id)
        self.visit.blockSignals(False)
        self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        visit = self.ctx.visit  # an officer with a visit open: start with its village
        if visit is not None and self.mode.currentData() == "village" and not self.village.code:
            self.village.set_village(visit.village_code, self.ctx.visit_path)
        elif self.dirty:
            self.refresh()

    def _kind_changed(self) -> None:
        self.model.set_rows(self.model.rows, self.kind())
        self._show_info()
        self.refresh_preview()

    def refresh(self) -> None:
        """Read who would be printed (on the database thread), then the preview."""
        self._rows_timer.stop()
        self.dirty = False
        selection = self.selection()
        if selection is None:
            self._show_rows([])
            return
        ws = self.ctx.ws
        self.info.setText(tr("Memuat…", "Loading…"))
        self.ctx.runner.run_db(
            lambda: cert.preview(ws, selection), self._show_rows, key=f"cert-rows-{id(self)}", owner=self
        )

    def _show_rows(self, rows: list[CertificatePreviewRow]) -> None:
        self.model.set_rows(rows, self.kind())
        self._show_info()
        self.refresh_preview()

    def _show_info(self) -> None:
        rows, kind = self.model.rows, self.kind()
        ready = bool(rows) and not self.busy
        self.save_button.setEnabled(ready)
        self.print_button.setEnabled(ready)
        self.reason.setEnabled(self.model.reprints() > 0 or bool(self.reason.text()))
        if not rows:
            self.info.setText(
                tr(
                    "Pilih desa, kunjungan atau peserta yang akan dicetak.",
                    "Choose a village, a visit or the participants to print.",
                )
                if self.selection() is None
                else tr("Tidak ada peserta.", "Nobody here.")
            )
            self.reason_message.clear_message()
            return
        finals = sum(1 for r in rows if r.final)
        again = self.model.reprints()
        text = tr(
            f"{number(len(rows))} peserta · {number(finals)} final (KPJ terbit) · "
            f"{number(len(rows) - finals)} sementara",
            f"{number(len(rows))} participants · {number(finals)} final (KPJ issued) · "
            f"{number(len(rows) - finals)} provisional",
        )
        self.info.setText(text)
        if again:
            what = tr(*cert.KIND_LABELS[kind])
            self.reason_message.show_message(
                "warning",
                tr(
                    f"{number(again)} peserta sudah pernah dicetak {what}nya (baris kuning): isi alasan cetak ulang.",
                    f"{number(again)} participants already had their {what} printed (yellow rows): give a reprint "
                    f"reason.",
                ),
            )
        else:
            self.reason_message.clear_message()

    # -- preview --------------------------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        """Draw a draft of the first papers (or of the row picked in the list) and show its pages."""
        self._preview_timer.stop()
        rows, kind = self.model.rows, self.kind()
        if not rows:
            self.preview.show_images([], tr("Pratinjau kertas muncul di sini.", "The papers' preview shows here."))
            return
        current = self.table.currentIndex().row()
        if 0 <= current < len(rows):
            selection, shown = Selection(participant_ids=(rows[current].participant_id,)), 1
        else:
            selection, shown = self.selection(), min(len(rows), PREVIEW_PAGES[kind])
        if selection is None:
            return
        pages = shown if kind == "certificate" else 1
        total = len(rows) if kind == "certificate" else -(-len(rows) // 10)
        ws, reason = self.ctx.ws, self.reason.text()
        title = tr(
            f"Pratinjau: {pages} dari {number(total)} halaman. Contoh, bukan dokumen sah.",
            f"Preview: {pages} of {number(total)} pages. A sample, not a valid document.",
        )
        self.preview.title.setText(tr("Menyiapkan pratinjau…", "Preparing the preview…"))
        if rasterizer() is None:
            self.preview.show_images(
                [],
                tr(
                    "Pratinjau tidak tersedia di komputer ini (pypdfium2 belum terpasang). "
                    "Simpan PDF lalu buka untuk melihatnya.",
                    "No preview on this computer (pypdfium2 is not installed). Save the PDF and "
                    "open it to see the papers.",
                ),
            )
            return
        key = f"cert-preview-{id(self)}"

        def draw() -> bytes:
            return cert.draft(ws, selection, kind, reason=reason or None, limit=shown)

        def show(pdf: bytes) -> None:
            self.ctx.runner.run_network(
                lambda: list(page_images(pdf, pages, PREVIEW_DPI)),
                lambda images: self.preview.show_images(images, title),
                self._preview_failed,
                key=key,
                owner=self,
            )

        self.ctx.runner.run_db(draw, show, self._preview_failed, key=key, owner=self)

    def _preview_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, (UserFacingError, OSError, subprocess.SubprocessError)):
            self.ctx.runner.on_error(exc)
        text = exc.text() if isinstance(exc, UserFacingError) else str(exc)
        self.preview.show_images([], tr(f"Pratinjau gagal: {text}", f"The preview failed: {text}"))

    # -- issuing: save or print -----------------------------------------------------------------------------
    def _default_name(self) -> str:
        stem = "sertifikat" if self.kind() == "certificate" else "kartu"
        place = {
            "village": self.village.text().split(",")[0],
            "visit": "kunjungan",
            "search": "pencarian",
            "chosen": "pilihan",
            "all": "semua",
        }[self.mode.currentData()]
        slug = "-".join("".join(ch if ch.isalnum() else " " for ch in place.lower()).split()) or "peserta"
        return f"{stem}-{slug}-{dt.date.today():%Y%m%d}.pdf"

    def choose_save_path(self) -> None:
        if not self.save_button.isEnabled():
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Simpan PDF", "Save PDF"), str(Path(folder) / self._default_name()), "PDF (*.pdf)"
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        """Issue the papers and write them to ``path`` (written whole before the issue is recorded)."""
        before, deliver, cleanup = save_steps(Path(path))
        self._issue(deliver, before=before, cleanup=cleanup, then=lambda: setattr(self, "last_output", Path(path)))

    def choose_printer(self) -> None:
        if not self.print_button.isEnabled():
            return
        if rasterizer() is None:  # no way to draw PDF pages here: the system's PDF viewer prints
            path = Path(tempfile.gettempdir()) / self._default_name()
            before, deliver, cleanup = save_steps(path)
            self._issue(
                deliver,
                before=before,
                cleanup=cleanup,
                then=lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))),
            )
            return
        printer = a4_printer(self.kind() == "certificate", self._default_name())
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("print_dialog")
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Issue the papers and send them to ``printer`` (the issue is recorded before the pages go out)."""
        self._issue(print_step(printer))

    def _issue(self, deliver, *, before=None, cleanup=None, then=None) -> None:
        selection = self.selection()
        if selection is None or self.busy:
            return

        def done(text: str | None, exc: BaseException | None) -> None:
            self._set_busy(False)
            if exc is not None:
                self._failed(exc)
                return
            self.result.setProperty("role", "ok")
            self.result.setText(text or "")
            self.ctx.bus.status.emit(text or "")
            self.refresh()
            if then is not None:
                then()

        self._set_busy(True)
        job = IssueJob(self, self.ctx, deliver, done, before=before, cleanup=cleanup)
        job.start(selection, self.kind(), self.reason.text().strip() or None)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._show_info()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserFacingError) and exc.code == "reprint_needs_reason":
            self.reason_message.show_message("error", exc.text())
            mark(self.reason, "error")
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if isinstance(exc, UserFacingError) and exc.code == "cancelled":
            self.result.setProperty("role", "muted")
            self.result.setText(exc.text())
            return
        self.result.setText("")
        self.ctx.runner.on_error(exc)
