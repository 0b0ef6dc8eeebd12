"""Laporan: the supervisor's page. Sync log (drill into each batch), coverage per village / officer / day, sync
health per device, filters, and exports (CSV/XLSX/PDF) with progress and cancel.

Everything is read through ``fieldapp.services.reports_data`` on the database thread; other roles see a
short explanation (and, when their role may import, the button for the import wizard).
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
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
from fieldapp.ui.widgets import (
    NO_DATE,
    RefreshWhenShown,
    ago,
    card,
    date_filter,
    heading,
    label,
    number,
    read_only_rows,
)

FILTER_STATES = ("pending", "sent", "accepted", "duplicate_person", "rejected", "conflict", "failed", "prepared")
BAR_ROLE = Qt.ItemDataRole.UserRole + 7
# Column headers, "|"-separated: (Indonesian, English).
BATCH_COLUMNS = (
    "Waktu|Perangkat|Petugas|Server|Data|Status|Diterima|Duplikat|Ditolak|Konflik|Selisih jam|Galat",
    "Time|Device|Officer|Server|Records|Status|Accepted|Duplicate|Rejected|Conflict|Clock offset|Error",
)
RESULT_COLUMNS = (
    "No. lokal|Nama|NIK|Desa/kelurahan|Rev.|Hasil|Kode|Pesan",
    "Local no.|Name|NIK|Village|Rev.|Result|Code|Message",
)
VILLAGE_COLUMNS = (
    "Desa/kelurahan|Kecamatan|Terdaftar / target|Diterima|KPJ terbit",
    "Village|District|Enrolled / target|Accepted|KPJ issued",
)
OFFICER_COLUMNS = ("Petugas|Terdaftar|Diterima|Menunggu|Bermasalah", "Officer|Enrolled|Accepted|Waiting|Problems")
DAY_COLUMNS = ("Tanggal|Terdaftar|Diterima|KPJ", "Date|Enrolled|Accepted|KPJ")
HEALTH_COLUMNS = (
    "Perangkat|Sinkron terakhir|Menunggu kirim|Tertua menunggu sejak|Kiriman gagal|Data bermasalah|Keadaan",
    "Device|Last sync|Waiting|Oldest waiting since|Failed batches|Records with problems|State",
)


def _headers(pair: tuple[str, str]) -> list[str]:
    return tr(*pair).split("|")


def _combo(name: str, items: list[tuple[str, object]]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    for text, data in items:
        box.addItem(text, data)
    return box


def _table(name: str, headers: list[str], stretch: int | None = None) -> QTableWidget:
    t = read_only_rows(QTableWidget(0, len(headers)), name)
    t.setHorizontalHeaderLabels(headers)
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
            text = number(value) if isinstance(value, int) and c in numeric else ("" if value is None else str(value))
            item = QTableWidgetItem(text)
            if c in numeric:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


def _when(at: dt.datetime | None) -> str:
    return at.astimezone().strftime("%d-%m-%Y %H:%M") if at else "–"


def _status(code: str) -> str:
    return tr(*STATUS_LABELS.get(code, (code, code)))


def _batch_row(b) -> list:
    c = dict(b.counts)
    offset = f"{b.clock_offset_ms / 1000:+.1f} s" if b.clock_offset_ms is not None else ""
    status = _status(b.status)
    accepted = c.get("accepted", 0) + c.get("updated", 0) + c.get("unchanged", 0)
    when = _when(b.sent_at or b.created_at)
    counts = [c.get("duplicate_person", 0), c.get("rejected", 0), c.get("conflict", 0)]
    return [when, b.device, b.officer, b.server, b.record_count, status, accepted, *counts, offset, b.error]


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
        selected = option.state & QStyle.StateFlag.State_Selected
        painter.setPen(option.palette.highlightedText().color() if selected else QColor("#202124"))
        text_rect = option.rect.adjusted(option.rect.width() - room + 4, 0, 0, 0)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, text)
        painter.restore()


class _Relay(QObject):
    """Carries progress from the database thread to the UI thread (a queued signal)."""

    progressed = Signal(int, int)


class ReportsPage(RefreshWhenShown, QWidget):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.overview: reports_data.Overview | None = None
        self.batch_ids: list[int] = []
        self.last_export: exports.ExportResult | None = None
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
        self.kind = _combo("export_kind", [(tr(*exports.KIND_LABELS[k]), k) for k in exports.KINDS])
        self.format = _combo("export_format", [(f.upper(), f) for f in exports.FORMATS])
        row.addWidget(self.kind)
        row.addWidget(self.format)
        self.unmasked = QCheckBox(tr("NIK lengkap (tidak disamarkan)", "Full NIKs (not masked)"))
        self.unmasked.setObjectName("export_unmasked")
        self.unmasked.setEnabled(self.ctx.ws.user.may_see_nik)
        row.addWidget(self.unmasked)
        # Full NIKs leave the laptop only in an XLSX locked with a password the recipient gets another way.
        self.file_password = QLineEdit()
        self.file_password.setObjectName("export_file_password")
        self.file_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.file_password.setPlaceholderText(tr("Kata sandi berkas (min. 8)", "File password (min. 8)"))
        self.file_password.setToolTip(tr("Berkas XLSX dikunci dengan kata sandi ini; berikan kepada penerima lewat "
                                         "jalur lain (telepon).", "The XLSX is locked with this password; give it "
                                         "to the recipient another way (phone)."))
        self.file_password.setVisible(False)
        row.addWidget(self.file_password)
        self.unmasked.toggled.connect(self._unmasked_toggled)
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
        self.date_from = date_filter("filter_from")
        row.addWidget(self.date_from)
        row.addWidget(label(tr("s/d", "to")))
        self.date_to = date_filter("filter_to")
        row.addWidget(self.date_to)
        self.officer = _combo("filter_officer", [(tr("Semua petugas", "All officers"), None)])
        self.device = _combo("filter_device", [(tr("Semua perangkat", "All devices"), None)])
        row.addWidget(self.officer, 1)
        row.addWidget(self.device, 1)
        self.village = VillageEdit(self.ctx, "filter_village", tr("Saring desa", "Filter village"))
        self.village.setPlaceholderText(tr("semua desa", "all villages"))
        row.addWidget(self.village, 2)
        states = [(tr(*STATUS_LABELS[code]), code) for code in FILTER_STATES]
        self.status = _combo("filter_status", [(tr("Semua status", "Any status"), None), *states])
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
        self.batches = _table("batches", _headers(BATCH_COLUMNS), stretch=11)
        self.batches.itemSelectionChanged.connect(self._batch_selected)
        split.addWidget(self.batches)
        self.results = _table("batch_results", _headers(RESULT_COLUMNS), stretch=7)
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
        self.villages = _table("coverage_villages", _headers(VILLAGE_COLUMNS))
        self.villages.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.villages.setItemDelegateForColumn(2, BarDelegate(self.villages))
        split.addWidget(self.villages)
        right = QSplitter(Qt.Orientation.Vertical)
        self.officers = _table("coverage_officers", _headers(OFFICER_COLUMNS), stretch=0)
        right.addWidget(self.officers)
        self.days = _table("coverage_days", _headers(DAY_COLUMNS), stretch=0)
        right.addWidget(self.days)
        split.addWidget(right)
        split.setSizes([680, 420])
        box.addWidget(split, 1)
        return page

    def _health_tab(self) -> QWidget:
        self.health = _table("device_health", _headers(HEALTH_COLUMNS), stretch=6)
        return self.health

    # -- data ------------------------------------------------------------------------------------------------
    def filters(self) -> ReportFilter:
        def day(edit: QDateEdit) -> dt.date | None:
            return None if edit.date() == NO_DATE else edit.date().toPython()

        who, device, status = self.officer.currentData(), self.device.currentData(), self.status.currentData()
        return ReportFilter(day(self.date_from), day(self.date_to), who, device, self.village.code or None, status)

    def clear_filters(self) -> None:
        widgets = (self.officer, self.device, self.status, self.date_from, self.date_to, self.village)
        for w in widgets:  # one refresh at the end, not one per widget
            w.blockSignals(True)
        for combo in (self.officer, self.device, self.status):
            combo.setCurrentIndex(0)
        for edit in (self.date_from, self.date_to):
            edit.setDate(NO_DATE)
        self.village.clear_village()
        for w in widgets:
            w.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        if not reports_data.may_view(self.ctx.ws):  # other roles see the explanation only
            return
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
        _fill(self.batches, [_batch_row(b) for b in o.batches], {4, 6, 7, 8, 9, 10})
        self.results.setRowCount(0)
        cov = o.coverage
        _fill(self.villages, [[v.village_name, v.district_name, "", v.accepted, v.kpj] for v in cov.villages], {3, 4})
        for r, v in enumerate(cov.villages):
            self.villages.item(r, 2).setData(BAR_ROLE, (v.target, v.enrolled, v.accepted))
            self.villages.item(r, 0).setToolTip(v.village_code)
        officers = [
            [f"{x.full_name} ({x.username})", x.enrolled, x.accepted, x.waiting, x.problems] for x in cov.officers
        ]
        _fill(self.officers, officers, {1, 2, 3, 4})
        days = [[d.day.strftime("%d-%m-%Y"), d.enrolled, d.accepted, d.kpj] for d in reversed(cov.days)]
        _fill(self.days, days, {1, 2, 3})
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
        shown = number(len(o.batches))
        self.info.setText(tr(f"{shown} kiriman ditampilkan (terbaru dulu).", f"{shown} batches shown (newest first)."))

    def _show_health(self, o: reports_data.Overview) -> None:
        rows, late = [], []
        for d in o.devices:
            if d.warning:
                late.append(d.name)
            overdue = tr(f"Belum sinkron > {o.warning_hours} jam", f"Not synced for > {o.warning_hours} h")
            state = overdue if d.warning else tr("Baik", "Fine")
            when = ago(d.last_sync) if d.last_sync else tr("belum pernah", "never")
            oldest = _when(d.oldest_waiting) if d.oldest_waiting else "–"
            this = tr(" (laptop ini)", " (this laptop)") if d.this_device else ""
            rows.append([d.name + this, when, d.waiting, oldest, d.failed_batches, d.problems, state])
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
        work = lambda: reports_data.batch_results(ws, batch, status)  # noqa: E731
        self.ctx.runner.run_db(work, self._show_results, key=f"batch-results-{id(self)}", owner=self)

    def _show_results(self, results) -> None:
        rows = [
            [r.local_number, r.full_name, r.nik, r.village_name, r.revision, _status(r.status), r.code, r.message]
            for r in results
        ]
        _fill(self.results, rows, {4})

    def _unmasked_toggled(self, on: bool) -> None:
        if on:
            self.format.setCurrentIndex(self.format.findData("xlsx"))
        self.format.setEnabled(not on)
        self.file_password.setVisible(on)
        if not on:
            self.file_password.clear()

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
        f, unmasked, file_password = self.filters(), self.unmasked.isChecked(), self.file_password.text()
        cancel = threading.Event()
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
            return exports.export(ws, kind, fmt, path, filters=f, unmasked=unmasked, file_password=file_password,
                                  progress=relay.progressed.emit, cancel=cancel)

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
            self.info.setText(exc.text() if isinstance(exc, UserFacingError) else "")
            if not (isinstance(exc, UserFacingError) and exc.code == "cancelled"):
                self.ctx.runner.on_error(exc)  # a cancel only shows its line; anything else the message box

        self.ctx.runner.run_db(work, done, failed, owner=self)

    def open_import(self) -> None:
        from fieldapp.ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.ctx, self)
        wizard.finished.connect(lambda _result: self._changed())
        wizard.open()
