"""SQLAlchemy 2 models of the local store. ORM objects never leave ``fieldapp.db``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16))  # officer, clerk, supervisor, admin
    password_hash: Mapped[str] = mapped_column(String(255))
    area_code: Mapped[str | None] = mapped_column(String(10))  # compact region code of the user's area
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    device_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    code: Mapped[str] = mapped_column(String(8))  # short, for local numbers
    name: Mapped[str] = mapped_column(String(128))
    counter: Mapped[int] = mapped_column(Integer, default=0)
    is_this_device: Mapped[bool] = mapped_column(Boolean, default=False)


class Region(Base):
    """Every Kemendagri region (province to village), with the list version in ``settings``."""

    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(10), primary_key=True)  # compact
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(String(10), index=True)
    postal_code: Mapped[str | None] = mapped_column(String(5))


class VillageTarget(Base):
    __tablename__ = "village_targets"
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    target: Mapped[int] = mapped_column(Integer, default=100)


class RateTable(Base):
    """A contribution rate table received by sync or reference file (JSON as published); the newest one that
    covers a month wins over ``resources/rates.json``."""

    __tablename__ = "rate_tables"
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    effective_from: Mapped[str] = mapped_column(String(7))  # "YYYY-MM"
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class RegionChange(Base):
    """A village code changed by Kemendagri, applied to this store (its participants and visits re-pointed)."""

    __tablename__ = "region_changes"
    old_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    new_code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(128))
    regions_version: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Visit(Base):
    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    visit_date: Mapped[dt.date] = mapped_column(Date)
    location_note: Mapped[str] = mapped_column(String(255), default="")
    funding_source: Mapped[str] = mapped_column(String(16))
    programs: Mapped[str] = mapped_column(String(16))  # "JKK,JKM" or "JKK,JKM,JHT"
    sector: Mapped[str] = mapped_column(String(16))
    start_month: Mapped[dt.date] = mapped_column(Date)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


SYNC_STATES = ("pending", "sent", "accepted", "duplicate_person", "rejected", "conflict")


class Participant(Base):
    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    local_number: Mapped[str] = mapped_column(String(32), unique=True)
    nik: Mapped[str] = mapped_column(String(16))
    kk_number: Mapped[str] = mapped_column(String(16), default="")
    full_name: Mapped[str] = mapped_column(String(128))
    birth_place: Mapped[str] = mapped_column(String(64))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    street: Mapped[str] = mapped_column(String(255))
    rt: Mapped[str] = mapped_column(String(3))
    rw: Mapped[str] = mapped_column(String(3))
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    phone: Mapped[str] = mapped_column(String(16), default="")
    email: Mapped[str] = mapped_column(String(128), default="")
    mother_name: Mapped[str] = mapped_column(String(128), default="")
    occupation: Mapped[str] = mapped_column(String(32))
    income_band: Mapped[int] = mapped_column(Integer)
    programs: Mapped[str] = mapped_column(String(16))
    funding_source: Mapped[str] = mapped_column(String(16))
    sector: Mapped[str] = mapped_column(String(16))
    start_month: Mapped[dt.date] = mapped_column(Date)
    period_months: Mapped[int] = mapped_column(Integer, default=1)
    heir_name: Mapped[str] = mapped_column(String(128), default="")
    heir_relationship: Mapped[str] = mapped_column(String(16), default="")
    heir_phone: Mapped[str] = mapped_column(String(16), default="")
    consent_given_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    consent_method: Mapped[str] = mapped_column(String(32))
    guardian_name: Mapped[str] = mapped_column(String(128), default="")
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    enrolled_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    synced_revision: Mapped[int] = mapped_column(Integer, default=0)  # last revision the server acknowledged
    sync_state: Mapped[str] = mapped_column(String(16), default="pending")
    sync_message: Mapped[str] = mapped_column(Text, default="")
    kpj: Mapped[str | None] = mapped_column(String(11))
    bpjs_status: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        # One active enrolment per NIK, held by the database; NIK prefix search uses it too.
        Index("ux_participants_active_nik", "nik", unique=True, sqlite_where=text("active = 1")),
        Index("ix_participants_active_village", "active", "village_code", "sync_state"),  # counts, coverage
        Index("ix_participants_pending", "sync_state", sqlite_where=text("sync_state != 'accepted'")),
        Index("ix_participants_enrolled_at", "enrolled_at"),
        Index("ix_participants_name", "full_name"),
        Index("ix_participants_visit", "visit_id"),
    )


class CertificateIssue(Base):
    __tablename__ = "certificate_issues"
    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # certificate, card
    final: Mapped[bool] = mapped_column(Boolean)  # KPJ present (final) or provisional
    reprint_reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SyncBatch(Base):
    """One batch sent (or written to a transfer file): the sync log supervisors export."""

    __tablename__ = "sync_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    server: Mapped[str] = mapped_column(String(255))  # URL, or "file:NAME" for offline transfer
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    record_count: Mapped[int] = mapped_column(Integer)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # prepared, sent, receipted, failed
    counts_json: Mapped[str] = mapped_column(Text, default="{}")
    clock_offset_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str] = mapped_column(Text, default="", server_default="")  # the batch JSON, resent as is


class SyncResult(Base):
    __tablename__ = "sync_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("sync_batches.id"), index=True)
    participant_uuid: Mapped[str] = mapped_column(String(36), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(64), default="")
    message: Mapped[str] = mapped_column(Text, default="")


class EnrolledDigest(Base):
    """A keyed digest of a NIK the server holds (no NIK is ever sent): the offline duplicate check."""

    __tablename__ = "enrolled_digests"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    village_code: Mapped[str] = mapped_column(String(10), index=True)
    key_id: Mapped[str] = mapped_column(String(64))
    server_uuid: Mapped[str] = mapped_column(String(36))


class ConflictCopy(Base):
    """The server's copy of a record whose send ended in ``conflict`` (wire format JSON), until it is resolved."""

    __tablename__ = "conflict_copies"
    participant_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    record: Mapped[str] = mapped_column(Text)  # may hold a NIK: protected with the store (encryption at rest, #7)
    fetched_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Who did what to which record (UU PDP Pasal 31); hash-chained so edits and deletions show."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")  # JSON; never a NIK in clear
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
