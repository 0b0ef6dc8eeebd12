"""The participants list: search as you type (name words or NIK digits), filters, sort, open to edit."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.participant import SearchQuery
from fieldapp.i18n import tr
from fieldapp.services import visits
from fieldapp.ui.context import Context
from fieldapp.ui.participants_model import SYNC_LABELS, ParticipantsModel
from fieldapp.ui.village import VillageEdit
from fieldapp.ui.widgets import NO_DATE, date_filter, date_text, heading, label, number, read_only_rows

DEBOUNCE_MS = 150


class ParticipantsPage(QWidget):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dirty = True  # search again when shown
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 10)
        layout.setSpacing(8)
        layout.addWidget(heading(tr("Peserta", "Participants")))

        row = QHBoxLayout()
        self.search_box = QLineEdit()
        self.search_box.setObjectName("search")
        self.search_box.setAccessibleName(tr("Cari peserta", "Search participants"))
        self.search_box.setPlaceholderText(tr("Cari nama atau NIK…  (Ctrl+F)", "Search name or NIK…  (Ctrl+F)"))
        self.search_box.setClearButtonEnabled(True)
        row.addWidget(self.search_box, 3)
        self.sort = QComboBox()
        self.sort.setObjectName("sort")
        self.sort.setAccessibleName(tr("Urutan", "Sort"))
        self.sort.addItem(tr("Terbaru dulu", "Newest first"), "date")
        self.sort.addItem(tr("Nama A–Z", "Name A–Z"), "name")
        row.addWidget(self.sort)
        layout.addLayout(row)

        filters = QHBoxLayout()
        self.village = VillageEdit(ctx, "filter_village", tr("Saring desa", "Filter village"))
        self.village.setPlaceholderText(tr("semua desa", "all villages"))
        filters.addWidget(self.village, 3)
        self.visit = QComboBox()
        self.visit.setObjectName("filter_visit")
        self.visit.setAccessibleName(tr("Saring kunjungan", "Filter visit"))
        self.visit.addItem(tr("Semua kunjungan", "All visits"), None)
        self.visit.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.visit.setMinimumContentsLength(14)
        filters.addWidget(self.visit, 2)
        self.state = QComboBox()
        self.state.setObjectName("filter_sync_state")
        self.state.setAccessibleName(tr("Saring status kirim", "Filter sync state"))
        self.state.addItem(tr("Semua status", "Any state"), None)
        for code, names in SYNC_LABELS.items():
            self.state.addItem(tr(*names), code)
        filters.addWidget(self.state, 1)
        layout.addLayout(filters)
        filters = QHBoxLayout()
        filters.addWidget(label(tr("Terdaftar dari", "Enrolled from")))
        self.date_from = date_filter("filter_from", tr("Terdaftar dari", "Enrolled from"))
        filters.addWidget(self.date_from)
        filters.addWidget(label(tr("s/d", "to")))
        self.date_to = date_filter("filter_to", tr("Terdaftar sampai", "Enrolled to"))
        filters.addWidget(self.date_to)
        self.clear_button = QPushButton(tr("Hapus saringan", "Clear filters"))
        self.clear_button.setObjectName("clear_filters")
        self.clear_button.clicked.connect(self.clear_filters)
        filters.addWidget(self.clear_button)
        filters.addStretch(1)
        layout.addLayout(filters)

        self.model = ParticipantsModel(ctx)
        self.table = read_only_rows(QTableView(), "participants_table")
        self.table.setAccessibleName(tr("Daftar peserta", "Participants list"))
        self.table.setModel(self.model)
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        longest_state = max((tr(*v) for v in SYNC_LABELS.values()), key=len)
        samples = ("3216062002-ABCD-000001", "", "3216061207900003", "Lambangsari Jaya", "21-11-2026")
        samples = (*samples, longest_state, "12345678901")
        metrics = self.fontMetrics()
        for column, sample in enumerate(samples):
            if sample:
                header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the name takes what is left
        header.setStretchLastSection(False)
        self.table.activated.connect(lambda index: self.open_row(index.row()))  # double-click or Enter
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.info = label("", "muted")
        self.info.setObjectName("list_info")
        bottom.addWidget(self.info, 1)
        self.open_button = QPushButton(tr("Buka untuk diubah  (Enter)", "Open to edit  (Enter)"))
        self.open_button.setObjectName("open_participant")
        self.open_button.clicked.connect(lambda: self.open_row(self.table.currentIndex().row()))
        bottom.addWidget(self.open_button)
        layout.addLayout(bottom)

        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.search)
        self.search_box.textEdited.connect(lambda _t: self._timer.start())
        self.search_box.returnPressed.connect(self._to_table)
        self.village.chosen.connect(lambda _c: self.search())
        for box in (self.visit, self.state, self.sort):
            box.currentIndexChanged.connect(lambda _i: self.search())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self._timer.start())
        self.model.first_page_ready.connect(self._show_info)
        self.model.ids_complete.connect(self._show_info)
        self.model.rowsInserted.connect(self._show_info)
        shortcut = QShortcut(QKeySequence("Ctrl+F"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.focus_search)
        ctx.bus.participants_changed.connect(self._changed)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.dirty:
            self.search()
            ws = self.ctx.ws
            self.ctx.runner.run_db(lambda: visits.list_visits(ws, limit=100), self._fill_visits, owner=self)
        self.search_box.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fill_visits(self, rows) -> None:
        current = self.visit.currentData()
        self.visit.blockSignals(True)
        while self.visit.count() > 1:
            self.visit.removeItem(1)
        for v in rows:
            self.visit.addItem(f"{date_text(v.visit_date)} · {v.village_name} · {v.officer}", v.id)
        index = self.visit.findData(current)
        self.visit.setCurrentIndex(max(index, 0))
        self.visit.blockSignals(False)

    def _changed(self) -> None:
        self.dirty = True
        if self.isVisible():
            self.search()

    def query(self) -> SearchQuery:
        start, end = self.date_from.date(), self.date_to.date()
        return SearchQuery(
            text=self.search_box.text().strip(),
            village_code=self.village.code or None,
            visit_id=self.visit.currentData(),
            sync_state=self.state.currentData(),
            enrolled_from=start.toPython() if start != NO_DATE else None,
            enrolled_to=end.toPython() if end != NO_DATE else None,
            sort=self.sort.currentData(),
        )

    def search(self) -> None:
        self._timer.stop()
        self.dirty = False
        self.info.setText(tr("Mencari…", "Searching…"))
        self.model.search(self.query())

    def _show_info(self, *_args) -> None:
        n = self.model.rowCount()
        if self.model.capped:
            text = tr(
                f"Lebih dari {number(n)} cocok: menampilkan {number(n)} pertama. Persempit pencarian atau saringan.",
                f"More than {number(n)} match: showing the first {number(n)}. Narrow the search or filters.",
            )
        elif self.model.complete:
            text = (
                tr(f"{number(n)} peserta", f"{number(n)} participants")
                if n
                else tr("Tidak ada peserta yang cocok.", "No participant matches.")
            )
        else:
            text = tr(f"{number(n)}+ peserta, memuat…", f"{number(n)}+ participants, loading…")
        if not self.ctx.ws.user.may_see_nik:
            text += tr("  ·  NIK disamarkan untuk peran Anda", "  ·  NIKs are masked for your role")
        self.info.setText(text)

    def clear_filters(self) -> None:
        for box in (self.visit, self.state):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(True)
            edit.setDate(NO_DATE)
            edit.blockSignals(False)
        self.village.clear_village()
        self.search()

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def _to_table(self) -> None:
        """Enter in the search box: search now, then go to the first row (Enter again opens it)."""
        if self._timer.isActive():
            self.search()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.model.rowCount():
            self.table.selectRow(0)

    def open_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.ctx.bus.edit_participant.emit(self.model.id_at(row))
