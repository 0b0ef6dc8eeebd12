"""Certificate and card issues: who is printed, how often before, serial counters, the issue log."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select, true
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from fieldapp.certificates import (
    generate_keypair,
    key_id_for,
    private_key_from_text,
    private_key_to_text,
    public_key_from_text,
)
from fieldapp.db import models as m
from fieldapp.db import participants as participants_repo
from fieldapp.db import settings as settings_repo
from fieldapp.domain.participant import SearchQuery

KINDS = ("certificate", "card")
KEY_SETTING, KEY_ID_SETTING = "certificate_signing_key", "certificate_key_id"
_CHUNK = 500  # ids per IN (...): far below SQLite's variable limit


@dataclass(frozen=True, slots=True)
class PrintRow:
    """What the print list shows of one participant (the NIK only to be masked by the caller)."""

    id: int
    full_name: str
    nik: str
    local_number: str
    kpj: str | None
    village_name: str


@dataclass(frozen=True, slots=True)
class IssueRow:
    serial: str
    participant_id: int
    kind: str
    final: bool
    reprint_reason: str | None


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def ids_matching(session: Session, query: SearchQuery) -> list[int]:
    """Active participants matching ``query`` (village, visit, name words), all of them."""
    return participants_repo.search_ids(
        session,
        SearchQuery(
            text=query.text,
            village_code=query.village_code,
            visit_id=query.visit_id,
            sort="name",
            limit=None,
        ),
    )


def active_ids(session: Session, ids: Sequence[int]) -> list[int]:
    """The ids among ``ids`` that name an active participant (order not kept)."""
    found: list[int] = []
    for chunk in _chunks(ids):
        stmt = select(m.Participant.id).where(m.Participant.id.in_(chunk), m.Participant.active == true())
        found += session.scalars(stmt)
    return found


def print_rows(session: Session, ids: Sequence[int]) -> dict[int, PrintRow]:
    rows: dict[int, PrintRow] = {}
    for chunk in _chunks(ids):
        stmt = (
            select(
                m.Participant.id,
                m.Participant.full_name,
                m.Participant.nik,
                m.Participant.local_number,
                m.Participant.kpj,
                m.Region.name,
            )
            .join(m.Region, m.Region.code == m.Participant.village_code)
            .where(m.Participant.id.in_(chunk))
        )
        for pid, name, nik, number, kpj, village in session.execute(stmt):
            rows[pid] = PrintRow(pid, name, nik, number, kpj or None, village)
    return rows


def issue_counts(session: Session, ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """participant id → {kind: papers issued so far}; participants never printed are left out."""
    counts: dict[int, dict[str, int]] = {}
    for chunk in _chunks(ids):
        stmt = (
            select(m.CertificateIssue.participant_id, m.CertificateIssue.kind, func.count())
            .where(m.CertificateIssue.participant_id.in_(chunk))
            .group_by(m.CertificateIssue.participant_id, m.CertificateIssue.kind)
        )
        for pid, kind, n in session.execute(stmt):
            counts.setdefault(pid, {})[kind] = n
    return counts


def reserve_serials(session: Session, stem: str, n: int) -> int:
    """Reserve ``n`` consecutive numbers for serials ``<stem>-NNNNNN``; returns the first one.

    The counter lives in the settings of the same store and moves inside the caller's write transaction, so
    two print runs never get the same numbers; the unique index on the serial holds in any case. It also
    starts above every serial already recorded with this stem, so a lost or reset counter cannot repeat one.
    """
    key = f"certificate_serial:{stem}"
    stored = int(settings_repo.get(session, key, "0") or 0)
    serial = m.CertificateIssue.serial
    last = session.scalar(  # by length first: "…-1000000" comes after "…-999999"
        select(serial)
        .where(serial.startswith(f"{stem}-", autoescape=True))
        .order_by(func.length(serial).desc(), serial.desc())
        .limit(1)
    )
    recorded = int(last.rsplit("-", 1)[1]) if last and last.rsplit("-", 1)[1].isdigit() else 0
    first = max(stored, recorded) + 1
    settings_repo.put(session, key, str(first + n - 1))
    return first


def add_issues(session: Session, rows: Sequence[IssueRow], user_id: int, at: dt.datetime) -> None:
    session.add_all(
        m.CertificateIssue(
            serial=r.serial,
            participant_id=r.participant_id,
            kind=r.kind,
            final=r.final,
            reprint_reason=r.reprint_reason,
            user_id=user_id,
            issued_at=at,
        )
        for r in rows
    )
    session.flush()  # the unique serial index answers here, inside the transaction


def put_if_missing(session: Session, values: dict[str, str]) -> None:
    """Store settings that are not there yet, leaving existing ones alone (a key made once, never replaced)."""
    for key, value in values.items():
        stmt = insert(m.Setting).values(key=key, value=value).on_conflict_do_nothing(index_elements=["key"])
        session.execute(stmt)


def signing_key(session: Session) -> tuple[Ed25519PrivateKey, str]:
    """The store's Ed25519 signing key, made on first use (never replaced once stored), and its key id,
    which always follows the stored key. Call inside a write transaction."""
    text = settings_repo.get(session, KEY_SETTING)
    if not text:
        private, _public = generate_keypair()
        put_if_missing(session, {KEY_SETTING: private_key_to_text(private)})
        text = settings_repo.get(session, KEY_SETTING)
    key = private_key_from_text(text)
    key_id = key_id_for(key.public_key())
    if settings_repo.get(session, KEY_ID_SETTING) != key_id:
        settings_repo.put(session, KEY_ID_SETTING, key_id)
    return key, key_id


def public_keys(session: Session) -> dict[str, Ed25519PublicKey]:
    """Key id → public key: those the server publishes (reference data, ``certificate_keys``) and this
    store's own, once it has one."""
    keys: dict[str, Ed25519PublicKey] = {}
    try:
        published = json.loads(settings_repo.get(session, "reference_json") or "{}").get("certificate_keys") or {}
    except (ValueError, AttributeError):
        published = {}
    for key_id, text in published.items() if isinstance(published, dict) else ():
        try:
            keys[str(key_id)] = public_key_from_text(str(text))
        except (ValueError, AttributeError):
            continue  # one damaged entry must not hide the others
    own = settings_repo.get(session, KEY_SETTING)
    if own:
        public = private_key_from_text(own).public_key()
        keys[key_id_for(public)] = public
    return keys
