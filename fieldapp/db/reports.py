"""Queries behind the Laporan page and the exports (the sync log, coverage, device health, participant lists),
and the bulk insert behind list imports.

Everything returns frozen dataclasses or plain tuples; dates in filters are the laptop's local days, turned
into UTC bounds here because the store keeps UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Integer, case, exists, func, select, true
from sqlalchemy.orm import Session, aliased

from fieldapp.db import models as m
from fieldapp.db.timeutil import aware

BATCH_STATES = ("prepared", "sent", "failed", "receipted")
RESULT_STATES = ("accepted", "updated", "unchanged", "duplicate_person", "rejected", "conflict")
WAITING = ("pending", "sent")
PROBLEMS = ("rejected", "conflict", "duplicate_person")
DEFAULT_TARGET = 100  # the same default as fieldapp.services.stats


@dataclass(frozen=True, slots=True)
class ReportFilter:
    date_from: dt.date | None = None  # local days, both ends included
    date_to: dt.date | None = None
    officer: str | None = None  # username
    device_id: int | None = None
    village: str | None = None  # compact code; a shorter code (kecamatan, regency) takes every village inside
    status: str | None = None  # sync state; in the sync log also a batch or result status


def utc_bound(day: dt.date) -> dt.datetime:
    """Local midnight at the start of ``day`` as naive UTC (how the store keeps times)."""
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.timezone.utc).replace(tzinfo=None)


def _range(column, f: ReportFilter) -> list:
    where = []
    if f.date_from:
        where.append(column >= utc_bound(f.date_from))
    if f.date_to:
        where.append(column < utc_bound(f.date_to + dt.timedelta(days=1)))
    return where


def _local_day(column):
    """SQLite date() of a UTC column shifted to the laptop's offset (Indonesia keeps no daylight saving)."""
    offset = dt.datetime.now().astimezone().utcoffset() or dt.timedelta()
    return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")


def _pairs(session: Session, stmt) -> dict:
    return {k: v for k, v in session.execute(stmt)}


# -- sync log ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BatchRow:
    id: int
    batch_id: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    server: str
    officer: str
    device: str
    record_count: int
    status: str
    counts: tuple[tuple[str, int], ...]
    clock_offset_ms: int | None
    error: str


@dataclass(frozen=True, slots=True)
class ResultRow:
    participant_uuid: str
    local_number: str
    full_name: str
    nik: str
    village_code: str
    village_name: str
    revision: int
    status: str
    code: str
    message: str


def _batch_where(f: ReportFilter) -> list:
    # Aliases: these subqueries also run inside queries that already select from results and participants.
    b, r, p = m.SyncBatch, aliased(m.SyncResult), aliased(m.Participant)
    where = _range(b.created_at, f)
    if f.officer:
        where.append(m.User.username == f.officer)
    if f.device_id is not None:
        where.append(b.device_id == f.device_id)
    if f.village:
        where.append(exists().where(r.batch_id == b.id, p.uuid == r.participant_uuid,
                                    p.village_code.startswith(f.village)))
    if f.status in BATCH_STATES:
        where.append(b.status == f.status)
    elif f.status:
        where.append(exists().where(r.batch_id == b.id, r.status == f.status))
    return where


def batches(session: Session, f: ReportFilter, limit: int | None = None) -> list[BatchRow]:
    b = m.SyncBatch
    stmt = (select(b, m.User.username, m.Device.name).join(m.User, m.User.id == b.user_id)
            .join(m.Device, m.Device.id == b.device_id).where(*_batch_where(f)).order_by(b.id.desc()).limit(limit))
    return [BatchRow(x.id, x.batch_id, aware(x.created_at), aware(x.sent_at), x.server, user, device,
                     x.record_count, x.status, tuple(sorted(json.loads(x.counts_json or "{}").items())),
                     x.clock_offset_ms, x.error)
            for x, user, device in session.execute(stmt)]


def _result_columns():
    p = m.Participant
    return (m.SyncResult.participant_uuid, p.local_number, p.full_name, p.nik, p.village_code, m.Region.name,
            m.SyncResult.revision, m.SyncResult.status, m.SyncResult.code, m.SyncResult.message)


def batch_results(session: Session, batch_pk: int, status: str | None = None) -> list[ResultRow]:
    r, p = m.SyncResult, m.Participant
    stmt = (select(*_result_columns()).select_from(r).outerjoin(p, p.uuid == r.participant_uuid)
            .outerjoin(m.Region, m.Region.code == p.village_code).where(r.batch_id == batch_pk).order_by(r.id))
    if status in RESULT_STATES:
        stmt = stmt.where(r.status == status)
    return [ResultRow(u, num or "", name or "", nik or "", vc or "", vn or "", rev, st, code or "", msg or "")
            for u, num, name, nik, vc, vn, rev, st, code, msg in session.execute(stmt)]


def result_tuples(session: Session, f: ReportFilter) -> list[tuple]:
    """Every record result of the filtered batches, with its batch, oldest batch first:
    (batch pk, sent or created at, officer, device, local number, name, NIK, village code, village name,
    revision, status, code, message)."""
    b, r, p = m.SyncBatch, m.SyncResult, m.Participant
    stmt = (select(b.id, func.coalesce(b.sent_at, b.created_at), m.User.username, m.Device.name, p.local_number,
                   p.full_name, p.nik, p.village_code, m.Region.name, r.revision, r.status, r.code, r.message)
            .select_from(r).join(b, b.id == r.batch_id).join(m.User, m.User.id == b.user_id)
            .join(m.Device, m.Device.id == b.device_id).outerjoin(p, p.uuid == r.participant_uuid)
            .outerjoin(m.Region, m.Region.code == p.village_code).where(*_batch_where(f)).order_by(b.id, r.id))
    if f.village:
        stmt = stmt.where(p.village_code.startswith(f.village))
    if f.status in RESULT_STATES:
        stmt = stmt.where(r.status == f.status)
    return [(bid, aware(at), *rest) for bid, at, *rest in session.execute(stmt)]


# -- coverage ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class VillageCoverage:
    village_code: str
    village_name: str
    district_name: str
    target: int
    enrolled: int
    accepted: int
    kpj: int


@dataclass(frozen=True, slots=True)
class OfficerCoverage:
    username: str
    full_name: str
    villages: int
    enrolled: int
    accepted: int
    kpj: int
    waiting: int
    problems: int
    first: dt.datetime | None
    last: dt.datetime | None


@dataclass(frozen=True, slots=True)
class DayCoverage:
    day: dt.date
    enrolled: int
    accepted: int
    kpj: int


def _participant_where(f: ReportFilter) -> list:
    p = m.Participant
    where = [p.active == true(), *_range(p.enrolled_at, f)]
    if f.officer:
        where.append(p.officer_id == select(m.User.id).where(m.User.username == f.officer).scalar_subquery())
    if f.device_id is not None:
        where.append(p.device_id == f.device_id)
    if f.village:
        where.append(p.village_code.startswith(f.village))
    if f.status:
        where.append(p.sync_state == f.status)
    return where


def _sums():
    p = m.Participant
    return (func.count(), func.coalesce(func.sum((p.sync_state == "accepted").cast(Integer)), 0),
            func.coalesce(func.sum(case((p.kpj.is_not(None), 1), else_=0)), 0))


def coverage_by_village(session: Session, f: ReportFilter) -> list[VillageCoverage]:
    """Villages with participants in the filter, and villages with a target set (so a village with none shows)."""
    p, village = m.Participant, m.Region
    district = aliased(m.Region)
    counted = {row[0]: row[1:] for row in session.execute(
        select(p.village_code, *_sums()).where(*_participant_where(f)).group_by(p.village_code))}
    targets_where = [m.VillageTarget.village_code.startswith(f.village)] if f.village else []
    targets = _pairs(session, select(m.VillageTarget.village_code, m.VillageTarget.target).where(*targets_where))
    codes = sorted(set(counted) | set(targets))
    names = {code: (vn, dn) for code, vn, dn in session.execute(
        select(village.code, village.name, district.name).outerjoin(district, district.code == village.parent_code)
        .where(village.code.in_(codes)))} if codes else {}
    rows = []
    for code in codes:
        enrolled, accepted, kpj = counted.get(code, (0, 0, 0))
        vn, dn = names.get(code, (code, ""))
        rows.append(VillageCoverage(code, vn, dn or "", targets.get(code, DEFAULT_TARGET), enrolled, accepted, kpj))
    return sorted(rows, key=lambda v: (-v.enrolled, v.village_name))


def coverage_by_officer(session: Session, f: ReportFilter) -> list[OfficerCoverage]:
    p = m.Participant
    waiting = func.sum(case((p.sync_state.in_(WAITING), 1), else_=0))
    problems = func.sum(case((p.sync_state.in_(PROBLEMS), 1), else_=0))
    stmt = (select(m.User.username, m.User.full_name, func.count(func.distinct(p.village_code)), *_sums(), waiting,
                   problems, func.min(p.enrolled_at), func.max(p.enrolled_at))
            .join(m.User, m.User.id == p.officer_id).where(*_participant_where(f)).group_by(p.officer_id)
            .order_by(func.count().desc(), m.User.username))
    return [OfficerCoverage(u, n, v, e, a, k, w or 0, pr or 0, aware(first), aware(last))
            for u, n, v, e, a, k, w, pr, first, last in session.execute(stmt)]


def coverage_by_day(session: Session, f: ReportFilter) -> list[DayCoverage]:
    p = m.Participant
    day = _local_day(p.enrolled_at)
    stmt = select(day, *_sums()).where(*_participant_where(f)).group_by(day).order_by(day)
    return [DayCoverage(dt.date.fromisoformat(d), e, a, k) for d, e, a, k in session.execute(stmt)]


# -- devices -------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DeviceHealthRow:
    device_id: int
    name: str
    code: str
    this_device: bool
    last_sync: dt.datetime | None  # last receipted batch
    last_attempt: dt.datetime | None  # last batch made, whatever became of it
    waiting: int  # records pending or sent without a receipt
    oldest_waiting: dt.datetime | None  # when the oldest of them was saved
    failed_batches: int
    problems: int  # records the server rejected, found duplicate or in conflict


def device_health(session: Session) -> list[DeviceHealthRow]:
    p, b = m.Participant, m.SyncBatch
    waiting = {d: (n, t) for d, n, t in session.execute(
        select(p.device_id, func.count(), func.min(p.updated_at))
        .where(p.active == true(), p.sync_state.in_(WAITING)).group_by(p.device_id))}
    problems = _pairs(session, select(p.device_id, func.count()).where(p.active == true(), p.sync_state.in_(PROBLEMS))
                      .group_by(p.device_id))
    synced = _pairs(session, select(b.device_id, func.max(b.sent_at)).where(b.status == "receipted")
                    .group_by(b.device_id))
    attempts = _pairs(session, select(b.device_id, func.max(b.created_at)).group_by(b.device_id))
    failed = _pairs(session, select(b.device_id, func.count()).where(b.status == "failed").group_by(b.device_id))
    rows = []
    for d in session.scalars(select(m.Device).order_by(m.Device.is_this_device.desc(), m.Device.name)):
        n, oldest = waiting.get(d.id, (0, None))
        rows.append(DeviceHealthRow(d.id, d.name, d.code, bool(d.is_this_device), aware(synced.get(d.id)),
                                    aware(attempts.get(d.id)), n, aware(oldest), failed.get(d.id, 0),
                                    problems.get(d.id, 0)))
    return rows


# -- participants --------------------------------------------------------------------------------------------
PARTICIPANT_COLUMNS = (
    "local_number", "nik", "full_name", "kk_number", "sex", "birth_place", "birth_date", "street", "rt", "rw",
    "village_code", "village_name", "phone", "occupation", "income_band", "programs", "funding_source",
    "heir_name", "heir_relationship", "heir_phone", "consent_method", "officer", "enrolled_at", "sync_state",
    "kpj", "bpjs_status",
)


def participant_tuples(session: Session, f: ReportFilter) -> list[tuple]:
    """Participants in the filter, oldest first, as tuples in ``PARTICIPANT_COLUMNS`` order."""
    p = m.Participant
    stmt = (select(p.local_number, p.nik, p.full_name, p.kk_number, p.sex, p.birth_place, p.birth_date, p.street,
                   p.rt, p.rw, p.village_code, m.Region.name, p.phone, p.occupation, p.income_band, p.programs,
                   p.funding_source, p.heir_name, p.heir_relationship, p.heir_phone, p.consent_method,
                   m.User.username, p.enrolled_at, p.sync_state, p.kpj, p.bpjs_status)
            .join(m.Region, m.Region.code == p.village_code).join(m.User, m.User.id == p.officer_id)
            .where(*_participant_where(f)).order_by(p.id))
    at = PARTICIPANT_COLUMNS.index("enrolled_at")
    return [(*row[:at], aware(row[at]), *row[at + 1:]) for row in session.execute(stmt)]


# -- choices for the filters ---------------------------------------------------------------------------------
def officers(session: Session) -> list[tuple[str, str]]:
    """(username, full name) of everyone who enrolled or synced something, then the other enrolling users."""
    active = select(m.Participant.officer_id).distinct()
    syncing = select(m.SyncBatch.user_id).distinct()
    stmt = (select(m.User.username, m.User.full_name)
            .where(m.User.id.in_(active) | m.User.id.in_(syncing) | m.User.role.in_(("officer", "supervisor")))
            .order_by(m.User.username))
    return [(u, n) for u, n in session.execute(stmt)]


def devices(session: Session) -> list[tuple[int, str]]:
    return [(i, n) for i, n in session.execute(select(m.Device.id, m.Device.name).order_by(m.Device.name))]


def count_participants(session: Session, f: ReportFilter) -> int:
    return session.scalar(select(func.count()).select_from(m.Participant).where(*_participant_where(f))) or 0
