"""The dialog shown when a NIK is already enrolled: the existing record, open it or cancel. Never a silent second."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout, QWidget

from fieldapp.i18n import tr
from fieldapp.ui.widgets import heading, label


class DuplicateDialog(QDialog):
    open_existing = Signal(int)  # the existing participant's id

    def __init__(self, existing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicate_dialog")
        self.existing = existing
        self.setWindowTitle(tr("NIK sudah terdaftar", "NIK already enrolled"))
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("NIK ini sudah terdaftar", "This NIK is already enrolled"), 3))
        layout.addWidget(
            label(
                tr(
                    "Satu orang hanya boleh punya satu pendaftaran aktif. Periksa data yang ada; ubah bila perlu.",
                    "A person may have only one active enrolment. Check the existing record; edit it if needed.",
                ),
                "muted",
                wrap=True,
            )
        )
        form = QFormLayout()
        on_laptop = hasattr(existing, "data")  # else a record the server holds (from the last sync's digests)
        if on_laptop:
            rows = (
                ("NIK", existing.masked_nik),
                (tr("Nama", "Name"), existing.data.full_name),
                (tr("Desa/kelurahan", "Village"), existing.village_name),
                (tr("Tanggal daftar", "Enrolled on"), existing.enrolled_at.astimezone().strftime("%d-%m-%Y %H:%M")),
                (tr("Petugas", "Officer"), existing.officer),
                (tr("No. pendaftaran", "Record no."), existing.local_number),
            )
        else:
            rows = (
                ("NIK", existing.masked_nik),
                (tr("Desa/kelurahan", "Village"), existing.village_name),
                (
                    tr("Tersimpan di", "Held by"),
                    tr("server (didaftarkan dari laptop lain)", "the server (enrolled on another laptop)"),
                ),
            )
        for n, (caption, value) in enumerate(rows):
            value_label = label(value, selectable=True)
            value_label.setObjectName(f"existing_{n}")
            form.addRow(caption + ":", value_label)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton(
            tr("Buka data yang ada", "Open existing record"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.open_button.setObjectName("open_existing")
        self.open_button.setVisible(on_laptop)
        self.cancel_button = buttons.addButton(tr("Batal", "Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("cancel")
        buttons.accepted.connect(self._open)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.open_button if on_laptop else self.cancel_button).setDefault(True)

    def _open(self) -> None:
        self.accept()
        self.open_existing.emit(self.existing.id)
