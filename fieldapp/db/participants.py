"""Participant repository: writes rows, reads them back as frozen domain dataclasses."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter

from sqlalchemy import Select, column, func, select, table, text, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fieldapp.db import models as m
from fieldapp.db.timeutil import aware, to_utc
from fieldapp.domain.enrolment import Enrolment
from fieldapp.domain.nik import mask_nik, normalize_nik
from fieldapp.domain.participant import Participant, ParticipantRow, SearchQuery, ServerRecord

_fts = table("participants_fts", column("rowid"))
_WORD = re.compile(r"\w+", re.UNICODE)

ENROLMENT_COLUMNS = (
    "nik",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "street",
    "rt",
    "rw",
    "village_code",
    "phone",
    "occupation",
    "income_band",
    "funding_source",
    "sector",
    "start_month",
    "heir_name",
    "heir_relationship",
    "heir_phone",
    "consent_given_at",
    "consent_method",
    "guardian_name",
    "kk_number",
    "mother_name",
    "email",
    "period_months",
)


def enrolment_values(e: Enrolment) -> dict:
    values = {name: getattr(e, name) for name in ENROLMENT_COLUMNS}
    values["programs"] = ",".join(e.programs)
    values["consent_given_at"] = to_utc(e.consent_given_at) if e.consent_given_at else None
    return values


def enrolment_of(p: m.Participant) -> Enrolment:
    values = {name: getattr(p, name) for name in ENROLMENT_COLUMNS}
    values["programs"] = tuple(p.programs.split(","))
    values["consent_given_at"] = aware(p.consent_given_at)
    return Enrolment(**values)


def _view(p: m.Participant, officer: str, village_name: str) -> Participant:
    return Participant(
        id=p.id,
        uuid=p.uuid,
        local_number=p.local_number,
        data=enrolment_of(p),
        revision=p.revision,
        synced_revision=p.synced_revision,
        sync_state=p.sync_state,
        sync_message=p.sync_message,
        kpj=p.kpj,
        officer=officer,
        visit_id=p.visit_id,
        village_name=village_name,
        enrolled_at=aware(p.enrolled_at),
        updated_at=aware(p.updated_at),
        active=p.active,
    )


def _views(session: Session, where) -> list[Participant]:
    stmt = (
        select(m.Participant, m.User.username, m.Region.name)
        .join(m.User, m.User.id == m.Participant.officer_id)
        .join(m.Region, m.Region.code == m.Participant.village_code)
        .where(where)
    )
    return [_view(p, officer, village) for p, officer, village in session.execute(stmt)]


def get(session: Session, participant_id: int) -> Participant | None:
    found = _views(session, m.Participant.id == participant_id)
    return found[0] if found else None


def get_by_uuid(session: Session, uuid: str) -> Participant | None:
    found = _views(session, m.Participant.uuid == uuid)
    return found[0] if found else None


def find_active_by_nik(session: Session, nik: str) -> Participant | None:
    found = _views(session, (m.Participant.nik == nik) & (m.Participant.active == true()))
    return found[0] if found else None


def server_duplicate(session: Session, nik: str) -> ServerRecord | None:
    """The server's record of this NIK when the enrolled digests know one that is not on this laptop."""
    keys = dict(
        session.execute(select(m.Setting.key, m.Setting.value).where(m.Setting.key.startswith("digest_key:"))).all()
    )
    for name, key_hex in keys.items():
        digest = hmac.new(bytes.fromhex(key_hex), nik.encode("ascii"), hashlib.sha256).hexdigest()
        found = session.execute(
            select(m.EnrolledDigest.server_uuid, m.EnrolledDigest.village_code, m.Region.name)
            .join(m.Region, m.Region.code == m.EnrolledDigest.village_code)
            .where(m.EnrolledDigest.digest == digest, m.EnrolledDigest.key_id == name.split(":", 1)[1])
        ).first()
        if found and session.scalar(select(m.Participant.id).where(m.Participant.uuid == found[0])) is None:
            return ServerRecord(found[0], found[1], found[2], mask_nik(nik))
    return None


def many(session: Session, ids: Sequence[int]) -> list[Participant]:
    by_id = {p.id: p for p in _views(session, m.Participant.id.in_(list(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def fts_query(words: str) -> str | None:
    """Name words typed by a person → an FTS5 query where every word is a prefix: 'sit amin' → 'sit* amin*'."""
    tokens = _WORD.findall(words)
    return " ".join(f'"{t}"*' for t in tokens) if tokens else None


_ROW_COLUMNS = (
    m.Participant.id,
    m.Participant.local_number,
    m.Participant.full_name,
    m.Participant.nik,
    m.Participant.village_code,
    m.Region.name,
    m.Participant.enrolled_at,
    m.Participant.sync_state,
    m.Participant.kpj,
)


def _filtered(q: SearchQuery, columns) -> tuple[Select, str]:
    """The query's rows, and how they can be ordered without sorting them all: by "fts", "nik" or "id"."""
    stmt = select(*columns).select_from(m.Participant).join(m.Region, m.Region.code == m.Participant.village_code)
    active = m.Participant.active == true()
    driver = "id"
    digits = normalize_nik(q.text)
    if digits.isdigit():
        # A NIK prefix is a range on the NIK index: '3216' → '3216' <= nik < '3217'. Nearly every row is active,
        # but without statistics SQLite takes "active = 1" for a selective term and walks the (active, village,
        # state) index, sorting a million rows (9 s at 1,000,000): likely() says otherwise, the NIK index is used.
        active = func.likely(active)
        stmt = stmt.where(m.Participant.nik >= digits)
        if set(digits) != {"9"}:
            stmt = stmt.where(m.Participant.nik < str(int(digits) + 1).zfill(len(digits)))
        driver = "nik"
    elif (match := fts_query(q.text)) is not None:
        stmt = stmt.join(_fts, _fts.c.rowid == m.Participant.id).where(text("participants_fts MATCH :match"))
        stmt = stmt.params(match=match)
        driver = "fts"
    stmt = stmt.where(active)
    if q.village_code:
        stmt = stmt.where(m.Participant.village_code == q.village_code)
    if q.visit_id is not None:
        stmt = stmt.where(m.Participant.visit_id == q.visit_id)
    if q.sync_state:
        stmt = stmt.where(m.Participant.sync_state == q.sync_state)
    if q.enrolled_from:
        stmt = stmt.where(m.Participant.enrolled_at >= dt.datetime.combine(q.enrolled_from, dt.time()))
    if q.enrolled_to:
        end = dt.datetime.combine(q.enrolled_to + dt.timedelta(days=1), dt.time())
        stmt = stmt.where(m.Participant.enrolled_at < end)
    return stmt, driver


def _ordered(q: SearchQuery, columns) -> Select:
    """Sorted as asked. "date" is newest first (ids grow with enrolment time); a NIK prefix lists in NIK order.

    Each order follows an index (or FTS5's own rowid order), so the first page comes without sorting every match.
    """
    stmt, driver = _filtered(q, columns)
    if q.sort == "name":
        return stmt.order_by(m.Participant.full_name, m.Participant.id)
    if driver == "nik":
        return stmt.order_by(m.Participant.nik)
    if driver == "fts":
        return stmt.order_by(_fts.c.rowid.desc())
    return stmt.order_by(m.Participant.id.desc())


def search_statement(q: SearchQuery) -> Select:
    return _ordered(q, _ROW_COLUMNS).limit(q.limit).offset(q.offset)


def search(session: Session, q: SearchQuery) -> list[ParticipantRow]:
    stmt = search_statement(q)
    return [
        ParticipantRow(i, num, name, nik, vc, vn, aware(at), state, kpj)
        for i, num, name, nik, vc, vn, at, state, kpj in session.execute(stmt)
    ]


def search_ids(session: Session, q: SearchQuery) -> list[int]:
    stmt = _ordered(q, (m.Participant.id,)).limit(q.limit).offset(q.offset)
    return list(session.scalars(stmt))


def rows_for_ids(session: Session, ids: Sequence[int]) -> list[ParticipantRow]:
    stmt = (
        select(*_ROW_COLUMNS)
        .join(m.Region, m.Region.code == m.Participant.village_code)
        .where(m.Participant.id.in_(list(ids)))
    )
    by_id = {
        r[0]: ParticipantRow(r[0], r[1], r[2], r[3], r[4], r[5], aware(r[6]), r[7], r[8]) for r in session.execute(stmt)
    }
    return [by_id[i] for i in ids if i in by_id]


def count(session: Session, q: SearchQuery) -> int:
    return session.scalar(select(func.count()).select_from(_filtered(q, (m.Participant.id,))[0].subquery())) or 0


def count_by_state(session: Session) -> dict[str, int]:
    stmt = select(m.Participant.sync_state, func.count()).where(m.Participant.active == true())
    return dict(session.execute(stmt.group_by(m.Participant.sync_state)).all())


# -- bulk insert (list imports) ------------------------------------------------------------------------------
def insert_participants(session: Session, enrolments: Iterable[Enrolment],
                        per_row: Callable[[int, Enrolment], tuple[str, str, int | None]], constants: dict) -> int:
    """Insert checked enrolments in the session's transaction with one driver-level ``executemany``.

    ``per_row(k, e)`` gives the k-th row's (uuid, local number, visit id); ``constants`` the columns every row
    shares (officer, device, times, states). Each value goes through its column type's own bind processor, so
    dates and times are stored exactly as the ORM stores them, but without the ORM's per-row bookkeeping, which
    costs more than SQLite's own work at 100,000 rows. Processed dates and times are remembered: birth dates,
    the start month and the consent time repeat. Raises SQLAlchemy's ``IntegrityError`` on a constraint (one
    active NIK per person). Returns the number of rows written.
    """
    conn = session.connection()
    table = m.Participant.__table__
    constants = dict(constants)
    names = [*ENROLMENT_COLUMNS, "programs", "uuid", "local_number", "visit_id", *constants]
    for c in table.columns:  # a column added later that nobody here knows about gets its default
        if c.name != "id" and c.name not in names:
            constants[c.name] = c.default.arg if c.default is not None and c.default.is_scalar else None
            names.append(c.name)

    def processor(name: str):
        proc = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        return _cached(proc) if proc else None

    convert = [(i, processor(name)) for i, name in enumerate(ENROLMENT_COLUMNS)]
    convert = [(i, proc) for i, proc in convert if proc]
    consent = ENROLMENT_COLUMNS.index("consent_given_at")
    fixed = tuple(processor(k)(v) if processor(k) else v for k, v in constants.items())
    getter = attrgetter(*ENROLMENT_COLUMNS)
    count = 0

    def rows():
        nonlocal count
        for k, e in enumerate(enrolments, start=1):
            values = list(getter(e))
            if values[consent] is not None:
                values[consent] = to_utc(values[consent])
            for i, proc in convert:
                values[i] = proc(values[i])
            count = k
            yield (*values, ",".join(e.programs), *per_row(k, e), *fixed)

    sql = f"INSERT INTO participants ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.executemany(sql, rows())
    except conn.dialect.dbapi.IntegrityError as exc:  # the driver's own class (SQLCipher's, not sqlite3's)
        raise IntegrityError(sql, None, exc) from exc
    finally:
        cursor.close()
    return count


def _cached(proc: Callable) -> Callable:
    memo: dict = {}

    def run(value):
        try:
            return memo[value]
        except KeyError:
            out = memo[value] = proc(value)
            return out
        except TypeError:  # unhashable: never the case for dates, times and booleans
            return proc(value)

    return run
