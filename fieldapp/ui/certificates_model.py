"""The Sertifikat page's list: who will be printed, final or provisional, and how often each was printed."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor

from fieldapp.i18n import tr
from fieldapp.services.certificates import CertificatePreviewRow
from fieldapp.ui import style

REPRINT_TINT = QColor("#fff4d6")  # the rows a print run would reprint (they need a reason)
FINAL_INK = QColor(style.OK)  # "Final": BPJS has issued the KPJ
COLUMN_SAMPLES = ("Nama", "3216********0003", "3216062002-ABCD-000001", "Sementara", "Dicetak")


class PrintRowsModel(QAbstractTableModel):
    """One row per participant. "Dicetak" counts the papers of the kind chosen; the tooltip tells both kinds."""

    HEADERS = (
        ("Nama", "Name"),
        ("NIK", "NIK"),
        ("KPJ / No. pendaftaran", "KPJ / registration no."),
        ("Status", "Status"),
        ("Dicetak", "Printed"),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[CertificatePreviewRow] = []
        self.kind = "certificate"

    def set_rows(self, rows: list[CertificatePreviewRow], kind: str) -> None:
        self.beginResetModel()
        self.rows, self.kind = rows, kind
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(*self.HEADERS[section])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 4:
                return f"{r.printed(self.kind)}×" if r.printed(self.kind) else "–"
            status = tr("Final", "Final") if r.final else tr("Sementara", "Provisional")
            return (r.full_name, r.masked_nik, r.kpj or r.local_number, status)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 4:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 3 and r.final:
            return FINAL_INK
        if role == Qt.ItemDataRole.BackgroundRole and r.printed(self.kind):
            return REPRINT_TINT
        if role == Qt.ItemDataRole.ToolTipRole:
            number = (
                tr(f"KPJ {r.kpj}", f"KPJ {r.kpj}")
                if r.kpj
                else tr(
                    f"No. pendaftaran {r.local_number}; KPJ belum terbit", f"Registration {r.local_number}; no KPJ yet"
                )
            )
            printed = tr(
                f"sertifikat dicetak {r.certificates_printed}×, kartu {r.cards_printed}×",
                f"certificate printed {r.certificates_printed}×, card {r.cards_printed}×",
            )
            return f"{r.full_name} · {r.village_name} · {number} · {printed}"
        return None

    def reprints(self) -> int:
        return sum(1 for r in self.rows if r.printed(self.kind))
