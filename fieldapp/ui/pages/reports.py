"""Laporan: the supervisor's page. Sync log (drill into each batch), coverage per village / officer / day, sync
health per device, filters, and exports (CSV/XLSX/PDF) with progress and cancel.

Everything is read through ``fieldapp.services.reports_data`` on the database thread; other roles see a
short explanation (and, when their role may import, the button for the import wizard).
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from PySide6.QtCore import QDate, QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.services import exports, reports_data
from fieldapp.services.imports import IMPORT_ROLES
from fieldapp.services.reports_data import STATUS_LABELS, ReportFilter, percent_text
from fieldapp.ui import style
from fieldapp.ui.context import Context
from fieldapp.ui.village import VillageEdit
from fieldapp.ui.widgets import ago, card, heading, label, number

NO_DATE = QDate(2000, 1, 1)
FILTER_STATES = ("pending", "sent", "accepted", "duplicate_person", "rejected", "conflict", "failed", "prepared")
BAR_ROLE = Qt.ItemDataRole.UserRole + 7


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setDisplayFormat("dd-MM-yyyy")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText(tr("semua", "any"))
    edit.setDate(NO_DATE)
    return edit


def _table(name: str, headers: list[str], stretch: int | None = None) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.setWordWrap(False)
    header = t.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return t


def _fill(table: QTableWidget, rows: list[list], numeric: set[int] = frozenset()) -> None:
    table.setSortingEnabled(False)
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem("" if value is None else str(value))
            if c in numeric:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


def _when(at: dt.datetime | None) -> str:
    return at.astimezone().strftime("%d-%m-%Y %H:%M") if at else "–"


class BarDelegate(QStyledItemDelegate):
    """Enrolled against the target as a bar (accepted darker inside), with "45 / 100" over it."""

    def paint(self, painter: QPainter, option, index) -> None:
        data = index.data(BAR_ROLE)
        if not data:
            return super().paint(painter, option, index)
        target, enrolled, accepted = data
        pct = f"  ({round(100 * enrolled / target)} %)" if target else ""
        text = f"{number(enrolled)} / {number(target)}{pct}"
        room = option.fontMetrics.horizontalAdvance("0000 / 0000  (000 %)") + 8
        r = option.rect.adjusted(4, 5, -room, -5)
        scale = max(target, enrolled, 1)
        painter.save()
        painter.setPen(QColor("#9aa5a0"))
        painter.setBrush(QColor("#eef1ef"))
        painter.drawRect(QRect(r.x(), r.y(), int(r.width() * target / scale), r.height()))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#8fcfb3"))
        painter.drawRect(QRect(r.x(), r.y() + 2, int(r.width() * enrolled / scale), r.height() - 4))
        painter.setBrush(QColor(style.ACCENT))
        painter.drawRect(QRect(r.x(), r.y() + 5, int(r.width() * accepted / scale), max(r.height() - 10, 2)))
        painter.setPen(
            option.palette.color(option.palette.ColorRole.HighlightedText)
            if option.state & QStyle.StateFlag.State_Selected
            else QColor("#202124")
        )
        painter.drawText(
            option.rect.adjusted(option.rect.width() - room + 4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, text
        )
        painter.restore()


class _Relay(QObject):
    """Carries progress from the database thread to the UI thread (a queued signal)."""

    progressed = Signal(int, int)


class ReportsPage(QWidget):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dirty = True
        self.overview: reports_data.Overview | None = None
        self.batch_ids: list[int] = []
        self.last_export: exports.ExportResult | None = None
        self._cancel: threading.Event | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 10)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(heading(tr("Laporan", "Reports")))
        top.addStretch(1)
        self.import_button = QPushButton(tr("Impor daftar peserta…", "Import participant list…"))
        self.import_button.setObjectName("open_import")
        self.import_button.clicked.connect(self.open_import)
        self.import_button.setVisible(ctx.ws.user.role in IMPORT_ROLES)
        top.addWidget(self.import_button)
        layout.addLayout(top)
        if not reports_data.may_view(ctx.ws):
            self._explain(layout)
            return
        layout.addLayout(self._export_bar())
        layout.addLayout(self._filter_bar())
        self.banner, box = card()
        self.banner.setProperty("role", "banner-warning")
        self.banner_text = label("", wrap=True)
        self.banner_text.setObjectName("sync_warning")
        box.addWidget(self.banner_text)
        self.banner.setVisible(False)
        layout.addWidget(self.banner)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("report_tabs")
        self.tabs.addTab(self._log_tab(), tr("Log sinkronisasi", "Sync log"))
        self.tabs.addTab(self._coverage_tab(), tr("Cakupan", "Coverage"))
        self.tabs.addTab(self._health_tab(), tr("Kesehatan sinkron per perangkat", "Sync health per device"))
        layout.addWidget(self.tabs, 1)
        self.info = label("", "muted")
        self.info.setObjectName("reports_info")
        layout.addWidget(self.info)
        ctx.bus.participants_changed.connect(self._changed)
        ctx.runner.run_db(lambda: reports_data.choices(ctx.ws), self._show_choices, owner=self)

    # -- building --------------------------------------------------------------------------------------------
    def _explain(self, layout: QVBoxLayout) -> None:
        frame, box = card()
        frame.setProperty("role", "banner-info")
        text = tr(
            "Halaman Laporan berisi log sinkronisasi, cakupan per desa dan kesehatan sinkron semua perangkat. "
            "Halaman ini untuk supervisor; minta supervisor Anda bila memerlukan laporan tersebut.",
            "The Reports page holds the sync log, coverage per village and the sync health of every device. "
            "It is for supervisors; ask your supervisor when you need these reports.",
        )
        if self.ctx.ws.user.role in IMPORT_ROLES:
            text += tr(
                " Anda tetap dapat mengimpor daftar peserta (XLSX/CSV) dengan tombol di atas.",
                " You can still import a participant list (XLSX/CSV) with the button above.",
            )
        explanation = label(text, wrap=True)
        explanation.setObjectName("reports_explanation")
        box.addWidget(explanation)
        layout.addWidget(frame)
        layout.addStretch(1)

    def _export_bar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(label(tr("Ekspor", "Export"), "muted"))
        self.kind = QComboBox()
        self.kind.setObjectName("export_kind")
        for kind in exports.KINDS:
            self.kind.addItem(tr(*exports.KIND_LABELS[kind]), kind)
        row.addWidget(self.kind)
        self.format = QComboBox()
        self.format.setObjectName("export_format")
        for fmt in exports.FORMATS:
            self.format.addItem(fmt.upper(), fmt)
        row.addWidget(self.format)
        self.unmasked = QCheckBox(tr("NIK lengkap (tidak disamarkan)", "Full NIKs (not masked)"))
        self.unmasked.setObjectName("export_unmasked")
        self.unmasked.setEnabled(self.ctx.ws.user.may_see_nik)
        row.addWidget(self.unmasked)
        self.export_button = QPushButton(tr("Ekspor…", "Export…"))
        self.export_button.setObjectName("export")
        self.export_button.setProperty("role", "primary")
        self.export_button.clicked.connect(self.choose_export_path)
        row.addWidget(self.export_button)
        row.addStretch(1)
        return row

    def _filter_bar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(label(tr("Dari", "From")))
        self.date_from = _date_edit("filter_from")
        row.addWidget(self.date_from)
        row.addWidget(label(tr("s/d", "to")))
        self.date_to = _date_edit("filter_to")
        row.addWidget(self.date_to)
        self.officer = QComboBox()
        self.officer.setObjectName("filter_officer")
        self.officer.addItem(tr("Semua petugas", "All officers"), None)
        row.addWidget(self.officer, 1)
        self.device = QComboBox()
        self.device.setObjectName("filter_device")
        self.device.addItem(tr("Semua perangkat", "All devices"), None)
        row.addWidget(self.device, 1)
        self.village = VillageEdit(self.ctx, "filter_village", tr("Saring desa", "Filter village"))
        self.village.setPlaceholderText(tr("semua desa", "all villages"))
        row.addWidget(self.village, 2)
        self.status = QComboBox()
        self.status.setObjectName("filter_status")
        self.status.addItem(tr("Semua status", "Any status"), None)
        for code in FILTER_STATES:
            self.status.addItem(tr(*STATUS_LABELS[code]), code)
        row.addWidget(self.status, 1)
        clear = QPushButton(tr("Hapus saringan", "Clear filters"))
        clear.setObjectName("clear_filters")
        clear.clicked.connect(self.clear_filters)
        row.addWidget(clear)
        for combo in (self.officer, self.device, self.status):
            combo.currentIndexChanged.connect(self.refresh)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.refresh)
        self.village.chosen.connect(lambda _code: self.refresh())
        return row

    def _log_tab(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Vertical)
        self.batches = _table(
            "batches",
            [
                tr("Waktu", "Time"),
                tr("Perangkat", "Device"),
                tr("Petugas", "Officer"),
                "Server",
                tr("Data", "Records"),
                "Status",
                tr("Diterima", "Accepted"),
                tr("Duplikat", "Duplicate"),
                tr("Ditolak", "Rejected"),
                tr("Konflik", "Conflict"),
                tr("Selisih jam", "Clock offset"),
                tr("Galat", "Error"),
            ],
            stretch=11,
        )
        self.batches.itemSelectionChanged.connect(self._batch_selected)
        split.addWidget(self.batches)
        self.results = _table(
            "batch_results",
            [
                tr("No. lokal", "Local no."),
                tr("Nama", "Name"),
                "NIK",
                tr("Desa/kelurahan", "Village"),
                tr("Rev.", "Rev."),
                tr("Hasil", "Result"),
                tr("Kode", "Code"),
                tr("Pesan", "Message"),
            ],
            stretch=7,
        )
        split.addWidget(self.results)
        split.setSizes([300, 200])
        return split

    def _coverage_tab(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 6, 0, 0)
        self.coverage_summary = label("", wrap=True)
        self.coverage_summary.setObjectName("coverage_summary")
        box.addWidget(self.coverage_summary)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.villages = _table(
            "coverage_villages",
            [
                tr("Desa/kelurahan", "Village"),
                tr("Kecamatan", "District"),
                tr("Terdaftar / target", "Enrolled / target"),
                tr("Diterima", "Accepted"),
                tr("KPJ terbit", "KPJ issued"),
            ],
        )
        self.villages.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.villages.setItemDelegateForColumn(2, BarDelegate(self.villages))
        split.addWidget(self.villages)
        right = QSplitter(Qt.Orientation.Vertical)
        self.officers = _table(
            "coverage_officers",
            [
                tr("Petugas", "Officer"),
                tr("Terdaftar", "Enrolled"),
                tr("Diterima", "Accepted"),
                tr("Menunggu", "Waiting"),
                tr("Bermasalah", "Problems"),
            ],
            stretch=0,
        )
        right.addWidget(self.officers)
        self.days = _table(
            "coverage_days",
            [tr("Tanggal", "Date"), tr("Terdaftar", "Enrolled"), tr("Diterima", "Accepted"), tr("KPJ", "KPJ")],
            stretch=0,
        )
        right.addWidget(self.days)
        split.addWidget(right)
        split.setSizes([680, 420])
        box.addWidget(split, 1)
        return page

    def _health_tab(self) -> QWidget:
        self.health = _table(
            "device_health",
            [
                tr("Perangkat", "Device"),
                tr("Sinkron terakhir", "Last sync"),
                tr("Menunggu kirim", "Waiting"),
                tr("Tertua menunggu sejak", "Oldest waiting since"),
                tr("Kiriman gagal", "Failed batches"),
                tr("Data bermasalah", "Records with problems"),
                tr("Keadaan", "State"),
            ],
            stretch=6,
        )
        return self.health

    # -- data ------------------------------------------------------------------------------------------------
    def filters(self) -> ReportFilter:
        def day(edit: QDateEdit) -> dt.date | None:
            return None if edit.date() == NO_DATE else edit.date().toPython()

        return ReportFilter(
            day(self.date_from),
            day(self.date_to),
            self.officer.currentData(),
            self.device.currentData(),
            self.village.code or None,
            self.status.currentData(),
        )

    def clear_filters(self) -> None:
        for w in (self.officer, self.device, self.status, self.date_from, self.date_to):
            w.blockSignals(True)
        self.officer.setCurrentIndex(0)
        self.device.setCurrentIndex(0)
        self.status.setCurrentIndex(0)
        self.date_from.setDate(NO_DATE)
        self.date_to.setDate(NO_DATE)
        for w in (self.officer, self.device, self.status, self.date_from, self.date_to):
            w.blockSignals(False)
        self.village.blockSignals(True)
        self.village.clear_village()
        self.village.blockSignals(False)
        self.refresh()

    def _changed(self) -> None:
        self.dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.dirty and reports_data.may_view(self.ctx.ws):
            self.refresh()

    def refresh(self) -> None:
        self.dirty = False
        ws, f = self.ctx.ws, self.filters()
        self.info.setText(tr("Memuat…", "Loading…"))
        self.ctx.runner.run_db(lambda: reports_data.overview(ws, f), self._show, key=f"reports-{id(self)}", owner=self)

    def _show_choices(self, choices: reports_data.FilterChoices) -> None:
        for username, name in choices.officers:
            self.officer.addItem(f"{name} ({username})" if name else username, username)
        for device_id, name in choices.devices:
            self.device.addItem(name, device_id)

    def _show(self, o: reports_data.Overview) -> None:
        self.overview = o
        self.batch_ids = [b.id for b in o.batches]
        rows = []
        for b in o.batches:
            c = dict(b.counts)
            offset = f"{b.clock_offset_ms / 1000:+.1f} s" if b.clock_offset_ms is not None else ""
            rows.append(
                [
                    _when(b.sent_at or b.created_at),
                    b.device,
                    b.officer,
                    b.server,
                    number(b.record_count),
                    tr(*STATUS_LABELS.get(b.status, (b.status, b.status))),
                    number(c.get("accepted", 0) + c.get("updated", 0) + c.get("unchanged", 0)),
                    number(c.get("duplicate_person", 0)),
                    number(c.get("rejected", 0)),
                    number(c.get("conflict", 0)),
                    offset,
                    b.error,
                ]
            )
        _fill(self.batches, rows, {4, 6, 7, 8, 9, 10})
        self.results.setRowCount(0)
        cov = o.coverage
        _fill(
            self.villages,
            [[v.village_name, v.district_name, "", number(v.accepted), number(v.kpj)] for v in cov.villages],
            {3, 4},
        )
        for r, v in enumerate(cov.villages):
            self.villages.item(r, 2).setData(BAR_ROLE, (v.target, v.enrolled, v.accepted))
            self.villages.item(r, 0).setToolTip(v.village_code)
        _fill(
            self.officers,
            [
                [
                    f"{x.full_name} ({x.username})",
                    number(x.enrolled),
                    number(x.accepted),
                    number(x.waiting),
                    number(x.problems),
                ]
                for x in cov.officers
            ],
            {1, 2, 3, 4},
        )
        _fill(
            self.days,
            [
                [d.day.strftime("%d-%m-%Y"), number(d.enrolled), number(d.accepted), number(d.kpj)]
                for d in reversed(cov.days)
            ],
            {1, 2, 3},
        )
        pct = percent_text(100 * cov.enrolled / cov.target) if cov.target else "–"
        self.coverage_summary.setText(
            tr(
                f"<b>{number(cov.enrolled)}</b> terdaftar dari target <b>{number(cov.target)}</b> ({pct}) di "
                f"{number(len(cov.villages))} desa; <b>{number(cov.accepted)}</b> diterima server, "
                f"<b>{number(cov.kpj)}</b> KPJ terbit.",
                f"<b>{number(cov.enrolled)}</b> enrolled of a target of <b>{number(cov.target)}</b> ({pct}) in "
                f"{number(len(cov.villages))} villages; <b>{number(cov.accepted)}</b> accepted by the server, "
                f"<b>{number(cov.kpj)}</b> KPJ numbers issued.",
            )
        )
        self._show_health(o)
        self.info.setText(
            tr(
                f"{number(len(o.batches))} kiriman ditampilkan (terbaru dulu).",
                f"{number(len(o.batches))} batches shown (newest first).",
            )
        )

    def _show_health(self, o: reports_data.Overview) -> None:
        rows, late = [], []
        for d in o.devices:
            if d.warning:
                late.append(d.name)
            state = (
                tr(f"Belum sinkron > {o.warning_hours} jam", f"Not synced for > {o.warning_hours} h")
                if d.warning
                else tr("Baik", "Fine")
            )
            rows.append(
                [
                    d.name + (tr(" (laptop ini)", " (this laptop)") if d.this_device else ""),
                    ago(d.last_sync) if d.last_sync else tr("belum pernah", "never"),
                    number(d.waiting),
                    _when(d.oldest_waiting) if d.oldest_waiting else "–",
                    number(d.failed_batches),
                    number(d.problems),
                    state,
                ]
            )
        _fill(self.health, rows, {2, 4, 5})
        for r, d in enumerate(o.devices):
            if d.warning:
                self.health.item(r, 6).setForeground(QColor(style.WARNING))
        self.banner.setVisible(bool(late))
        self.banner_text.setText(
            tr(
                f"Perangkat belum sinkron lebih dari {o.warning_hours} jam: {', '.join(late)}. Minta petugas mengirim "
                "data secepatnya.",
                f"Devices not synced for more than {o.warning_hours} hours: {', '.join(late)}. Ask the officers to "
                "sync soon.",
            )
        )

    def _batch_selected(self) -> None:
        rows = self.batches.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.batch_ids):
            return
        batch, ws, status = self.batch_ids[rows[0].row()], self.ctx.ws, self.status.currentData()
        self.ctx.runner.run_db(
            lambda: reports_data.batch_results(ws, batch, status),
            self._show_results,
            key=f"batch-results-{id(self)}",
            owner=self,
        )

    def _show_results(self, results) -> None:
        _fill(
            self.results,
            [
                [
                    r.local_number,
                    r.full_name,
                    r.nik,
                    r.village_name,
                    r.revision,
                    tr(*STATUS_LABELS.get(r.status, (r.status, r.status))),
                    r.code,
                    r.message,
                ]
                for r in results
            ],
            {4},
        )

    # -- export and import -----------------------------------------------------------------------------------
    def choose_export_path(self) -> None:
        kind, fmt = self.kind.currentData(), self.format.currentData()
        start = str(Path.home() / exports.default_file_name(kind, fmt))
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Simpan laporan", "Save report"), start, f"{fmt.upper()} (*.{fmt})"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Export the chosen report with the page's filters to ``path`` (progress dialog, cancellable)."""
        ws, kind, fmt = self.ctx.ws, self.kind.currentData(), self.format.currentData()
        f, unmasked = self.filters(), self.unmasked.isChecked()
        cancel = self._cancel = threading.Event()
        relay = _Relay(self)
        dialog = QProgressDialog(
            tr("Menyiapkan laporan…", "Preparing the report…"), tr("Batal", "Cancel"), 0, 100, self
        )
        dialog.setObjectName("export_progress")
        dialog.setWindowTitle(tr("Ekspor", "Export"))
        dialog.setMinimumDuration(400)
        dialog.canceled.connect(cancel.set)
        relay.progressed.connect(lambda done, total: dialog.setValue(int(100 * done / max(total, 1))))
        self.export_button.setEnabled(False)

        def work():
            return exports.export(
                ws, kind, fmt, path, filters=f, unmasked=unmasked, progress=relay.progressed.emit, cancel=cancel
            )

        def done(result: exports.ExportResult) -> None:
            dialog.reset()
            self.export_button.setEnabled(True)
            self.last_export = result
            text = tr(
                f"Laporan tersimpan: {result.path} ({number(result.rows)} baris).",
                f"Report saved: {result.path} ({number(result.rows)} rows).",
            )
            self.info.setText(text)
            self.ctx.bus.status.emit(text)

        def failed(exc: BaseException) -> None:
            dialog.reset()
            self.export_button.setEnabled(True)
            if isinstance(exc, UserFacingError) and exc.code == "cancelled":
                self.info.setText(exc.text())
                return
            self.info.setText(exc.text() if isinstance(exc, UserFacingError) else "")
            self.ctx.runner.on_error(exc)

        self.ctx.runner.run_db(work, done, failed, owner=self)

    def open_import(self) -> None:
        from fieldapp.ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.ctx, self)
        wizard.finished.connect(lambda _result: self._changed())
        wizard.open()
