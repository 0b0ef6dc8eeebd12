"""Frozen views of stored records, handed from the store to the UI, the CLI and the sync code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fieldapp.domain.enrolment import Enrolment
from fieldapp.domain.nik import mask_nik

ROLES = ("officer", "clerk", "supervisor", "admin")
#: Sync states of a record and statuses of a receipt, as people read them (Indonesian, English).
SYNC_LABELS = {
    "pending": ("menunggu dikirim", "waiting"),
    "sent": ("terkirim, menunggu tanda terima", "sent, awaiting receipt"),
    "accepted": ("diterima", "accepted"),
    "updated": ("diperbarui", "updated"),
    "unchanged": ("tidak berubah", "unchanged"),
    "duplicate_person": ("duplikat (NIK sudah terdaftar)", "duplicate (NIK already enrolled)"),
    "rejected": ("ditolak", "rejected"),
    "conflict": ("konflik versi", "version conflict"),
}
#: Roles whose work needs the full NIK on screen (DOMAIN.md: masked unless the role needs it).
ROLES_SEEING_NIK = ("officer", "supervisor")


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    username: str
    full_name: str
    role: str
    area_code: str | None = None

    @property
    def may_see_nik(self) -> bool:
        return self.role in ROLES_SEEING_NIK


@dataclass(frozen=True, slots=True)
class Participant:
    id: int
    uuid: str
    local_number: str
    data: Enrolment
    revision: int
    synced_revision: int
    sync_state: str
    sync_message: str
    kpj: str | None
    officer: str
    visit_id: int | None
    village_name: str
    enrolled_at: dt.datetime
    updated_at: dt.datetime
    active: bool = True

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.data.nik)


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    """One line of the participants list: only what the list shows."""

    id: int
    local_number: str
    full_name: str
    nik: str
    village_code: str
    village_name: str
    enrolled_at: dt.datetime
    sync_state: str
    kpj: str | None

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)


@dataclass(frozen=True, slots=True)
class Visit:
    id: int
    uuid: str
    village_code: str
    village_name: str
    visit_date: dt.date
    location_note: str
    funding_source: str
    programs: tuple[str, ...]
    sector: str
    start_month: dt.date
    officer: str
    closed: bool


@dataclass(frozen=True, slots=True)
class VillageProgress:
    village_code: str
    village_name: str
    target: int
    enrolled: int
    synced: int


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What the participants list asks for. ``text`` is name words, or digits for a NIK prefix."""

    text: str = ""
    village_code: str | None = None
    visit_id: int | None = None
    sync_state: str | None = None
    enrolled_from: dt.date | None = None
    enrolled_to: dt.date | None = None
    sort: str = "date"  # "date" (newest first) or "name"
    limit: int | None = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ServerRecord:
    """A NIK the server already holds under a record this laptop does not have (from the enrolled digests)."""

    server_uuid: str
    village_code: str
    village_name: str
    masked_nik: str
