"""Enrol and edit participants: validate with the domain rules, refuse a second active NIK, audit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from sqlalchemy import select, true, update
from sqlalchemy.exc import IntegrityError

from fieldapp.db import models as m
from fieldapp.db import participants as repo
from fieldapp.db.timeutil import utcnow
from fieldapp.domain.enrolment import Enrolment, Findings, validate
from fieldapp.domain.participant import Participant, ServerRecord
from fieldapp.errors import DuplicateNik, NotFound, UserFacingError, ValidationError
from fieldapp.services import access, audit, reference
from fieldapp.services.workspace import Workspace

ENROLLING_ROLES = access.ENROL.roles
OTHERS_RECORDS = ("mengubah data petugas lain", "edit another officer's records")


def check(ws: Workspace, e: Enrolment, *, today: dt.date | None = None) -> Findings:
    """Everything the form shows live: hard errors, warnings, the contribution; with this store's rate tables and
    region list (the reference data a sync or a supervisor's file brought)."""
    return validate(
        e,
        today=today,
        limits=ws.age_limits(),
        rates=reference.rate_book(ws),
        village_known=reference.known_regions(ws),
        dana_desa_counts_as_apbd=ws.setting("dana_desa_counts_as_apbd") == "1",
    )


def find_duplicate(ws: Workspace, nik: str, *, exclude_id: int | None = None) -> Participant | ServerRecord | None:
    """An active enrolment of this NIK: on this laptop, or on the server (from the last sync's digests)."""
    access.require(ws, access.SEARCH)
    with ws.store.sessions() as session:
        found = repo.find_active_by_nik(session, nik)
        if found is None and nik.isascii():
            return repo.server_duplicate(session, nik)
    if found is None or found.id == exclude_id:
        return None
    return access.disclose(ws, found) if isinstance(found, Participant) else found


def _checked(ws: Workspace, e: Enrolment) -> Enrolment:
    findings = check(ws, e)
    if not findings.ok:
        raise ValidationError(findings.errors)
    return findings.normalized


def enrol(ws: Workspace, e: Enrolment, *, visit_id: int | None = None) -> Participant:
    """Store a new enrolment. Returns only once the row is committed (fsynced) to disk."""
    access.require(ws, access.ENROL)
    e = _checked(ws, e)
    access.require_area(ws, e.village_code)
    existing = find_duplicate(ws, e.nik)
    if existing:
        raise DuplicateNik(existing)
    now = utcnow()
    try:
        with ws.store.sessions.begin() as session:
            counter = session.execute(
                update(m.Device)
                .where(m.Device.id == ws.device.id)
                .values(counter=m.Device.counter + 1)
                .returning(m.Device.counter)
            ).scalar_one()
            row = m.Participant(
                uuid=str(uuid.uuid4()),
                local_number=f"{e.village_code}-{ws.device.code}-{counter:06d}",
                officer_id=ws.user.id,
                visit_id=visit_id,
                device_id=ws.device.id,
                enrolled_at=now,
                updated_at=now,
                revision=1,
                synced_revision=0,
                sync_state="pending",
                active=True,
                **repo.enrolment_values(e),
            )
            session.add(row)
            session.flush()
            audit.record(session, ws.user.username, "create", "participant", row.uuid)
            new_id = row.id
    except IntegrityError:
        # Another writer stored the same NIK between the check and the insert: the index held.
        existing = find_duplicate(ws, e.nik)
        if existing:
            raise DuplicateNik(existing) from None
        raise
    return _load(ws, new_id)


def edit(ws: Workspace, participant_id: int, e: Enrolment, *, expected_revision: int) -> Participant:
    """Store an edit as a new revision, back to ``pending`` for the next sync."""
    access.require(ws, access.EDIT)
    e = _checked(ws, e)
    access.require_area(ws, e.village_code)
    with ws.store.sessions.begin() as session:
        row = session.get(m.Participant, participant_id)
        if row is None:
            raise NotFound("Peserta tidak ditemukan.", "Participant not found.")
        access.require_own(ws, row.officer_id, OTHERS_RECORDS)
        access.require_area(ws, row.village_code)
        if row.revision != expected_revision:
            raise UserFacingError(
                "Data ini sudah diubah orang lain sejak dibuka. Buka ulang lalu ubah lagi.",
                "This record was changed by someone else since it was opened. Reopen it and edit again.",
                code="stale_revision",
            )
        other = session.scalar(
            select(m.Participant.id).where(
                m.Participant.nik == e.nik, m.Participant.active == true(), m.Participant.id != participant_id
            )
        )
        if other is not None:
            raise DuplicateNik(repo.get(session, other))
        values = repo.enrolment_values(e)
        changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
        for key, value in values.items():
            setattr(row, key, value)
        row.revision += 1
        row.updated_at = utcnow()
        row.sync_state = "pending"
        row.sync_message = ""
        audit.record(session, ws.user.username, "edit", "participant", row.uuid, fields=changed, revision=row.revision)
    return _load(ws, participant_id)


def get(ws: Workspace, participant_id: int) -> Participant:
    """One participant for display or editing: masked for roles that need no NIK, audited when shown in full."""
    access.require(ws, access.SEARCH)
    return access.disclose(ws, _load(ws, participant_id))


def _load(ws: Workspace, participant_id: int) -> Participant:
    with ws.store.sessions() as session:
        found = repo.get(session, participant_id)
    if found is None:
        raise NotFound("Peserta tidak ditemukan.", "Participant not found.")
    return found


def draft_from(p: Participant, **changes: object) -> Enrolment:
    """The participant's enrolment with some fields changed: the starting point of an edit."""
    return dataclasses.replace(p.data, **changes)
