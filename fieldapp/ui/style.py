"""Look of the app: one stylesheet, the colours of messages, the font size chosen in the settings."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

ERROR = "#b3261e"  # red: refuses the save
WARNING = "#8a5a00"  # amber, dark enough to read on white
OK = "#1e6b34"
MUTED = "#5f6368"
ACCENT = "#0b6e4f"  # BPJAMSOSTEK-like green

MIN_FONT, MAX_FONT, DEFAULT_FONT = 9, 16, 10

STYLESHEET = f"""
QListWidget#sidebar {{ background: transparent; border: none; outline: none; }}
QListWidget#sidebar::item {{ padding: 7px 12px; border-radius: 4px; margin: 1px 6px; color: #202124; }}
QListWidget#sidebar::item:selected {{ background: {ACCENT}; color: white; }}
QListWidget#sidebar::item:hover:!selected {{ background: #e2e8e4; }}
QLabel[role="heading"] {{ font-weight: 600; color: #1b1b1b; }}
QLabel[role="muted"] {{ color: {MUTED}; }}
QLabel[role="error"] {{ color: {ERROR}; }}
QLabel[role="warning"] {{ color: {WARNING}; }}
QLabel[role="ok"] {{ color: {OK}; }}
QFrame[role="card"] {{ background: white; border: 1px solid #d5dbd7; border-radius: 6px; }}
QFrame[role="banner-warning"] {{ background: #fff4d6; border: 1px solid #e8c15a; border-radius: 4px; }}
QFrame[role="banner-error"] {{ background: #fdecea; border: 1px solid #e6a29b; border-radius: 4px; }}
QFrame[role="banner-info"] {{ background: #e8f3ee; border: 1px solid #a9cdb9; border-radius: 4px; }}
QLineEdit[state="error"], QComboBox[state="error"] {{ border: 1px solid {ERROR}; }}
QLineEdit[state="warning"], QComboBox[state="warning"] {{ border: 1px solid #d19a00; }}
QPushButton[role="primary"] {{
    background: {ACCENT}; color: white; border: none; border-radius: 4px; padding: 6px 14px; font-weight: 600;
}}
QPushButton[role="primary"]:disabled {{ background: #9bb8ab; }}
QPushButton[role="primary"]:focus {{ outline: 2px solid #0a4a35; }}
QProgressBar {{ border: 1px solid #c6cdc9; border-radius: 3px; background: #eef1ef; text-align: center; }}
QProgressBar::chunk {{ background: #8fcfb3; border-radius: 2px; }}
QStatusBar QLabel {{ color: {MUTED}; }}
"""


def apply(app: QApplication, font_size: int) -> None:
    """Apply the stylesheet and the base font size (points) to the whole application."""
    size = max(MIN_FONT, min(MAX_FONT, font_size))
    font = QFont(app.font())
    font.setPointSize(size)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)


def scaled(font: QFont, delta: int, *, bold: bool = False) -> QFont:
    """``font`` made ``delta`` points larger (headings)."""
    f = QFont(font)
    f.setPointSize(max(MIN_FONT, f.pointSize() + delta))
    f.setBold(bold)
    return f


def repolish(widget) -> None:
    """Re-evaluate the stylesheet after a dynamic property (``state``, ``role``) changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
