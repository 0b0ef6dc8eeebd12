"""Small building blocks shared by the pages: field messages, headings, cards, number formats."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFrame,
    QLabel,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldapp.i18n import tr
from fieldapp.ui import style


class FieldMessage(QLabel):
    """The line under an input: red for an error (refuses the save), amber for a warning, green/grey for info.

    Never a dialog. ``kind`` is "" (empty), "error", "warning", "ok" or "muted".
    """

    def __init__(self, field: str, parent: QWidget | None = None, *, keep_space: bool = False) -> None:
        super().__init__(parent)
        self.keep_space = keep_space
        self.setObjectName(f"{field}_message")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.kind = ""
        self.setVisible(keep_space)

    def show_message(self, kind: str, text: str) -> None:
        if not text:
            kind = ""
        self.kind = kind
        self.setText(text)
        self.setProperty("role", kind or "muted")
        style.repolish(self)
        self.setVisible(bool(text) or self.keep_space)
        self.setAccessibleDescription(text)

    def clear_message(self) -> None:
        self.show_message("", "")


def mark(widget: QWidget, state: str) -> None:
    """Colour an input's border by its message kind ("error", "warning" or "")."""
    # Kept on the Python side: reading the Qt property back costs a QVariant round trip per keystroke.
    if state_of(widget) != state:
        widget.fieldapp_state = state
        widget.setProperty("state", state)
        style.repolish(widget)


def state_of(widget: QWidget) -> str:
    """The message kind an input is marked with ("error", "warning" or "")."""
    return getattr(widget, "fieldapp_state", "")


def label(text: str, role: str = "", *, wrap: bool = False, selectable: bool = False) -> QLabel:
    w = QLabel(text)
    if role:
        w.setProperty("role", role)
    w.setWordWrap(wrap)
    if selectable:
        w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return w


def heading(text: str, delta: int = 5) -> QLabel:
    w = label(text, "heading")
    w.setFont(style.scaled(w.font(), delta, bold=True))
    return w


def card(title: str | None = None) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setProperty("role", "card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 10, 14, 12)
    layout.setSpacing(6)
    if title:
        layout.addWidget(heading(title, 2))
    return frame, layout


def combo(items: list[tuple[str, str]], name: str, accessible: str) -> QComboBox:
    """A combo box of (code, label) pairs; the code is the item data."""
    box = QComboBox()
    box.setObjectName(name)
    box.setAccessibleName(accessible)
    for code, text in items:
        box.addItem(text, code)
    return box


def select_data(box: QComboBox, value: object) -> None:
    index = box.findData(value)
    box.setCurrentIndex(index if index >= 0 else 0)


def rupiah(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def number(n: int) -> str:
    """2.000 — the Indonesian thousands separator, in both languages (as on BPJS documents)."""
    return f"{n:,}".replace(",", ".")


def date_text(d: dt.date | None) -> str:
    return d.strftime("%d-%m-%Y") if d else ""


MONTHS = (
    ("Januari", "January"),
    ("Februari", "February"),
    ("Maret", "March"),
    ("April", "April"),
    ("Mei", "May"),
    ("Juni", "June"),
    ("Juli", "July"),
    ("Agustus", "August"),
    ("September", "September"),
    ("Oktober", "October"),
    ("November", "November"),
    ("Desember", "December"),
)


def month_text(d: dt.date) -> str:
    return f"{tr(*MONTHS[d.month - 1])} {d.year}"


def ago(then: dt.datetime, now: dt.datetime | None = None) -> str:
    """'3 jam lalu' / '3 hours ago'."""
    now = now or dt.datetime.now(dt.timezone.utc)
    minutes = max(0, int((now - then).total_seconds() // 60))
    if minutes < 60:
        return tr(f"{minutes} menit lalu", f"{minutes} minutes ago")
    hours = minutes // 60
    if hours < 48:
        return tr(f"{hours} jam lalu", f"{hours} hours ago")
    return tr(f"{hours // 24} hari lalu", f"{hours // 24} days ago")


ROLE_NAMES = {
    "officer": ("petugas", "officer"),
    "clerk": ("kerani", "clerk"),
    "supervisor": ("supervisor", "supervisor"),
    "admin": ("admin", "admin"),
}


def role_name(role: str) -> str:
    return tr(*ROLE_NAMES.get(role, (role, role)))


def read_only_rows(view: QTableView, name: str) -> QTableView:
    """A table people read and pick one row from: no editing, whole rows, no row numbers, no wrapping."""
    view.setObjectName(name)
    view.verticalHeader().setVisible(False)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    return view


class RefreshWhenShown:
    """For a page whose data can change while it is hidden: refresh now if it is visible, else when next shown.

    The page defines ``refresh()`` (which clears ``dirty``); showing the page refreshes it when dirty.
    """

    dirty = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.dirty:
            self.refresh()

    def _changed(self) -> None:
        self.dirty = True
        if self.isVisible():
            self.refresh()


NO_DATE = QDate(2000, 1, 1)  # a date filter's "any": its minimum, shown as the special value text


def date_filter(name: str, accessible: str = "") -> QDateEdit:
    """A from/to date filter of a list: dd-MM-yyyy with a calendar, "semua" (any) until a date is chosen."""
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setDisplayFormat("dd-MM-yyyy")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText(tr("semua", "any"))
    edit.setDate(NO_DATE)
    return edit
