"""The visit page: open an outreach visit (village, date, package) that pre-fills the enrolment form."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.contributions import FUNDING_LABELS, FUNDING_SOURCES
from fieldapp.errors import UserFacingError, ValidationError
from fieldapp.i18n import tr
from fieldapp.services import regions, visits
from fieldapp.ui.context import Context
from fieldapp.ui.village import VillageEdit
from fieldapp.ui.widgets import FieldMessage, card, combo, date_text, heading, label, month_text

SECTOR_LABELS = {
    "other": ("Umum (bukan transportasi)", "General (not transport)"),
    "transport": ("Transportasi", "Transport"),
}


def set_visit(ctx: Context, visit, path: str) -> None:
    ctx.visit, ctx.visit_path = visit, path
    ctx.bus.visit_changed.emit(visit)


class VisitPage(QWidget):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(heading(tr("Kunjungan lapangan", "Outreach visit")))
        row = QHBoxLayout()
        row.setSpacing(12)
        layout.addLayout(row, 1)

        frame, box = card(tr("Buka kunjungan baru", "Open a new visit"))
        row.addWidget(frame, 3)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        box.addLayout(form)
        self.village = VillageEdit(ctx, "visit_village")
        self.village_message = FieldMessage("visit_village")
        form.addRow(tr("Desa/kelurahan", "Village"), self.village)
        form.addRow("", self.village_message)
        self.date = QDateEdit(QDate.currentDate())
        self.date.setObjectName("visit_date")
        self.date.setAccessibleName(tr("Tanggal kunjungan", "Visit date"))
        self.date.setDisplayFormat("dd-MM-yyyy")
        self.date.setCalendarPopup(True)
        form.addRow(tr("Tanggal", "Date"), self.date)
        self.location = QLineEdit()
        self.location.setObjectName("location_note")
        self.location.setAccessibleName(tr("Tempat", "Location"))
        self.location.setPlaceholderText(tr("contoh: Balai desa", "e.g. village hall"))
        form.addRow(tr("Tempat", "Location"), self.location)
        funding = [(k, tr(*FUNDING_LABELS[k])) for k in FUNDING_SOURCES]
        self.funding = combo(funding, "visit_funding_source", tr("Sumber dana", "Funding"))
        self.funding.setCurrentIndex(FUNDING_SOURCES.index("apbd"))
        form.addRow(tr("Sumber dana", "Funding"), self.funding)
        self.package = combo(
            [(k, tr(*v)) for k, v in visits.PACKAGES.items()], "visit_programs", tr("Program", "Programmes")
        )
        form.addRow(tr("Program", "Programmes"), self.package)
        self.sector = combo([(k, tr(*v)) for k, v in SECTOR_LABELS.items()], "visit_sector", tr("Sektor", "Sector"))
        form.addRow(tr("Sektor", "Sector"), self.sector)
        self.start = QDateEdit(QDate.currentDate())
        self.start.setObjectName("visit_start_month")
        self.start.setAccessibleName(tr("Iuran mulai bulan", "Contributions from"))
        self.start.setDisplayFormat("MM-yyyy")
        form.addRow(tr("Iuran mulai", "Contributions from"), self.start)
        self.message = FieldMessage("visit")
        box.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.open_button = QPushButton(tr("Buka kunjungan", "Open visit"))
        self.open_button.setObjectName("open_visit")
        self.open_button.setProperty("role", "primary")
        self.open_button.clicked.connect(self.open_visit)
        buttons.addWidget(self.open_button)
        box.addLayout(buttons)
        box.addStretch(1)

        side = QVBoxLayout()
        row.addLayout(side, 2)
        frame, current = card(tr("Kunjungan terbuka", "Open visit"))
        self.current = label("", wrap=True)
        self.current.setObjectName("current_visit")
        current.addWidget(self.current)
        actions = QHBoxLayout()
        self.enrol_button = QPushButton(tr("Lanjut mendaftar", "Go to enrolment"))
        self.enrol_button.setObjectName("goto_enrol")
        self.enrol_button.clicked.connect(lambda: ctx.bus.navigate.emit("enrol"))
        self.close_button = QPushButton(tr("Tutup kunjungan", "Close visit"))
        self.close_button.setObjectName("close_visit")
        self.close_button.clicked.connect(self.close_visit)
        actions.addWidget(self.enrol_button)
        actions.addWidget(self.close_button)
        actions.addStretch(1)
        current.addLayout(actions)
        side.addWidget(frame)
        frame, recent = card(tr("Kunjungan terakhir", "Recent visits"))
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("recent_visits")
        self.table.setHorizontalHeaderLabels([tr("Tanggal", "Date"), tr("Desa", "Village"), tr("Petugas", "Officer")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        recent.addWidget(self.table)
        side.addWidget(frame, 1)

        ctx.bus.visit_changed.connect(self._show_current)
        self._show_current(ctx.visit)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        ws = self.ctx.ws
        self.ctx.runner.run_db(lambda: visits.list_visits(ws, limit=20), self._show_recent, owner=self)

    def _show_recent(self, rows) -> None:
        self.table.setRowCount(len(rows))
        for r, v in enumerate(rows):
            for c, text in enumerate((date_text(v.visit_date), v.village_name, v.officer)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnToContents(0)

    def _show_current(self, v) -> None:
        if v is None:
            self.current.setText(tr("Belum ada kunjungan terbuka.", "No visit is open."))
        else:
            package = tr(*visits.PACKAGES[",".join(v.programs)])
            funding = tr(*FUNDING_LABELS[v.funding_source])
            self.current.setText(
                f"<b>{v.village_name}</b> · {date_text(v.visit_date)}<br>{v.location_note or ''}<br>"
                f"{package} · {funding}<br>" + tr("Iuran mulai ", "Contributions from ") + month_text(v.start_month)
            )
        self.enrol_button.setVisible(v is not None)
        self.close_button.setVisible(v is not None)

    def open_visit(self) -> None:
        if not self.village.code:
            self.village_message.show_message(
                "error", tr("Pilih desa/kelurahan dari daftar.", "Choose a village from the list.")
            )
            self.village.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.village_message.clear_message()
        ws, path = self.ctx.ws, self.village.toolTip()
        start = self.start.date().toPython().replace(day=1)
        args = dict(
            village_code=self.village.code,
            visit_date=self.date.date().toPython(),
            funding_source=self.funding.currentData(),
            programs=self.package.currentData(),
            sector=self.sector.currentData(),
            start_month=start,
            location_note=self.location.text(),
        )
        self.open_button.setEnabled(False)
        self.ctx.runner.run_db(
            lambda: visits.open_visit(ws, **args), lambda v: self._opened(v, path), self._failed, owner=self
        )

    def _opened(self, visit, path: str) -> None:
        self.open_button.setEnabled(True)
        self.message.show_message(
            "ok", tr(f"Kunjungan ke {visit.village_name} dibuka.", f"Visit to {visit.village_name} opened.")
        )
        set_visit(self.ctx, visit, path)
        self.refresh()
        self.ctx.bus.navigate.emit("enrol")

    def _failed(self, exc: BaseException) -> None:
        self.open_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.message.show_message("error", " ".join(tr(*m) for m in exc.problems.values()))
        elif isinstance(exc, UserFacingError):
            self.message.show_message("error", exc.text())
        else:
            self.ctx.runner.on_error(exc)

    def close_visit(self) -> None:
        v = self.ctx.visit
        if v is None:
            return
        ws = self.ctx.ws
        self.ctx.runner.run_db(lambda: visits.close_visit(ws, v.id), lambda _r: self._closed(), owner=self)

    def _closed(self) -> None:
        set_visit(self.ctx, None, "")
        self.message.show_message("ok", tr("Kunjungan ditutup.", "Visit closed."))
        self.refresh()


def load_current_visit(ctx: Context) -> None:
    """Ask the store for the officer's open visit and announce it (at start-up)."""
    ws = ctx.ws

    def work():
        v = visits.current_visit(ws)
        return v, (regions.name_of(ws, v.village_code) if v else "")

    ctx.runner.run_db(work, lambda r: set_visit(ctx, *r))
