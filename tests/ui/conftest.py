"""UI test helpers: the main window as a logged-in user on a real store, and keyboard helpers.

Everything is real: widgets (offscreen), the task runner's threads, the SQLite store from ``tests/conftest.py``.
Tests wait for visible results with ``qtbot.waitUntil`` and then assert the database through the services.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldapp.services import visits
from fieldapp.ui import compat
from fieldapp.ui.app import build_window
from tests.conftest import PASSWORD, open_as

compat.protect_singletons()  # before pytest-qt creates the QApplication (see fieldapp/ui/compat.py)

WAIT = 10_000  # ms: generous for a loaded CI machine; a passing test returns as soon as the result shows


def make_window(qtbot, data_dir, username: str = "petugas"):
    window = build_window(data_dir, username, PASSWORD)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


@pytest.fixture
def window(qtbot, data_dir):
    w = make_window(qtbot, data_dir)
    yield w
    w.close()
    w.shutdown()


@pytest.fixture
def open_visit(data_dir):
    """An open visit to Lambangsari (Tambun Selatan, Kabupaten Bekasi) for the officer, opened before log-in."""
    ws = open_as(data_dir, "petugas")
    try:
        yield visits.open_visit(
            ws,
            village_code="3216062002",
            visit_date=dt.date.today(),
            funding_source="apbd",
            programs="JKK,JKM",
            sector="other",
            start_month=dt.date.today().replace(day=1),
            location_note="Balai desa",
        )
    finally:
        ws.close()


def focused():
    return QApplication.focusWidget()


def type_text(qtbot, text: str) -> None:
    """Type into whichever widget has the keyboard focus, like a person would."""
    qtbot.keyClicks(focused(), text)


def tab(qtbot, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def ctrl_s(qtbot) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


@pytest.fixture
def db(data_dir):
    """A second workspace on the same store, for asserting what reached the database."""
    ws = open_as(data_dir, "sup")
    yield ws
    ws.close()
