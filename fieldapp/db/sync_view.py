"""Read-only queries for the Sinkronisasi page: the records the server did not take, each batch's results,
the batches receipted since a moment (one sync run)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import case, select, true
from sqlalchemy.orm import Session

from fieldapp.db import models as m
from fieldapp.db import sync_log
from fieldapp.db.timeutil import aware, to_utc
from fieldapp.domain.nik import mask_nik

ATTENTION_STATES = ("duplicate_person", "rejected", "conflict")


@dataclass(frozen=True, slots=True)
class AttentionRow:
    id: int
    uuid: str
    local_number: str
    full_name: str
    nik: str  # masked unless asked for in full
    village_name: str
    sync_state: str
    sync_message: str
    code: str  # the server's code from the latest result for this record, "" when none is stored
    revision: int
    synced_revision: int
    updated_at: dt.datetime
    officer: str


@dataclass(frozen=True, slots=True)
class ResultRow:
    participant_id: int | None  # None when the record is no longer on this laptop
    local_number: str
    full_name: str
    revision: int
    status: str
    code: str
    message: str

    @property
    def needs_attention(self) -> bool:
        return self.participant_id is not None and self.status in ATTENTION_STATES


def attention(session: Session, *, full_nik: bool, limit: int = 1000) -> list[AttentionRow]:
    """Active records whose last answer was duplicate_person, rejected or conflict, oldest edit first."""
    p, r = m.Participant, m.SyncResult
    last_code = (select(r.code).where(r.participant_uuid == p.uuid).order_by(r.id.desc()).limit(1)
                 .correlate(p).scalar_subquery())
    stmt = (select(p.id, p.uuid, p.local_number, p.full_name, p.nik, m.Region.name, p.sync_state, p.sync_message,
                   last_code, p.revision, p.synced_revision, p.updated_at, m.User.username)
            .outerjoin(m.Region, m.Region.code == p.village_code).join(m.User, m.User.id == p.officer_id)
            .where(p.active == true(), p.sync_state.in_(ATTENTION_STATES)).order_by(p.updated_at, p.id).limit(limit))
    return [AttentionRow(pid, u, num, name, nik if full_nik else mask_nik(nik), village or "", state, msg or "",
                         code or "", rev, synced, aware(updated), officer)
            for pid, u, num, name, nik, village, state, msg, code, rev, synced, updated, officer
            in session.execute(stmt)]


def batch_results(session: Session, batch_pk: int) -> list[ResultRow]:
    """Each record's result in one batch: the problems first, then in receipt order."""
    r, p = m.SyncResult, m.Participant
    stmt = (select(p.id, p.local_number, p.full_name, r.revision, r.status, r.code, r.message).select_from(r)
            .outerjoin(p, p.uuid == r.participant_uuid).where(r.batch_id == batch_pk)
            .order_by(case((r.status.in_(ATTENTION_STATES), 0), else_=1), r.id))
    return [ResultRow(pid, num or "", name or "", rev, status, code or "", msg or "")
            for pid, num, name, rev, status, code, msg in session.execute(stmt)]


def receipted_since(session: Session, since: dt.datetime) -> list[sync_log.BatchLogEntry]:
    """The batches whose receipt was applied at or after ``since`` (one run), oldest first."""
    b = m.SyncBatch
    stmt = (select(b, m.User.username, m.Device.name).join(m.User, m.User.id == b.user_id)
            .join(m.Device, m.Device.id == b.device_id)
            .where(b.status == "receipted", b.sent_at >= to_utc(since).replace(tzinfo=None))
            .order_by(b.sent_at, b.id))
    return [sync_log.BatchLogEntry(x.id, x.batch_id, aware(x.created_at), aware(x.sent_at), x.server, user, device,
                                   x.record_count, x.status, json.loads(x.counts_json or "{}"), x.clock_offset_ms,
                                   x.error)
            for x, user, device in session.execute(stmt)]
