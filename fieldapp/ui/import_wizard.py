"""The import wizard: choose a list (XLSX/CSV) → confirm which column is which → check every row → import.

Reading, checking and importing run on the database thread (``fieldapp.services.imports``); the wizard only
shows what they return. Importing needs the person to confirm that the listed participants gave their consent
(recorded as "daftar kolektif" at the import time).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.services import imports
from fieldapp.ui.context import Context
from fieldapp.ui.village import VillageEdit
from fieldapp.ui.widgets import label, number

SHOWN_PROBLEMS = 2_000
KIND_LABELS = {
    "error": ("Ditolak", "Rejected"),
    "duplicate": ("Duplikat", "Duplicate"),
    "warning": ("Peringatan", "Warning"),
}


class _Relay(QObject):
    progressed = Signal(int, int)


def _message(exc: BaseException) -> str:
    return (
        exc.text()
        if isinstance(exc, UserFacingError)
        else tr("Berkas tidak dapat diproses.", "The file could not be processed.")
    )


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(tr("Pilih daftar peserta", "Choose the participant list"))
        self.setSubTitle(
            tr(
                "Berkas XLSX atau CSV dengan satu baris judul kolom (NIK, Nama, Tgl Lahir, …).",
                "An XLSX or CSV file with one row of column headers (NIK, Nama, Tgl Lahir, …).",
            )
        )
        box = QVBoxLayout(self)
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setObjectName("import_path")
        self.path.setPlaceholderText(tr("berkas .xlsx atau .csv", ".xlsx or .csv file"))
        self.path.textChanged.connect(self.completeChanged)
        row.addWidget(self.path, 1)
        browse = QPushButton(tr("Pilih…", "Browse…"))
        browse.setObjectName("import_browse")
        browse.clicked.connect(self._browse)
        row.addWidget(browse)
        box.addLayout(row)
        box.addWidget(
            label(
                tr(
                    "Desa untuk baris tanpa kolom desa (nama desa dicari di kecamatannya):",
                    "Village for rows without one (village names are looked up in its kecamatan):",
                )
            )
        )
        self.village = VillageEdit(wizard.ctx, "import_village")
        visit = wizard.ctx.visit
        if visit is not None:
            self.village.set_village(visit.village_code, wizard.ctx.visit_path or visit.village_name)
        box.addWidget(self.village)
        note = tr(
            "Penghasilan, program, sumber dana dan bulan mulai diambil dari kunjungan yang sedang dibuka, "
            "atau nilai bawaan (Rp1.000.000, JKK+JKM, APBD, bulan ini).",
            "Income band, programmes, funding and start month come from the open visit, or the defaults "
            "(Rp1,000,000, JKK+JKM, APBD, this month).",
        )
        box.addWidget(label(note, "muted", wrap=True))
        box.addStretch(1)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            tr("Pilih daftar peserta", "Choose the participant list"),
            str(Path.home()),
            "Excel / CSV (*.xlsx *.csv)",
        )
        if path:
            self.path.setText(path)

    def isComplete(self) -> bool:
        p = Path(self.path.text().strip())
        return p.suffix.lower() in (".xlsx", ".xlsm", ".csv", ".txt") and p.is_file()


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.loaded = False
        self.setTitle(tr("Cocokkan kolom", "Match the columns"))
        self.setSubTitle(
            tr(
                "Periksa arti setiap kolom berkas; ubah bila salah.",
                "Check what each column of the file means; change it when wrong.",
            )
        )
        box = QVBoxLayout(self)
        self.note = label(tr("Membaca berkas…", "Reading the file…"), wrap=True)
        self.note.setObjectName("mapping_note")
        box.addWidget(self.note)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("mapping")
        self.table.setHorizontalHeaderLabels(
            [tr("Kolom di berkas", "Column in the file"), tr("Arti", "Meaning"), tr("Contoh isi", "Example values")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        box.addWidget(self.table, 1)
        self.combos: list[QComboBox] = []

    def initializePage(self) -> None:
        self.loaded = False
        self.table.setRowCount(0)
        self.combos = []
        self.note.setText(tr("Membaca berkas…", "Reading the file…"))
        ws, path, options = self.w.ctx.ws, self.w.path(), self.w.options()
        self.w.ctx.runner.run_db(lambda: imports.preview(ws, path, options), self._show, self._failed, owner=self)

    def _failed(self, exc: BaseException) -> None:
        self.note.setText(_message(exc))
        self.note.setProperty("role", "error")

    def _show(self, pv: imports.Preview) -> None:
        self.w.preview = pv
        self.table.setRowCount(len(pv.headers))
        for r, (header, field) in enumerate(zip(pv.headers, pv.mapping, strict=True)):
            self.table.setItem(
                r, 0, QTableWidgetItem(header or tr(f"(kolom {r + 1} tanpa judul)", f"(column {r + 1}, no header)"))
            )
            combo = QComboBox()
            combo.setObjectName(f"mapping_{r}")
            combo.addItem(tr("(abaikan)", "(ignore)"), None)
            for key, names in imports.FIELDS.items():
                combo.addItem(tr(*names), key)
            combo.setCurrentIndex(max(combo.findData(field), 0))
            combo.currentIndexChanged.connect(self.completeChanged)
            self.table.setCellWidget(r, 1, combo)
            self.combos.append(combo)
            examples = [cells[r] for _n, cells in pv.sample if r < len(cells) and cells[r]][:3]
            self.table.setItem(r, 2, QTableWidgetItem(" · ".join(examples)))
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(1, 210)
        self.note.setText(
            tr(
                f"{number(pv.rows)} baris data (judul kolom di baris {pv.header_row}).",
                f"{number(pv.rows)} data rows (headers on row {pv.header_row}).",
            )
        )
        self.loaded = True
        self.completeChanged.emit()

    def mapping(self) -> tuple[str | None, ...]:
        return tuple(c.currentData() for c in self.combos)

    def isComplete(self) -> bool:
        chosen = [f for f in self.mapping() if f]
        return self.loaded and "nik" in chosen and "full_name" in chosen and len(chosen) == len(set(chosen))


class CheckPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.report: imports.ImportReport | None = None
        self.setTitle(tr("Periksa data", "Check the rows"))
        self.setSubTitle(
            tr(
                "Setiap baris diperiksa dengan aturan yang sama seperti formulir.",
                "Every row is checked with the same rules as the form.",
            )
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, tr("Impor", "Import"))
        box = QVBoxLayout(self)
        self.bar = QProgressBar()
        self.bar.setObjectName("check_progress")
        box.addWidget(self.bar)
        self.summary = label("", wrap=True)
        self.summary.setObjectName("check_summary")
        box.addWidget(self.summary)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("problems")
        self.table.setHorizontalHeaderLabels(
            [tr("Baris", "Row"), tr("Kolom", "Column"), tr("Jenis", "Kind"), tr("Masalah", "Problem")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        box.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.save = QPushButton(tr("Simpan laporan masalah (CSV)…", "Save the problem report (CSV)…"))
        self.save.setObjectName("save_problems")
        self.save.clicked.connect(self._save)
        row.addWidget(self.save)
        row.addStretch(1)
        box.addLayout(row)
        self.consent = QCheckBox(
            tr(
                "Saya menyatakan peserta dalam daftar ini telah memberi persetujuan; dicatat "
                "sebagai 'daftar kolektif' pada waktu impor.",
                "I confirm the people on this list gave their consent; it is recorded as "
                "'collective list' at the import time.",
            )
        )
        self.consent.setObjectName("import_consent")
        self.consent.toggled.connect(self.completeChanged)
        box.addWidget(self.consent)

    def initializePage(self) -> None:
        self.report = None
        self.table.setRowCount(0)
        self.save.setEnabled(False)
        self.summary.setText(tr("Memeriksa…", "Checking…"))
        ws, path, options = self.w.ctx.ws, self.w.path(), self.w.options(dry_run=True)
        relay = _Relay(self)
        relay.progressed.connect(lambda done, total: (self.bar.setMaximum(total), self.bar.setValue(done)))
        self.w.ctx.runner.run_db(
            lambda: imports.run(ws, path, options, progress=relay.progressed.emit), self._show, self._failed, owner=self
        )

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText(_message(exc))
        self.summary.setProperty("role", "error")

    def _show(self, report: imports.ImportReport) -> None:
        self.report = report
        self.bar.setMaximum(max(report.rows, 1))
        self.bar.setValue(max(report.rows, 1))
        self.summary.setText(
            tr(
                f"{number(report.rows)} baris: <b>{number(report.imported)} siap diimpor</b>, "
                f"{number(report.duplicates)} duplikat, {number(report.rejected)} ditolak, "
                f"{number(report.warnings)} peringatan.",
                f"{number(report.rows)} rows: <b>{number(report.imported)} ready to import</b>, "
                f"{number(report.duplicates)} duplicates, {number(report.rejected)} rejected, "
                f"{number(report.warnings)} warnings.",
            )
        )
        order = {"error": 0, "duplicate": 1, "warning": 2}  # what keeps a row out first
        shown = sorted(report.problems, key=lambda p: (order[p.kind], p.row))[:SHOWN_PROBLEMS]
        self.table.setRowCount(len(shown))
        for r, p in enumerate(shown):
            for c, value in enumerate((str(p.row), p.field, tr(*KIND_LABELS[p.kind]), p.text)):
                item = QTableWidgetItem(value)
                item.setToolTip(p.text)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.save.setEnabled(bool(report.problems))
        self.completeChanged.emit()

    def _save(self) -> None:
        start = str(Path.home() / f"{self.w.path().stem}-masalah.csv")
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Simpan laporan masalah", "Save the problem report"), start, "CSV (*.csv)"
        )
        if path and self.report is not None:
            imports.write_problems(self.report, Path(path))

    def isComplete(self) -> bool:
        return self.report is not None and self.report.imported > 0 and self.consent.isChecked()


class ResultPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.done = False
        self.setTitle(tr("Impor", "Import"))
        box = QVBoxLayout(self)
        self.result = label(tr("Mengimpor…", "Importing…"), wrap=True)
        self.result.setObjectName("import_result")
        box.addWidget(self.result)
        box.addStretch(1)

    def initializePage(self) -> None:
        self.done = False
        ws, path, options = self.w.ctx.ws, self.w.path(), self.w.options()
        self.w.ctx.runner.run_db(lambda: imports.run(ws, path, options), self._show, self._failed, owner=self)

    def _show(self, report: imports.ImportReport) -> None:
        self.w.report = report
        numbers = (
            tr(
                f" Nomor lokal {report.first_number} s/d {report.last_number}.",
                f" Local numbers {report.first_number} to {report.last_number}.",
            )
            if report.imported
            else ""
        )
        self.result.setText(
            tr(
                f"<b>{number(report.imported)} peserta diimpor</b> (status: belum dikirim); "
                f"{number(report.duplicates)} duplikat dan {number(report.rejected)} ditolak tidak diimpor.{numbers}",
                f"<b>{number(report.imported)} participants imported</b> (state: not sent); "
                f"{number(report.duplicates)} duplicates and {number(report.rejected)} rejected rows were not "
                f"imported.{numbers}",
            )
        )
        self.done = True
        self.completeChanged.emit()
        self.w.ctx.bus.participants_changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.result.setText(_message(exc))
        self.result.setProperty("role", "error")
        self.done = True
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.done


class ImportWizard(QWizard):
    def __init__(self, ctx: Context, parent=None, path: Path | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.preview: imports.Preview | None = None
        self.report: imports.ImportReport | None = None
        self.setObjectName("import_wizard")
        self.setWindowTitle(tr("Impor daftar peserta", "Import a participant list"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)  # the import is done by then
        for button, text in (
            (QWizard.WizardButton.BackButton, tr("< Kembali", "< Back")),
            (QWizard.WizardButton.NextButton, tr("Lanjut >", "Next >")),
            (QWizard.WizardButton.CancelButton, tr("Batal", "Cancel")),
            (QWizard.WizardButton.FinishButton, tr("Selesai", "Finish")),
        ):
            self.setButtonText(button, text)
        self.resize(900, 600)
        self.file_page, self.mapping_page = FilePage(self), MappingPage(self)
        self.check_page, self.result_page = CheckPage(self), ResultPage(self)
        for page in (self.file_page, self.mapping_page, self.check_page, self.result_page):
            self.addPage(page)
        if path is not None:
            self.file_page.path.setText(str(path))

    def path(self) -> Path:
        return Path(self.file_page.path.text().strip())

    def options(self, *, dry_run: bool = False) -> imports.ImportOptions:
        mapping = self.mapping_page.mapping() if self.mapping_page.loaded else None
        return imports.ImportOptions(village_code=self.file_page.village.code or None, mapping=mapping, dry_run=dry_run)
