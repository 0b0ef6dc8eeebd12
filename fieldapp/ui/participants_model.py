"""The participants list's table model: it holds ids, and fetches the rows a view shows in small pages.

A search runs in stages on the database thread: the first page of ids together with its rows (what the
officer sees at once), then the remaining ids in chunks, each superseding nothing but the next, so a new
keystroke waits for at most one chunk. Ids stop at ``cap`` (``capped`` then says so). Rows are fetched for
the ids a view asks about, coalesced by a short timer, and kept in a bounded cache.
"""

from __future__ import annotations

import dataclasses
from array import array
from collections import OrderedDict

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal

from fieldapp.domain.participant import SearchQuery
from fieldapp.i18n import tr
from fieldapp.services import participants
from fieldapp.ui.context import Context

FIRST_PAGE = 100
CHUNKS = (2_000, 25_000)  # id chunk sizes after the first page: one small, then the rest in this size
ROW_BATCH = 300  # at most this many rows per fetch
CACHE_ROWS = 20_000
DEFAULT_CAP = 100_000

SYNC_LABELS = {
    "pending": ("Belum dikirim", "Not sent"),
    "sent": ("Terkirim", "Sent"),
    "accepted": ("Diterima", "Accepted"),
    "duplicate_person": ("Duplikat", "Duplicate"),
    "rejected": ("Ditolak", "Rejected"),
    "conflict": ("Konflik", "Conflict"),
}
COLUMNS = (
    ("local_number", ("No. pendaftaran", "Record no.")),
    ("full_name", ("Nama", "Name")),
    ("nik", ("NIK", "NIK")),
    ("village_name", ("Desa/kelurahan", "Village")),
    ("enrolled_at", ("Terdaftar", "Enrolled")),
    ("sync_state", ("Status kirim", "Sync state")),
    ("kpj", ("KPJ", "KPJ")),
)
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ParticipantsModel(QAbstractTableModel):
    first_page_ready = Signal()  # the first rows of a new search are in the model
    ids_complete = Signal()  # all ids of the search (up to the cap) are in

    def __init__(self, ctx: Context, cap: int = DEFAULT_CAP) -> None:
        super().__init__()
        self.ctx = ctx
        self.cap = cap
        self.query = SearchQuery()
        self.capped = False
        self.complete = False
        self.show_nik = ctx.ws.user.may_see_nik
        self._ids = array("q")
        self._rows: OrderedDict[int, object] = OrderedDict()
        self._generation = 0
        self._inflight: set[int] = set()  # row numbers being fetched
        self._wanted: set[int] = set()
        self._dispatch_seq = 0
        self._timer = QTimer(self, singleShot=True, interval=15)
        self._timer.timeout.connect(self._dispatch_rows)

    # -- Qt model interface ----------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return tr(*COLUMNS[section][1])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        pid = self._ids[index.row()]
        if role == ID_ROLE:
            return pid
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._rows.get(pid)
        if row is None:
            self._want(index.row())
            return "…" if index.column() == 1 and role == Qt.ItemDataRole.DisplayRole else None
        return self._text(row, COLUMNS[index.column()][0])

    def _text(self, row, column: str) -> str:
        if column == "nik":
            return row.nik if self.show_nik else row.masked_nik
        if column == "enrolled_at":
            return row.enrolled_at.astimezone().strftime("%d-%m-%Y")
        if column == "sync_state":
            return tr(*SYNC_LABELS.get(row.sync_state, (row.sync_state, row.sync_state)))
        return getattr(row, column) or ""

    def id_at(self, row: int) -> int:
        return self._ids[row]

    def row_at(self, row: int):
        """The loaded ParticipantRow at ``row``, or None while it is still being fetched."""
        return self._rows.get(self._ids[row]) if 0 <= row < len(self._ids) else None

    # -- searching -------------------------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> None:
        """Replace the contents with the matches of ``query`` (first page at once, the rest in chunks)."""
        self._generation += 1
        gen, ws = self._generation, self.ctx.ws
        self.query = query
        self.complete = False  # until the last id of this search is in (the old rows stay on screen till then)
        first = dataclasses.replace(query, limit=FIRST_PAGE, offset=0)

        def work():
            ids = participants.search_ids(ws, first)
            return ids, participants.rows_for_ids(ws, ids)

        self.ctx.runner.run_db(work, lambda r: self._first(gen, r), key="list-search", owner=self)

    def refresh(self) -> None:
        self.search(self.query)

    def _first(self, gen: int, result) -> None:
        if gen != self._generation:
            return
        ids, rows = result
        self.beginResetModel()
        self._ids = array("q", ids)
        self._inflight.clear()
        self._wanted.clear()
        self._store(rows)
        self.capped = False
        self.complete = len(ids) < FIRST_PAGE
        self.endResetModel()
        self.first_page_ready.emit()
        if self.complete:
            self.ids_complete.emit()
        else:
            self._next_chunk(gen, CHUNKS[0])

    def _next_chunk(self, gen: int, size: int) -> None:
        ws, offset = self.ctx.ws, len(self._ids)
        size = min(size, self.cap - offset)
        chunk = dataclasses.replace(self.query, limit=size, offset=offset)
        self.ctx.runner.run_db(
            lambda: participants.search_ids(ws, chunk),
            lambda ids: self._chunk(gen, size, ids),
            key="list-ids",
            owner=self,
        )

    def _chunk(self, gen: int, size: int, ids: list[int]) -> None:
        if gen != self._generation:
            return
        if ids:
            start = len(self._ids)
            self.beginInsertRows(QModelIndex(), start, start + len(ids) - 1)
            self._ids.extend(ids)
            self.endInsertRows()
        if len(ids) < size:
            self.complete = True
        elif len(self._ids) >= self.cap:
            self.complete = self.capped = True
        if self.complete:
            self.ids_complete.emit()
        else:
            self._next_chunk(gen, CHUNKS[-1])

    # -- rows ------------------------------------------------------------------------------------------------
    def _store(self, rows) -> None:
        for r in rows:
            self._rows[r.id] = r
            self._rows.move_to_end(r.id)
        while len(self._rows) > CACHE_ROWS:
            self._rows.popitem(last=False)

    def _want(self, row: int) -> None:
        if row not in self._inflight:
            self._wanted.add(row)
            if not self._timer.isActive():
                self._timer.start()

    def _dispatch_rows(self) -> None:
        """Fetch the rows views asked for since the last dispatch (the newest ones when too many)."""
        wanted = sorted(r for r in self._wanted if r < len(self._ids) and self._ids[r] not in self._rows)
        self._wanted.clear()
        if not wanted:
            return
        wanted = wanted[-ROW_BATCH:] if len(wanted) > ROW_BATCH else wanted
        self._inflight.update(wanted)
        self._dispatch_seq += 1
        gen, seq, ws = self._generation, self._dispatch_seq, self.ctx.ws
        ids = [self._ids[r] for r in wanted]

        def work():
            if seq < self._dispatch_seq - 3:  # scrolled far past: let the view ask again if still visible
                return None
            return participants.rows_for_ids(ws, ids)

        self.ctx.runner.run_db(work, lambda rows: self._rows_arrived(gen, wanted, rows), owner=self)

    def _rows_arrived(self, gen: int, wanted: list[int], rows) -> None:
        if gen != self._generation:
            return
        self._inflight.difference_update(wanted)
        if rows:
            self._store(rows)
        top, bottom = wanted[0], min(wanted[-1], len(self._ids) - 1)
        if top <= bottom:
            self.dataChanged.emit(self.index(top, 0), self.index(bottom, len(COLUMNS) - 1))
