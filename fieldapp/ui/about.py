"""About dialog: which fieldapp this is (version, build date) and where it keeps data, backups and its log.

An officer reads these lines to a help desk over the phone, so they are selectable and one button copies them.
"""

from __future__ import annotations

import platform
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp import buildinfo
from fieldapp.i18n import tr
from fieldapp.paths import resources_dir


def icon_path() -> Path | None:
    """The 256 px app icon: in the bundle's resources, or under packaging/ in a checkout."""
    for path in (
        resources_dir() / "icons" / "fieldapp-256.png",
        Path(__file__).resolve().parents[2] / "packaging" / "icons" / "fieldapp-256.png",
    ):
        if path.is_file():
            return path
    return None


class AboutDialog(QDialog):
    def __init__(self, data_dir: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle(tr("Tentang fieldapp", "About fieldapp"))
        self.info = buildinfo.info(data_dir)

        top = QHBoxLayout()
        icon = QLabel()
        path = icon_path()
        if path is not None:
            icon.setPixmap(QPixmap(str(path)).scaled(64, 64, mode=Qt.TransformationMode.SmoothTransformation))
        top.addWidget(icon)
        title = QLabel(
            f"<b style='font-size:14pt'>fieldapp {self.info.version}</b><br>"
            + tr(
                "Pendaftaran pekerja bukan penerima upah ke BPJS Ketenagakerjaan, luring lebih dulu.",
                "Enrolment of informal workers into BPJS Ketenagakerjaan, offline first.",
            )
        )
        title.setWordWrap(True)
        top.addWidget(title, 1)

        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for key, (label, value) in zip(("version", "build", "data", "backups", "log"), self.info.lines(), strict=True):
            field = QLabel(value)
            field.setObjectName(f"about_{key}")
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setWordWrap(True)
            form.addRow(label + ":", field)
            self.values[key] = field
        runtime = f"Python {platform.python_version()} · Qt (PySide6) {pyside_version} · {platform.system()}"
        self.values["runtime"] = QLabel(runtime)
        form.addRow(tr("Lingkungan", "Runtime") + ":", self.values["runtime"])

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(tr("Salin keterangan", "Copy details"))
        self.copy_button.setObjectName("about_copy")
        self.copy_button.clicked.connect(self.copy_details)
        self.open_button = QPushButton(tr("Buka folder data", "Open data folder"))
        self.open_button.setObjectName("about_open_data")
        self.open_button.clicked.connect(self.open_data_folder)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        self.setMinimumWidth(560)  # paths on one line where they fit
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def details(self) -> str:
        return self.info.text() + "\n  " + self.values["runtime"].text()

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details())

    def open_data_folder(self) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.info.data_dir)))


def show_about(parent: QWidget | None = None, data_dir: Path | None = None) -> AboutDialog:
    """Open the About dialog (modal to ``parent``) and return it."""
    dialog = AboutDialog(data_dir, parent)
    dialog.open()
    return dialog
