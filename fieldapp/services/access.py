"""Who may do what (issue 7): the roles of each kind of work, and the area and ownership rules.

Officers enrol and edit their own records in their own area; clerks search and print; supervisors do everything
in their area (and export, and send records back); admins keep accounts and settings. Services call ``require``
with one of the permissions below, so the roles of a kind of work are written down once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from fieldapp.domain.nik import mask_nik
from fieldapp.domain.participant import ROLES, Participant, ParticipantRow
from fieldapp.errors import PermissionDenied
from fieldapp.services import audit
from fieldapp.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Permission:
    roles: tuple[str, ...]
    action: tuple[str, str]  # (Indonesian, English), completing "You are not allowed to …"


EVERYONE = ROLES
ENROL = Permission(("officer", "supervisor"), ("mendaftarkan peserta", "enrol participants"))
EDIT = Permission(("officer", "supervisor"), ("mengubah data peserta", "edit participants"))
VISIT = Permission(("officer", "supervisor"), ("membuka atau menutup kunjungan", "open or close visits"))
IMPORT = Permission(("officer", "supervisor"), ("mengimpor daftar peserta", "import participant lists"))
SEARCH = Permission(("officer", "clerk", "supervisor"), ("mencari dan melihat data peserta",
                                                         "search and view participants"))
PRINT = Permission(("clerk", "supervisor"), ("mencetak sertifikat atau kartu peserta",
                                             "print certificates or participant cards"))
REPORT = Permission(("supervisor",), ("melihat laporan supervisor", "view supervisor reports"))
EXPORT = Permission(("supervisor",), ("mengekspor laporan", "export reports"))


def require(ws: Workspace, permission: Permission) -> None:
    ws.require(*permission.roles, action=permission.action)


def require_area(ws: Workspace, village_code: str) -> None:
    """Refuse work on a village outside the user's area (users without an area work everywhere)."""
    area = ws.user.area_code
    if area and not village_code.replace(".", "").startswith(area.replace(".", "")):
        raise PermissionDenied(f"bekerja di desa {village_code} di luar wilayah Anda ({area})",
                               f"work in village {village_code}, outside your area ({area})")


def viewed(ws: Workspace, entity: str, shown: Iterable[str], **detail: object) -> None:
    """Audit that the user saw full NIKs (UU PDP Pasal 31): ``shown`` names the records (never a NIK)."""
    shown = list(shown)
    if shown:
        with ws.store.sessions.begin() as session:
            audit.record(session, ws.user.username, "view_nik", entity, shown[0] if len(shown) == 1 else "",
                         records=shown, **detail)


def disclose(ws: Workspace, p: Participant | None) -> Participant | None:
    """A participant as this user may see it: NIK and KK masked for roles that do not need them, else audited."""
    if p is None:
        return None
    if not ws.user.may_see_nik:
        kk = mask_nik(p.data.kk_number) if p.data.kk_number else ""
        return replace(p, data=replace(p.data, nik=mask_nik(p.data.nik), kk_number=kk))
    viewed(ws, "participant", [p.uuid])
    return p


def disclose_rows(ws: Workspace, rows: list[ParticipantRow]) -> list[ParticipantRow]:
    """List rows as this user may see them: NIKs masked, or audited (by local number) when shown in full."""
    if not ws.user.may_see_nik:
        return [replace(r, nik=mask_nik(r.nik)) for r in rows]
    viewed(ws, "participants", [r.local_number for r in rows])
    return rows


def require_own(ws: Workspace, owner_id: int | None, action: tuple[str, str]) -> None:
    """An officer works only on what they made; the other roles allowed the action work on anyone's."""
    if ws.user.role == "officer" and owner_id != ws.user.id:
        raise PermissionDenied(*action)
