"""Records that came back as ``conflict``: the server holds a newer revision than the one this laptop edited.

A sync fetches the server's copy; the officer sees both versions side by side and keeps one. "Keep mine" sends the
laptop's version again as an edit of the server's revision; "take the server's" replaces the laptop's version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

from sqlalchemy import delete, select

from fieldapp.db import models as m
from fieldapp.db import participants as repo
from fieldapp.db.timeutil import utcnow
from fieldapp.domain.enrolment import Enrolment
from fieldapp.domain.record import from_record
from fieldapp.errors import DuplicateNik, NotFound, UserFacingError
from fieldapp.services import access, audit
from fieldapp.services.workspace import Workspace
from fieldapp.sync.client import SyncClient
from fieldapp.sync.errors import SyncError


@dataclass(frozen=True, slots=True)
class ConflictView:
    participant_id: int
    local_revision: int
    server_revision: int
    mine: Enrolment
    theirs: Enrolment
    differences: tuple[tuple[str, object, object], ...]  # (field, mine, server's)


def fetch_copies(ws: Workspace, client: SyncClient) -> int:
    """Fetch the server's copy of every record in ``conflict``. A copy the server no longer has (404) is
    skipped; a copy that is not this record's (``answers.check_record_copy``) fails the sync, keeping nothing."""
    with ws.store.sessions() as session:
        uuids = list(session.scalars(select(m.Participant.uuid).where(m.Participant.sync_state == "conflict")))
    fetched = 0
    for uuid in uuids:
        try:
            copy = client.record(uuid)  # checked: same uuid, revision in range, parses, valid NIK
        except SyncError as exc:
            if exc.status == 404:
                continue
            raise
        with ws.store.sessions.begin() as session:
            session.merge(m.ConflictCopy(participant_uuid=uuid, revision=copy["revision"],
                                         record=json.dumps(copy["record"], ensure_ascii=False), fetched_at=utcnow()))
        fetched += 1
    return fetched


def view(ws: Workspace, participant_id: int) -> ConflictView | None:
    """Both versions of a record in conflict, or None when the server's copy has not been fetched yet. Showing
    them shows full NIKs: audited."""
    access.require(ws, access.EDIT)
    with ws.store.sessions() as session:
        mine = repo.get(session, participant_id)
        if mine is None:
            raise NotFound("Peserta tidak ditemukan.", "Participant not found.")
        copy = session.get(m.ConflictCopy, mine.uuid)
        if copy is None or mine.sync_state != "conflict":
            return None
        theirs, _meta = from_record(json.loads(copy.record))
    diffs = tuple((f.name, getattr(mine.data, f.name), getattr(theirs, f.name)) for f in fields(Enrolment)
                  if getattr(mine.data, f.name) != getattr(theirs, f.name))
    access.viewed(ws, "participant", [mine.uuid], conflict=True)
    return ConflictView(participant_id, mine.revision, copy.revision, mine.data, theirs, diffs)


def resolve(ws: Workspace, participant_id: int, keep: str) -> None:
    """``keep="mine"``: resend the laptop's version on top of the server's revision. ``keep="server"``: take it."""
    access.require(ws, access.EDIT)
    conflict = view(ws, participant_id)
    if conflict is None:
        raise UserFacingError("Versi server belum diambil; sinkronkan dulu.",
                              "The server's version has not been fetched yet; sync first.", code="no_server_copy")
    with ws.store.sessions.begin() as session:
        row = session.get(m.Participant, participant_id)
        if ws.user.role == "officer" and row.officer_id != ws.user.id:
            raise UserFacingError("Hanya petugas yang mendaftarkan atau supervisor yang dapat memilih.",
                                  "Only the enrolling officer or a supervisor can choose.", code="forbidden")
        if keep == "server" and conflict.theirs.nik != row.nik:  # a NIK corrected elsewhere, held here by another
            holder = repo.find_active_by_nik(session, conflict.theirs.nik)
            if holder is not None:
                raise DuplicateNik(holder)
        if keep == "server":
            for key, value in repo.enrolment_values(conflict.theirs).items():
                setattr(row, key, value)
            row.revision = row.synced_revision = conflict.server_revision
            row.sync_state = "accepted"
        elif keep == "mine":
            row.synced_revision = conflict.server_revision
            row.revision = conflict.server_revision + 1
            row.sync_state = "pending"
        else:
            raise ValueError(f"keep must be 'mine' or 'server', not {keep!r}")
        row.sync_message, row.updated_at = "", utcnow()
        session.execute(delete(m.ConflictCopy).where(m.ConflictCopy.participant_uuid == row.uuid))
        audit.record(session, ws.user.username, "resolve_conflict", "participant", row.uuid, keep=keep,
                     fields=[name for name, _, _ in conflict.differences])
