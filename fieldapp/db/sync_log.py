"""The sync log: batches prepared, sent and receipted, with each record's result."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.orm import Session

from fieldapp.db import models as m
from fieldapp.db.participants import enrolment_of
from fieldapp.db.timeutil import aware, utcnow
from fieldapp.domain.record import RecordMeta, to_record

OPEN_STATES = ("prepared", "failed")  # not receipted yet: resent with the same batch_id
P = m.Participant.__table__


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


def record_of(row: m.Participant, officers: dict[int, str], visits: dict[int, str]) -> dict:
    meta = RecordMeta(row.uuid, row.revision, row.synced_revision, officers[row.officer_id],
                      visits.get(row.visit_id) if row.visit_id else None, aware(row.enrolled_at),
                      aware(row.updated_at))
    return to_record(enrolment_of(row), meta)


def prepare(session: Session, *, user_id: int, device: m.Device, server: str, batch_size: int) -> list[m.SyncBatch]:
    """Put every pending record into new batches (state ``sent``), each stored with its exact payload."""
    pending = session.scalars(select(m.Participant).where(m.Participant.sync_state == "pending")
                              .order_by(m.Participant.id)).all()
    officers = dict(session.execute(select(m.User.id, m.User.username)).all())
    visits = dict(session.execute(select(m.Visit.id, m.Visit.uuid)).all())
    batches = []
    for start in range(0, len(pending), batch_size):
        rows = pending[start : start + batch_size]
        batch = {"batch_id": str(uuid.uuid4()), "device_id": device.device_uuid,
                 "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                 "records": [record_of(r, officers, visits) for r in rows]}
        payload = json.dumps(batch, separators=(",", ":"), ensure_ascii=False)
        entry = m.SyncBatch(batch_id=batch["batch_id"], created_at=utcnow(), server=server, user_id=user_id,
                            device_id=device.id, record_count=len(rows), status="prepared", payload=payload,
                            payload_sha256=hashlib.sha256(payload.encode()).hexdigest(), counts_json="{}")
        session.add(entry)
        batches.append(entry)
    session.execute(update(P).where(P.c.sync_state == "pending", P.c.id.in_([r.id for r in pending]))
                    .values(sync_state="sent"))
    session.flush()
    return batches


def open_batches(session: Session) -> list[m.SyncBatch]:
    return list(session.scalars(select(m.SyncBatch).where(m.SyncBatch.status.in_(OPEN_STATES))
                                .order_by(m.SyncBatch.id)))


OK_STATUSES = ("accepted", "updated", "unchanged")
BAD_STATUSES = ("duplicate_person", "rejected", "conflict")
_same_revision = P.c.revision == bindparam("rev")
# The server has this revision: remember it; the record is done unless it was edited since it was sent.
_ok = (update(P).where(P.c.uuid == bindparam("u"))
       .values(synced_revision=func.max(P.c.synced_revision, bindparam("rev")),
               sync_state=case((_same_revision, "accepted"), else_=P.c.sync_state),
               sync_message=case((_same_revision, ""), else_=P.c.sync_message)))
_bad = (update(P).where(P.c.uuid == bindparam("u"), _same_revision)
        .values(sync_state=bindparam("status"), sync_message=bindparam("message")))


def apply_receipt(session: Session, entry: m.SyncBatch, receipt: dict, clock_offset_ms: int | None) -> dict:
    """Each record's state follows its result; an edit made meanwhile stays ``pending``. Returns the counts."""
    sent = {r["uuid"]: r["revision"] for r in json.loads(entry.payload)["records"]}
    counts: dict[str, int] = {}
    results, ok, bad = [], [], []
    for result in receipt["results"]:
        if not isinstance(result, dict) or result.get("uuid") not in sent:
            continue  # not ours: a hostile or broken answer never touches other rows
        u, status = result["uuid"], str(result.get("status"))
        message = str(result.get("message") or "")
        counts[status] = counts.get(status, 0) + 1
        results.append({"batch_id": entry.id, "participant_uuid": u, "revision": sent[u], "status": status[:20],
                        "code": str(result.get("code") or "")[:64], "message": message})
        if status in OK_STATUSES:
            ok.append({"u": u, "rev": sent[u]})
        elif status in BAD_STATUSES:
            bad.append({"u": u, "rev": sent[u], "status": status, "message": message})
    conn = session.connection()
    if results:
        conn.execute(insert(m.SyncResult), results)
    if ok:
        conn.execute(_ok, ok)
    if bad:
        conn.execute(_bad, bad)
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
