"""Home (Beranda): the open visit, today's enrolments, records not yet sent, last sync, village progress."""

from __future__ import annotations

import datetime as dt
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldapp.i18n import tr
from fieldapp.services import stats
from fieldapp.ui.context import Context
from fieldapp.ui.widgets import RefreshWhenShown, ago, card, date_text, heading, label, number

AGGREGATES_EVERY_S = 60  # the pending count and village progress are recounted at most this often


def _big(text: str = "…") -> QLabel:
    w = heading(text, 12)
    w.setAlignment(Qt.AlignmentFlag.AlignLeft)
    return w


class _Cards(QGridLayout):
    """Cards side by side, wrapping after ``columns``; ``addWidget(card, stretch)`` like a row would take."""

    def __init__(self, columns: int) -> None:
        super().__init__()
        self.setSpacing(10)
        self.columns, self.count_ = columns, 0

    def addWidget(self, widget: QWidget, stretch: int = 1) -> None:
        row, column = divmod(self.count_, self.columns)
        super().addWidget(widget, row, column)
        self.setColumnStretch(column, max(stretch, self.columnStretch(column)))
        self.count_ += 1


class HomePage(RefreshWhenShown, QWidget):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.loaded: set[str] = set()  # parts that arrived: "quick", "counts", "progress" (tests, bench)
        self._aggregates_at: float | None = None  # when the counts over all participants were last asked for
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        user = ctx.ws.user
        layout.addWidget(heading(tr(f"Selamat datang, {user.full_name}", f"Welcome, {user.full_name}")))

        cards = _Cards(4 if self.font().pointSize() < 12 else 2)  # large text: two by two
        layout.addLayout(cards)
        frame, box = card(tr("Kunjungan terbuka", "Open visit"))
        self.visit = label("", wrap=True)
        self.visit.setObjectName("home_visit")
        box.addWidget(self.visit, 1)
        self.visit_button = QPushButton()
        self.visit_button.setObjectName("home_visit_button")
        self.visit_button.clicked.connect(lambda: ctx.bus.navigate.emit("enrol" if ctx.visit else "visit"))
        box.addWidget(self.visit_button, 0, Qt.AlignmentFlag.AlignLeft)
        cards.addWidget(frame, 3)

        frame, box = card(tr("Didaftarkan hari ini", "Enrolled today"))
        self.today = _big()
        self.today.setObjectName("home_today")
        box.addWidget(self.today)
        box.addStretch(1)
        cards.addWidget(frame, 2)

        frame, box = card(tr("Belum terkirim", "Not yet synced"))
        self.pending = _big()
        self.pending.setObjectName("home_pending")
        self.total = label("", "muted", wrap=True)
        box.addWidget(self.pending)
        box.addWidget(self.total)
        box.addStretch(1)
        cards.addWidget(frame, 2)

        frame, box = card(tr("Sinkronisasi terakhir", "Last sync"))
        self.sync = heading("…", 4)
        self.sync.setObjectName("home_last_sync")
        self.sync_note = label("", wrap=True)
        self.sync_note.setObjectName("home_sync_note")
        box.addWidget(self.sync)
        box.addWidget(self.sync_note)
        box.addStretch(1)
        cards.addWidget(frame, 3)

        frame, box = card(tr("Kemajuan per desa (target)", "Progress per village (target)"))
        self.progress_note = label(tr("Memuat…", "Loading…"), "muted")
        box.addWidget(self.progress_note)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        self.progress_grid = QGridLayout(inner)
        self.progress_grid.setContentsMargins(0, 0, 8, 0)
        self.progress_grid.setHorizontalSpacing(12)
        self.progress_grid.setColumnStretch(1, 1)
        scroll.setWidget(inner)
        box.addWidget(scroll, 1)
        layout.addWidget(frame, 1)

        ctx.bus.visit_changed.connect(self._show_visit)
        ctx.bus.participants_changed.connect(self._changed)
        self._show_visit(ctx.visit)

    def refresh(self) -> None:
        """Quick figures first; the aggregates over all participants queue behind interactive work."""
        self.dirty = False
        ws, run = self.ctx.ws, self.ctx.runner.run_db

        def quick():
            return stats.enrolled_today(ws), stats.last_sync(ws), int(ws.setting("sync_warning_hours") or 72)

        run(quick, self._show_quick, owner=self)
        now = time.monotonic()
        if self._aggregates_at is not None and now - self._aggregates_at < AGGREGATES_EVERY_S:
            return  # counted moments ago: with a million records these counts keep the database busy seconds
        self._aggregates_at = now
        run(lambda: stats.counts(ws), self._show_counts, owner=self, background=True)
        run(lambda: stats.village_progress(ws, limit=100), self._show_progress, owner=self, background=True)

    def _show_visit(self, v) -> None:
        if v is None:
            self.visit.setText(tr("Belum ada kunjungan terbuka.", "No visit is open."))
            self.visit_button.setText(tr("Buka kunjungan", "Open a visit"))
        else:
            self.visit.setText(f"<b>{v.village_name}</b><br>{date_text(v.visit_date)} · {v.location_note}")
            self.visit_button.setText(tr("Lanjut mendaftar", "Continue enrolling"))

    def _show_quick(self, result) -> None:
        today, last, warn_hours = result
        self.today.setText(number(today))
        if last is None:
            self.sync.setText(tr("Belum pernah", "Never"))
            self.sync_note.setText(tr("Data belum pernah dikirim ke server.", "No data was ever sent to the server."))
            self.sync_note.setProperty("role", "warning")
        else:
            self.sync.setText(ago(last))
            late = dt.datetime.now(dt.timezone.utc) - last > dt.timedelta(hours=warn_hours)
            self.sync_note.setText(
                tr(f"Lebih dari {warn_hours} jam: kirim data segera.", f"Over {warn_hours} hours: sync soon.")
                if late
                else last.astimezone().strftime("%d-%m-%Y %H:%M")
            )
            self.sync_note.setProperty("role", "warning" if late else "muted")
        self.sync_note.style().polish(self.sync_note)
        self.loaded.add("quick")

    def _show_counts(self, counts: dict) -> None:
        by_state = counts["participants"]["by_sync_state"]
        total = counts["participants"]["total"]
        self.pending.setText(number(by_state.get("pending", 0)))
        problems = sum(by_state.get(s, 0) for s in ("rejected", "conflict", "duplicate_person"))
        text = tr(f"dari {number(total)} peserta", f"of {number(total)} participants")
        if problems:
            text += tr(f"; {number(problems)} perlu diperiksa", f"; {number(problems)} need checking")
        self.total.setText(text)
        self.loaded.add("counts")

    def _show_progress(self, rows) -> None:
        grid = self.progress_grid
        while grid.count():
            item = grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for r, p in enumerate(rows):
            grid.addWidget(label(p.village_name), r, 0)
            bar = QProgressBar()
            bar.setObjectName(f"progress_{p.village_code}")
            bar.setMaximum(max(p.target, 1))
            bar.setValue(min(p.enrolled, p.target))
            bar.setFormat(f"{number(p.enrolled)} / {number(p.target)}")
            bar.setAccessibleName(
                tr(
                    f"{p.village_name}: {p.enrolled} dari target {p.target}",
                    f"{p.village_name}: {p.enrolled} of target {p.target}",
                )
            )
            grid.addWidget(bar, r, 1)
            grid.addWidget(label(tr(f"{number(p.synced)} diterima", f"{number(p.synced)} accepted"), "muted"), r, 2)
        self.progress_note.setText(
            tr("Belum ada peserta terdaftar.", "No participants enrolled yet.") if not rows else ""
        )
        self.progress_note.setVisible(not rows)
        grid.setRowStretch(len(rows), 1)
        self.loaded.add("progress")
