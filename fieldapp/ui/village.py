"""Village type-ahead over all Indonesian villages: a line edit whose completer is fed by the regions service.

The search runs on the database thread (superseding the previous keystroke's query); the officer's own area
comes first. ``code`` holds the chosen village's compact code, "" while the text is not a chosen village.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit

from fieldapp.i18n import tr
from fieldapp.services import regions
from fieldapp.ui.context import Context

CODE_ROLE = Qt.ItemDataRole.UserRole + 1


def short_path(path: str, parts: int = 3) -> str:
    """'Lambangsari, Tambun Selatan, Kabupaten Bekasi, Jawa Barat' → its first ``parts`` names."""
    return ", ".join(path.split(", ")[:parts])


class VillageEdit(QLineEdit):
    chosen = Signal(str)  # the compact code, or "" when the text no longer names a chosen village

    def __init__(self, ctx: Context, name: str = "village", accessible: str | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.code = ""
        self.shown_parts = 3  # names of the path shown in the field (village, kecamatan, regency)
        self._hits: list = []
        self.setObjectName(name)
        self.setAccessibleName(accessible or tr("Desa/kelurahan", "Village"))
        self.setPlaceholderText(tr("ketik nama desa atau kode…", "type a village name or code…"))
        self._model = QStandardItemModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setMaxVisibleItems(10)
        self._completer.setWidget(self)
        self._completer.activated[QModelIndex].connect(self._activated)
        self._timer = QTimer(self, singleShot=True, interval=120)
        self._timer.timeout.connect(self._search)
        self.textEdited.connect(self._edited)
        self.editingFinished.connect(self._finished)

    def set_village(self, code: str, text: str) -> None:
        self.code = code
        self.setText(short_path(text, self.shown_parts) if text else code)
        self.setToolTip(text)
        self.setCursorPosition(0)
        self.chosen.emit(code)

    def clear_village(self) -> None:
        self.code = ""
        self.clear()
        self.chosen.emit("")

    def _edited(self, _text: str) -> None:
        if self.code:
            self.code = ""
            self.chosen.emit("")
        self._timer.start()

    def _search(self) -> None:
        text = self.text().strip()
        if not text:
            self._model.clear()
            self._completer.popup().hide()
            return
        ws = self.ctx.ws
        self.ctx.runner.run_db(
            lambda: (text, regions.search_villages(ws, text)), self._show_hits, key=f"village-{id(self)}", owner=self
        )

    def _show_hits(self, result) -> None:
        text, hits = result
        if text != self.text().strip() or self.code:
            return
        self._hits = hits
        self._model.clear()
        for hit in hits:
            item = QStandardItem(short_path(hit.path))
            item.setData(hit.code, CODE_ROLE)
            item.setToolTip(f"{hit.path} ({hit.code})")
            self._model.appendRow(item)
        if hits and self.hasFocus():
            self._completer.complete()
        elif not hits:
            self._completer.popup().hide()

    def _activated(self, index: QModelIndex) -> None:
        code = index.data(CODE_ROLE)
        hit = next((h for h in self._hits if h.code == code), None)
        self.set_village(code, hit.path if hit else index.data())

    def _finished(self) -> None:
        """Enter/Tab without picking: take the only hit, or the own-area hit whose name is exactly the text."""
        if self.code or not self._hits or not self.text().strip():
            return
        first = self._hits[0]
        area = self.ctx.ws.user.area_code or "-"
        exact = first.name.casefold() == self.text().strip().casefold() and first.code.startswith(area)
        if len(self._hits) == 1 or exact:
            self._completer.popup().hide()
            self.set_village(first.code, first.path)
