"""Sinkronisasi: send what waits (the password asked per sync, never stored) with progress and cancel, each
batch's receipt, the records that need attention, the sync log, and the offline transfer by USB stick.

The sync runs on the network pool (``services.sync.sync_now``), reads on the database thread. Errors are a calm
message in the page, never a storm of dialogs: resending is always safe, and the message says what waits.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QProgressBar, QTabWidget, QVBoxLayout, QWidget

from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.services import sync, sync_view
from fieldapp.ui import style
from fieldapp.ui.context import Context
from fieldapp.ui.pages.sync_attention import AttentionList, PasswordDialog, SyncLog, TransferCard, button, named
from fieldapp.ui.widgets import RefreshWhenShown, ago, card, heading, label, number

log = logging.getLogger(__name__)
AUTO_MS = 3 * 60 * 1000  # auto-sync checks the server this often
AUTO_LABEL = ("Sinkronkan otomatis saat server terjangkau", "Sync automatically when the server is reachable")


class SyncPage(RefreshWhenShown, QWidget):
    progressed = Signal(int, int)  # emitted on the network thread, delivered on the UI thread (queued)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.running = False
        self.overview: sync_view.Overview | None = None
        self.password_dialog: PasswordDialog | None = None
        self._cancel = threading.Event()
        self.login: tuple[str, str] | None = None  # auto-sync only: this session's password, in memory, never stored
        self.timer = QTimer(self, interval=AUTO_MS)
        self.timer.timeout.connect(self.auto_tick)
        self.progressed.connect(self._progress)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 10)
        layout.setSpacing(8)
        layout.addWidget(heading(tr("Sinkronisasi", "Synchronisation")))
        top = QHBoxLayout()
        top.addWidget(self._server_card(), 3)
        self.transfer = TransferCard(ctx)
        self.transfer.started.connect(lambda phase: self._set_running(True, phase))
        self.transfer.finished.connect(self._finish)
        self.transfer.failed.connect(self._failed)
        top.addWidget(self.transfer, 1)
        layout.addLayout(top)
        self.result, box = card()
        self.result_text = named(label("", wrap=True, selectable=True), "sync_result")
        self.result_text.setTextFormat(Qt.TextFormat.PlainText)
        box.addWidget(self.result_text)
        self.result.setVisible(False)
        layout.addWidget(self.result)
        self.tabs = named(QTabWidget(), "sync_tabs")
        self.attention = AttentionList(ctx)
        self.log = SyncLog(ctx)
        self.log.open_participant.connect(self.attention.open)
        self.tabs.addTab(self.attention, tr("Perlu perhatian", "Needs attention"))
        self.tabs.addTab(self.log, tr("Log sinkronisasi", "Sync log"))
        layout.addWidget(self.tabs, 1)
        self._set_running(False)
        ctx.bus.participants_changed.connect(self._changed)
        ctx.bus.settings_changed.connect(lambda key: key == "server_url" and self._changed())

    def _server_card(self) -> QWidget:
        frame, box = card(tr("Kirim ke server", "Send to the server"))
        row = QHBoxLayout()
        row.addWidget(label(tr("Alamat server", "Server address")))
        self.url = named(QLineEdit(), "sync_server_url")
        self.url.setAccessibleName(tr("Alamat server", "Server address"))
        self.url.setPlaceholderText("https://server.dinas.go.id")
        self.url.editingFinished.connect(self._save_url)
        row.addWidget(self.url, 1)
        self.sync_button = button(tr("Sinkronkan sekarang", "Sync now"), "sync_now", self.start_sync, "primary")
        row.addWidget(self.sync_button)
        box.addLayout(row)
        self.status = named(label(tr("Memuat…", "Loading…"), wrap=True), "sync_status")
        box.addWidget(self.status)
        row = QHBoxLayout()
        self.progress = named(QProgressBar(), "sync_progress")
        self.progress.setFormat(tr("%v dari %m kiriman", "%v of %m batches"))
        row.addWidget(self.progress, 1)
        self.phase = named(label("", "muted"), "sync_phase")
        row.addWidget(self.phase)
        self.cancel_button = button(tr("Batal", "Cancel"), "sync_cancel", self.cancel)
        row.addWidget(self.cancel_button)
        box.addLayout(row)
        row = QHBoxLayout()
        self.auto = named(QCheckBox(tr(*AUTO_LABEL)), "auto_sync")
        self.auto.toggled.connect(self._auto_toggled)
        row.addWidget(self.auto)
        self.auto_note = named(label("", "muted"), "auto_sync_note")
        row.addWidget(self.auto_note, 1)
        box.addLayout(row)
        return frame

    # -- reading ---------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.dirty = False
        ws, run, key = self.ctx.ws, self.ctx.runner, f"sync-page-{id(self)}"
        run.run_db(lambda: sync_view.overview(ws), self._show_overview, key=key + "-overview", owner=self)
        run.run_db(lambda: sync_view.attention(ws), self._show_attention, key=key + "-attention", owner=self)
        run.run_db(lambda: sync.log(ws), self.log.show_entries, key=key + "-log", owner=self)

    def _show_overview(self, o: sync_view.Overview) -> None:
        if self.overview is None or not self.url.hasFocus():
            self.url.setText(o.server_url)
        self.overview = o
        last = ago(o.last_sync) if o.last_sync else tr("belum pernah", "never")
        waiting, attention = number(o.waiting), number(o.attention)
        self.status.setText(
            tr(
                f"{waiting} data menunggu dikirim · {attention} perlu perhatian · sinkron terakhir: {last}",
                f"{waiting} records waiting to be sent · {attention} need attention · last sync: {last}",
            )
        )

    def _show_attention(self, items) -> None:
        self.attention.show_items(items)
        title = tr("Perlu perhatian", "Needs attention")
        self.tabs.setTabText(0, f"{title} ({number(len(items))})" if items else title)

    def _save_url(self) -> None:
        url, ws = self.url.text().strip(), self.ctx.ws
        if sync_view.check_server_url(url) or (self.overview and url == self.overview.server_url):
            return  # a wrong address is reported when syncing; an unchanged one needs no save
        done = lambda _r: self.ctx.bus.settings_changed.emit("server_url")  # noqa: E731
        self.ctx.runner.run_db(lambda: ws.set_setting("server_url", url), done, owner=self)

    # -- syncing ---------------------------------------------------------------------------------------------
    def start_sync(self) -> None:
        """The "Sinkronkan sekarang" button: check the address, ask the password, then run."""
        problem = sync_view.check_server_url(self.url.text())
        if problem:
            self._say("warning", problem)
        if self.running or problem:
            return
        dialog = PasswordDialog(self.ctx.ws.user.username, self)
        dialog.accepted.connect(lambda: self.run(dialog.username.text().strip(), dialog.password.text()))
        dialog.finished.connect(dialog.deleteLater)
        self.password_dialog = dialog
        dialog.open()

    def run(self, username: str, password: str) -> None:
        """Sync now with these credentials (never stored; kept in memory only while auto-sync is on)."""
        if self.running:
            return
        ws, url, cancel, progressed = self.ctx.ws, self.url.text().strip(), threading.Event(), self.progressed
        self._cancel, started = cancel, dt.datetime.now(dt.timezone.utc)
        self._set_running(True)

        def work():
            return sync.sync_now(
                ws, url, username, password, progress=progressed.emit, cancel=cancel, verify=sync_view.tls_verify()
            )

        done = lambda report: self._done(report, started, (username, password))  # noqa: E731
        self.ctx.runner.run_network(work, done, self._failed, owner=self)

    def _set_running(self, running: bool, phase: str = "") -> None:
        self.running = running
        for w in (self.sync_button, self.transfer):
            w.setEnabled(not running)
        for w in (self.progress, self.phase, self.cancel_button):
            w.setVisible(running)
        self.cancel_button.setEnabled(running and not phase)  # a file export or import is not cancelled
        self.cancel_button.setVisible(running and not phase)
        self.progress.setRange(0, 0)  # busy until the first batch is done
        self.phase.setText(phase or tr("Menghubungi server…", "Contacting the server…"))

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        fetching = tr("Mengambil nomor KPJ dan data rujukan…", "Fetching KPJ numbers and reference data…")
        sending = tr(f"Mengirim kiriman {done + 1} dari {total}…", f"Sending batch {done + 1} of {total}…")
        self.phase.setText(fetching if done >= total else sending)

    def cancel(self) -> None:
        """The "Batal" button: stop before the next batch; the one under way finishes and its receipt is kept.
        The main window may call this before it shuts the task runner down."""
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.phase.setText(tr("Menghentikan setelah kiriman ini…", "Stopping after this batch…"))

    def _done(self, report: sync.SyncReport, started: dt.datetime, login: tuple[str, str]) -> None:
        if self.auto.isChecked() and self.login != login:
            self.login = login  # it worked: auto-sync may use it for the rest of this session
            self._auto_note()
        ws = self.ctx.ws
        work = lambda: (sync_view.receipted_since(ws, started), sync_view.overview(ws))  # noqa: E731
        self.ctx.runner.run_db(work, lambda r: self._show_report(report, *r), owner=self)

    def _show_report(self, report: sync.SyncReport, receipts, o: sync_view.Overview) -> None:
        self._set_running(False)
        text, look = sync_view.run_summary(report, receipts, o, dt.datetime.now(dt.timezone.utc))
        if o.attention:
            self.tabs.setCurrentWidget(self.attention)
        self._say("warning" if look else "info", text)
        self.ctx.bus.status.emit(text.splitlines()[0])
        self.ctx.bus.participants_changed.emit()  # states and KPJ numbers changed: every page reads again

    def _failed(self, exc: Exception) -> None:
        """A failed, stopped or refused run (or file transfer): the reason, and what still waits, in the page."""
        if isinstance(exc, UserFacingError):
            text = exc.text()
        else:
            log.error("sync failed", exc_info=exc)
            text = tr(
                "Sinkronisasi gagal karena kesalahan tak terduga; detailnya tercatat di log.",
                "The sync failed with an unexpected error; the details are in the log.",
            )
        code = getattr(exc, "code", "")
        if code == "auth":
            self.login = None  # a wrong or changed password is never tried again on its own
            self._auto_note()
        kind = "info" if code in ("cancelled", "nothing_pending") else "warning"
        ws = self.ctx.ws
        self.ctx.runner.run_db(lambda: sync_view.overview(ws), lambda o: self._finish(kind, text, o), owner=self)

    def _finish(self, kind: str, text: str, o: sync_view.Overview | None = None) -> None:
        self._set_running(False)
        self._say(kind, sync_view.failure_text(text, o) if o else text)
        self.ctx.bus.participants_changed.emit()

    def _say(self, kind: str, text: str) -> None:
        self.result.setProperty("role", "banner-warning" if kind == "warning" else "banner-info")
        style.repolish(self.result)
        self.result_text.setText(text)
        self.result.setVisible(True)

    # -- auto-sync -------------------------------------------------------------------------------------------
    def _auto_toggled(self, on: bool) -> None:
        """On: ask the password now (one sync runs at once), then check the server every few minutes."""
        if on:
            self.timer.start()
            if self.login is None:
                self.start_sync()
        else:
            self.timer.stop()
            self.login = None
        self._auto_note()

    def _auto_note(self, up: bool | None = None) -> None:
        at, every = dt.datetime.now().strftime("%H:%M"), AUTO_MS // 60_000
        if not self.auto.isChecked():
            text = ""
        elif self.login is None:
            text = tr("Menunggu kata sandi: tekan Sinkronkan sekarang.", "Waiting for the password: press Sync now.")
        elif up is None:
            text = tr(f"Server diperiksa tiap {every} menit.", f"The server is checked every {every} minutes.")
        elif up:
            text = tr(f"{at}: server terjangkau.", f"{at}: server reachable.")
        else:
            text = tr(f"{at}: server tidak terjangkau; dicoba lagi nanti.", f"{at}: server unreachable; trying later.")
        self.auto_note.setText(text)

    def auto_tick(self) -> None:
        """While auto-sync is on: when the server answers ``/health`` and records wait, sync them."""
        url, login, ws = self.url.text().strip(), self.login, self.ctx.ws
        if self.running or login is None or not self.auto.isChecked() or sync_view.check_server_url(url):
            return

        def checked(found: tuple[bool, int]) -> None:
            self._auto_note(found[0])
            if found[0] and found[1] and self.login == login:
                self.run(*login)

        def work() -> tuple[bool, int]:
            up = sync_view.reachable(url)
            return up, sync_view.overview(ws).waiting if up else 0

        self.ctx.runner.run_network(work, checked, key=f"sync-health-{id(self)}", owner=self)
