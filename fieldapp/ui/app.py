"""Composition root of the desktop app: the QApplication, log-in (or first run), the main window.

``build_window`` is the seam for tests, screenshots and benchmarks: the main window exactly as ``fieldapp``
shows it after that user logged in.
"""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog

from fieldapp import buildinfo, i18n
from fieldapp.logmask import MaskingFormatter
from fieldapp.services.workspace import DEFAULTS, Workspace
from fieldapp.ui import compat, lock, style
from fieldapp.ui.login import FirstRunDialog, LoginDialog, store_exists
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.tasks import TaskRunner

log = logging.getLogger(__name__)
SETTING_KEYS = tuple(dict.fromkeys((*DEFAULTS, lock.SETTING)))


def application() -> QApplication:
    """The process's QApplication, created on first use."""
    compat.protect_singletons()
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("fieldapp")
        app.setApplicationDisplayName("fieldapp")
    return app


def window_for(ws: Workspace, runner: TaskRunner | None = None) -> MainWindow:
    """The main window for an opened workspace, in the user's language and font size."""
    app = application()
    settings = {key: ws.setting(key) for key in SETTING_KEYS}  # a handful of key lookups, once
    language = settings.get("language") or "id"
    i18n.set_language(language if language in i18n.LANGUAGES else "id")
    style.apply(app, int(settings.get("font_size") or style.DEFAULT_FONT))
    window = MainWindow(ws, runner or TaskRunner(), settings)
    # Everything loaded so far (SQLAlchemy, the region and rate tables, the widgets) lives as long as the app:
    # keep it out of the collector's full passes, which otherwise stall the UI ~50 ms now and then.
    gc.freeze()
    return window


def build_window(data_dir: Path, username: str, password: str) -> MainWindow:
    """The main window as ``username`` sees it right after logging in (not shown yet)."""
    application()
    ws = Workspace.open(Path(data_dir), username, password)
    try:
        return window_for(ws)
    except Exception:
        ws.close()
        raise


def main(data_dir: Path) -> int:
    """Run the desktop app on ``data_dir``: first-run or log-in dialog, then the main window; again from the
    log-in when the window closed to it (log-out from the lock screen, a restored backup)."""
    console = logging.StreamHandler()
    console.setFormatter(MaskingFormatter())  # no NIK on the console either
    logging.basicConfig(level=logging.INFO, handlers=[console])
    buildinfo.start_file_log(Path(data_dir))
    app = application()
    data_dir = Path(data_dir)
    notice = ""
    while True:
        style.apply(app, style.DEFAULT_FONT)
        window, _dialog = _session(app, data_dir, notice)  # the dialog lives as long as its session
        if window is None:
            return 1
        try:
            code = app.exec()
        finally:
            window.shutdown()
        if window.back_to_login is None:
            return code
        notice = window.back_to_login
        window.deleteLater()


def _session(app: QApplication, data_dir: Path, notice: str) -> tuple[MainWindow | None, QDialog]:
    """One log-in and its main window, shown (None when the dialog was cancelled), and the dialog: deleting it
    right away, while events for it may still be queued, crashed the event loop now and then."""
    runner = TaskRunner()  # each session its own: a closed window shut its runner down
    first_run = not store_exists(data_dir)
    language_before = i18n.language()
    dialog = FirstRunDialog(runner, data_dir) if first_run else LoginDialog(runner, data_dir, notice=notice)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.workspace is None:
        runner.shutdown()
        return None, dialog
    ws = dialog.workspace
    if i18n.language() != language_before or first_run:
        ws.set_setting("language", i18n.language())  # chosen on the log-in dialog: keep it
    window = window_for(ws, runner)
    screen = app.primaryScreen()
    if screen is not None and screen.availableGeometry().width() <= 1440:
        window.showMaximized()  # the field laptops' 1366×768: every pixel counts
    else:
        window.show()  # the store's integrity check starts once shown (MainWindow.showEvent)
    return window, dialog
