"""The main window: a sidebar of pages (Ctrl+1 … Ctrl+8), the pages in a stack, a status bar.

A language or font-size change rebuilds the pages at once, keeping what was typed into the enrolment form.
After some idle minutes the lock screen covers everything (``fieldapp.ui.lock``); once shown, the store's quick
integrity check runs in the background and a damaged store is written to no more (``fieldapp.ui.guard``).
``back_to_login`` tells ``app.main`` to show the log-in again once the window closed (log-out, restore).
"""

from __future__ import annotations

import importlib
import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from fieldapp import i18n
from fieldapp.i18n import tr
from fieldapp.services import access
from fieldapp.services.workspace import Workspace
from fieldapp.ui import style
from fieldapp.ui.about import show_about
from fieldapp.ui.context import Bus, Context
from fieldapp.ui.errors import error_text
from fieldapp.ui.guard import StoreGuard
from fieldapp.ui.lock import SETTING as IDLE_SETTING
from fieldapp.ui.lock import IdleWatch, LockScreen, minutes_from
from fieldapp.ui.pages.enrolment import EnrolmentPage
from fieldapp.ui.pages.home import HomePage
from fieldapp.ui.pages.participants import ParticipantsPage
from fieldapp.ui.pages.settings import SettingsPage
from fieldapp.ui.pages.visit import VisitPage, load_current_visit
from fieldapp.ui.tasks import TaskRunner
from fieldapp.ui.widgets import role_name

log = logging.getLogger(__name__)

#: Pages built the first time they are shown: their modules pull in PDF, spreadsheet and network code that a
#: start-up should not wait for.
LAZY_PAGES = {
    "certificates": ("fieldapp.ui.pages.certificates", "CertificatesPage"),
    "sync": ("fieldapp.ui.pages.sync", "SyncPage"),
    "reports": ("fieldapp.ui.pages.reports", "ReportsPage"),
}
PAGES = (
    ("home", ("Beranda", "Home")),
    ("visit", ("Kunjungan", "Visits")),
    ("enrol", ("Pendaftaran", "Enrolment")),
    ("participants", ("Peserta", "Participants")),
    ("certificates", ("Sertifikat", "Certificates")),
    ("sync", ("Sinkronisasi", "Sync")),
    ("reports", ("Laporan", "Reports")),
    ("settings", ("Pengaturan", "Settings")),
)
#: Pages whose whole purpose one permission covers: hidden from the sidebar (and Ctrl+N) for other roles.
PAGE_PERMISSIONS = {
    "visit": access.VISIT,
    "enrol": access.ENROL,
    "participants": access.SEARCH,
    "certificates": access.PRINT,
}


def pages_for(role: str) -> list[str]:
    return [name for name, _ in PAGES if name not in PAGE_PERMISSIONS or role in PAGE_PERMISSIONS[name].roles]


class _Placeholder(QWidget):
    """Stands in the page stack for a lazy page until it is first shown."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(f"{name}_placeholder")


class MainWindow(QMainWindow):
    def __init__(self, ws: Workspace, runner: TaskRunner, settings: dict[str, str]) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.ctx = Context(ws, runner, Bus())
        self.settings = settings
        self._closed = False
        self.back_to_login: str | None = None  # set when closing to the log-in: the notice it shows
        runner.on_error = self.show_error
        self.pages: dict[str, QWidget] = {}
        self.locked = False
        self._hidden_while_locked: list[QWidget] = []
        self._shortcuts_off: list[QShortcut] = []
        self._focus_before_lock: QWidget | None = None
        self._errors_while_locked: list[BaseException] = []

        content = QWidget()
        content.setObjectName("content")
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.guard = StoreGuard(self)
        body.addWidget(self.guard.banner)
        central = QWidget()
        body.addWidget(central, 1)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        side = QWidget()
        side.setObjectName("sidebar_panel")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 10, 0, 8)
        self.brand = QLabel()
        self.brand.setContentsMargins(16, 0, 8, 8)
        side_layout.addWidget(self.brand)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.currentRowChanged.connect(self._row_changed)
        side_layout.addWidget(self.sidebar, 1)
        side.setStyleSheet("#sidebar_panel { background: #f1f4f2; border-right: 1px solid #d5dbd7; }")
        row.addWidget(side)
        self.stack = QStackedWidget()
        row.addWidget(self.stack, 1)
        self.content = content
        self.lock_screen = LockScreen(self.ctx)
        self.lock_screen.unlocked.connect(self.unlock)
        self.lock_screen.log_out.connect(lambda: self.close_to_login(""))
        self.screens = QStackedWidget()  # the content, or the lock screen in its place: never both
        self.screens.addWidget(content)
        self.screens.addWidget(self.lock_screen)
        self.setCentralWidget(self.screens)
        self.idle = IdleWatch(self)
        self.idle.idle.connect(self.lock)
        self.idle.set_minutes(minutes_from(settings))
        self._shown_once = False
        self.user_label = QLabel()
        self.statusBar().addPermanentWidget(self.user_label)
        self.about_button = QPushButton()
        self.about_button.setObjectName("about_button")
        self.about_button.setFlat(True)
        self.about_button.setToolTip("F1")
        self.about_button.clicked.connect(self.show_about)
        self.statusBar().addPermanentWidget(self.about_button)
        QShortcut(QKeySequence("F1"), self).activated.connect(self.show_about)

        for n in range(len(PAGES)):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{n + 1}"), self)
            shortcut.activated.connect(lambda n=n: self.show_page(PAGES[n][0]))
        self._build()
        self.resize(1366, 740)
        load_current_visit(self.ctx)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.idle.start()
            QTimer.singleShot(0, self.guard.start_check)  # after the first paint, never before

    # -- pages -----------------------------------------------------------------------------------------------
    def _build(self) -> None:
        """(Re)create every page in the current language, keeping the enrolment form's draft."""
        old = self.pages.get("enrol")
        draft = (old.form.snapshot(), old.editing) if old is not None else None
        current = self.current_page()
        for page in self.pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        # A fresh bus for the new pages: whatever the old pages hooked onto the old one (lambdas included)
        # goes with it, so no event reaches a page that is being deleted.
        old_ctx = self.ctx
        self.ctx = ctx = Context(old_ctx.ws, old_ctx.runner, Bus(), old_ctx.visit, old_ctx.visit_path)
        ctx.bus.navigate.connect(self.show_page)
        ctx.bus.status.connect(self._status)
        ctx.bus.settings_changed.connect(self._setting_changed)
        if hasattr(self, "lock_screen"):
            self.lock_screen.ctx = ctx
            self.lock_screen.retranslate()
        self.pages = {
            "home": HomePage(ctx),
            "visit": VisitPage(ctx),
            "enrol": EnrolmentPage(ctx),
            "participants": ParticipantsPage(ctx),
            **{name: _Placeholder(name) for name in LAZY_PAGES},
            "settings": SettingsPage(ctx, self.settings),
        }
        self.pages = {name: self.pages[name] for name, _ in PAGES}  # stack order = sidebar order
        for page in self.pages.values():
            self.stack.addWidget(page)
        if draft is not None:
            enrol = self.pages["enrol"]
            enrol.form.restore(draft[0])
            enrol.editing = draft[1]
            enrol._update_mode()
        self.sidebar.blockSignals(True)
        self.sidebar.clear()
        width = 0
        for n, (name, title) in enumerate(PAGES):
            item = QListWidgetItem(tr(*title))
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(f"Ctrl+{n + 1}")
            self.sidebar.addItem(item)
            item.setHidden(name not in pages_for(ctx.ws.user.role))
            width = max(width, self.sidebar.fontMetrics().horizontalAdvance(tr(*title)))
        self.sidebar.blockSignals(False)
        self.sidebar.setFixedWidth(width + 60)
        user = ctx.ws.user
        self.brand.setText(f"<b>fieldapp</b><br><span style='color:{style.MUTED}'>BPU · BPJS Ketenagakerjaan</span>")
        self.user_label.setText(
            f"{user.full_name} ({role_name(user.role)}) · " + tr("Perangkat", "Device") + f": {ctx.ws.device.name}"
        )
        self.about_button.setText(tr("Tentang", "About"))
        self.setWindowTitle(f"fieldapp — {user.full_name}")
        self.pages["settings"].restored.connect(self.restored)
        self.guard.pages_built()
        self.show_page(current or "home")

    def show_about(self) -> None:
        self.about_dialog = show_about(self, self.ctx.ws.data_dir)

    def current_page(self) -> str | None:
        widget = self.stack.currentWidget()
        return next((name for name, page in self.pages.items() if page is widget), None)

    def page(self, name: str) -> QWidget:
        """The page ``name``, built now if it is one of the lazy ones not shown yet."""
        page = self.pages[name]
        if isinstance(page, _Placeholder):
            module, cls = LAZY_PAGES[name]
            real = getattr(importlib.import_module(module), cls)(self.ctx, self.stack)  # never a window of its own
            index = self.stack.indexOf(page)
            self.stack.insertWidget(index, real)
            self.stack.removeWidget(page)
            page.deleteLater()
            self.pages[name] = page = real
        return page

    def show_page(self, name: str) -> None:
        names = [n for n, _ in PAGES]
        if name in pages_for(self.ctx.ws.user.role):
            self.sidebar.blockSignals(True)
            self.sidebar.setCurrentRow(names.index(name))
            self.sidebar.blockSignals(False)
            self.stack.setCurrentWidget(self.page(name))
            if name == "enrol":
                self.pages["enrol"].form.inputs["nik"].setFocus(Qt.FocusReason.OtherFocusReason)

    def _status(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(PAGES):
            self.show_page(PAGES[row][0])

    def _setting_changed(self, key: str) -> None:
        if key == "language":
            i18n.set_language(self.settings["language"])
            self._build()
        elif key == "font_size":
            style.apply(QApplication.instance(), int(self.settings["font_size"]))
            self._build()
        elif key == IDLE_SETTING:
            self.idle.set_minutes(minutes_from(self.settings))

    # -- idle lock -------------------------------------------------------------------------------------------
    def lock(self) -> None:
        """Cover everything: the pages and the status bar are hidden, open dialogs too (and come back after);
        what was typed stays in its widgets."""
        if self.locked or self._closed:
            return
        self.locked = True
        self._focus_before_lock = QApplication.focusWidget()
        self._hidden_while_locked = [
            w for w in QApplication.topLevelWidgets() if w is not self and w.isVisible() and self._owns(w)
        ]
        for w in self._hidden_while_locked:
            w.hide()
        self._shortcuts_off = [s for s in self.findChildren(QShortcut) if s.isEnabled()]
        for shortcut in self._shortcuts_off:
            shortcut.setEnabled(False)
        self.statusBar().hide()
        self.screens.setCurrentWidget(self.lock_screen)
        self.lock_screen.reset()
        log.info("idle lock: locked")

    def unlock(self) -> None:
        if not self.locked:
            return
        self.locked = False
        self.screens.setCurrentWidget(self.content)
        self.statusBar().show()
        for shortcut in self._shortcuts_off:
            if isValid(shortcut):
                shortcut.setEnabled(True)
        for w in self._hidden_while_locked:
            if isValid(w):
                w.show()
        self._hidden_while_locked, self._shortcuts_off = [], []
        focus, self._focus_before_lock = self._focus_before_lock, None
        if focus is not None and isValid(focus) and focus.isVisible():
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self.idle.restart()
        errors, self._errors_while_locked = self._errors_while_locked, []
        for exc in errors:
            self.show_error(exc)
        log.info("idle lock: unlocked")

    def _owns(self, widget: QWidget) -> bool:
        parent = widget.parentWidget()
        while parent is not None:
            if parent is self:
                return True
            parent = parent.parentWidget()
        return False

    # -- back to the log-in ----------------------------------------------------------------------------------
    def close_to_login(self, notice: str) -> None:
        """Close the window; ``app.main`` shows the log-in again (with ``notice``, when there is one)."""
        self.back_to_login = notice
        self.close()

    def restored(self, chosen, _replaced) -> None:
        from fieldapp.ui.restore import restored_text

        self.close_to_login(restored_text(chosen))

    # -- errors and closing ----------------------------------------------------------------------------------
    def show_error(self, exc: BaseException) -> None:
        """The default for a failed background task: a message, never a crash (shown after unlocking if locked)."""
        if self.locked:
            self._errors_while_locked.append(exc)
            return
        text = error_text(exc)
        if text is None:
            log.error("unexpected error in a background task", exc_info=exc)
            text = tr(
                "Terjadi kesalahan tak terduga. Data yang sudah tersimpan tetap aman. Detailnya tercatat di log.",
                "An unexpected error happened. Records already saved are safe. The details are in the log.",
            )
        box = QMessageBox(QMessageBox.Icon.Warning, "fieldapp", text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("error_message")
        box.open()
        self.statusBar().showMessage(text, 15_000)

    def shutdown(self) -> None:
        """Let queued database work finish (a save reaches the disk), then close the store."""
        if not self._closed:
            self._closed = True
            self.idle.stop()
            self.ctx.runner.shutdown()
            self.ctx.ws.close()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
