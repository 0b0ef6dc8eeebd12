"""The sync log: batches prepared, sent and receipted, with each record's result."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.db import models as m
from fieldapp.db.participants import enrolment_of
from fieldapp.db.timeutil import aware, utcnow
from fieldapp.domain.record import RecordMeta, to_record

OPEN_STATES = ("prepared", "failed")  # not receipted yet: resent with the same batch_id


@dataclass(frozen=True, slots=True)
class BatchLogEntry:
    id: int
    batch_id: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    server: str
    username: str
    device: str
    record_count: int
    status: str
    counts: dict[str, int]
    clock_offset_ms: int | None
    error: str


def record_of(session: Session, row: m.Participant) -> dict:
    officer = session.scalar(select(m.User.username).where(m.User.id == row.officer_id))
    visit = session.scalar(select(m.Visit.uuid).where(m.Visit.id == row.visit_id)) if row.visit_id else None
    meta = RecordMeta(row.uuid, row.revision, row.synced_revision, officer, visit, aware(row.enrolled_at),
                      aware(row.updated_at))
    return to_record(enrolment_of(row), meta)


def prepare(session: Session, *, user_id: int, device: m.Device, server: str, batch_size: int) -> list[m.SyncBatch]:
    """Put every pending record into new batches (state ``sent``), each stored with its exact payload."""
    pending = list(session.scalars(select(m.Participant).where(m.Participant.sync_state == "pending")
                                   .order_by(m.Participant.id)))
    batches = []
    for start in range(0, len(pending), batch_size):
        rows = pending[start : start + batch_size]
        batch = {"batch_id": str(uuid.uuid4()), "device_id": device.device_uuid,
                 "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                 "records": [record_of(session, r) for r in rows]}
        payload = json.dumps(batch, separators=(",", ":"), ensure_ascii=False)
        entry = m.SyncBatch(batch_id=batch["batch_id"], created_at=utcnow(), server=server, user_id=user_id,
                            device_id=device.id, record_count=len(rows), status="prepared", payload=payload,
                            payload_sha256=hashlib.sha256(payload.encode()).hexdigest(), counts_json="{}")
        session.add(entry)
        for r in rows:
            r.sync_state = "sent"
        batches.append(entry)
    session.flush()
    return batches


def open_batches(session: Session) -> list[m.SyncBatch]:
    return list(session.scalars(select(m.SyncBatch).where(m.SyncBatch.status.in_(OPEN_STATES))
                                .order_by(m.SyncBatch.id)))


def apply_receipt(session: Session, entry: m.SyncBatch, receipt: dict, clock_offset_ms: int | None) -> dict:
    """Each record's state follows its result; an edit made meanwhile stays ``pending``. Returns the counts."""
    sent = {r["uuid"]: r["revision"] for r in json.loads(entry.payload)["records"]}
    counts: dict[str, int] = {}
    for result in receipt["results"]:
        uuid, status = result.get("uuid"), result.get("status")
        if uuid not in sent:
            continue  # not ours: a hostile or broken answer never touches other rows
        revision = sent[uuid]
        counts[status] = counts.get(status, 0) + 1
        session.add(m.SyncResult(batch_id=entry.id, participant_uuid=uuid, revision=revision, status=status,
                                 code=str(result.get("code") or ""), message=str(result.get("message") or "")))
        row = session.scalar(select(m.Participant).where(m.Participant.uuid == uuid))
        if row is None:
            continue
        if status in ("accepted", "updated", "unchanged"):
            row.synced_revision = max(row.synced_revision, revision)
            if row.revision == revision:
                row.sync_state, row.sync_message = "accepted", ""
        elif status in ("duplicate_person", "rejected", "conflict") and row.revision == revision:
            row.sync_state, row.sync_message = status, str(result.get("message") or "")
    entry.status, entry.sent_at = "receipted", utcnow()
    entry.counts_json = json.dumps(counts, sort_keys=True)
    entry.clock_offset_ms, entry.error = clock_offset_ms, ""
    return counts


def entries(session: Session, limit: int = 500) -> list[BatchLogEntry]:
    stmt = (select(m.SyncBatch, m.User.username, m.Device.name).join(m.User, m.User.id == m.SyncBatch.user_id)
            .join(m.Device, m.Device.id == m.SyncBatch.device_id).order_by(m.SyncBatch.id.desc()).limit(limit))
    return [BatchLogEntry(b.id, b.batch_id, aware(b.created_at), aware(b.sent_at), b.server, user, device,
                          b.record_count, b.status, json.loads(b.counts_json or "{}"), b.clock_offset_ms, b.error)
            for b, user, device in session.execute(stmt)]
