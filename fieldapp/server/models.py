"""The server's tables (SQLAlchemy Core). Uniqueness lives here, as constraints, never in code."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    true,
)

metadata = MetaData()

# BIGINT on PostgreSQL, INTEGER (the rowid alias, so it autoincrements) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")

ROLES = ("officer", "clerk", "supervisor", "admin")

users = Table(
    "users", metadata,
    Column("id", Id, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("transfer_key_id", String(32), nullable=False, unique=True),
    Column("transfer_key", LargeBinary(32), nullable=False),  # HMAC key for offline transfer files
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

tokens = Table(
    "tokens", metadata,
    Column("id", Id, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the bearer token
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("device_id", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# A token revoked before it expired (log-out, ``revoke-tokens``, a deactivated account): moved here from ``tokens``
# so the server can say "revoked" rather than "unknown". Rows go when the token would have expired anyway.
revoked_tokens = Table(
    "revoked_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("reason", String(16), nullable=False),  # "logout", "revoked", "deactivated"
)

# Log-in attempts per username and per client address in the current window, shared by every worker and host.
login_throttle = Table(
    "login_throttle", metadata,
    Column("scope", String(8), primary_key=True),  # "user" or "address"
    Column("key", String(128), primary_key=True),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("failures", Integer, nullable=False),
)

participants = Table(
    "participants", metadata,
    Column("id", Id, primary_key=True),
    Column("uuid", String(36), nullable=False),
    Column("nik", String(16), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("village_code", String(10), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("base_revision", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),  # SHA-256 of the record as the laptop sent it
    Column("record", Text, nullable=False),  # the normalized record, wire format (domain.record.to_record)
    # owner_id and device_id: the account and device of the FIRST upload, never changed afterwards; only they (or
    # a supervisor/admin) may send a later revision (server.batches). The latest sender is batches.device_id.
    Column("owner_id", ForeignKey("users.id"), nullable=False),
    Column("device_id", String(128), nullable=False),
    Column("batch_id", String(36), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("kpj", String(11)),
    Column("bpjs_status", String(16)),  # None, "kpj_issued", "bpjs_rejected"
    Index("uq_participants_uuid", "uuid", unique=True),
    Index("ix_participants_village", "village_code"),
)
# One ACTIVE enrolment per NIK, held by the database on SQLite and PostgreSQL alike.
Index(
    "uq_participants_active_nik", participants.c.nik, unique=True,
    sqlite_where=participants.c.active == true(), postgresql_where=participants.c.active == true(),
)

batches = Table(
    "batches", metadata,
    Column("batch_id", String(36), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("device_id", String(128), nullable=False),
    Column("created_at", String(40), nullable=False),  # as the laptop wrote it
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("content_hash", String(64), nullable=False),  # SHA-256 of the canonical records JSON
    Column("record_count", Integer, nullable=False),
    Column("via", String(8), nullable=False),  # "online" or "file"
    Column("results_json", Text),  # the receipt's results, stored once, returned byte for byte
    Column("counts_json", Text),
)

status_updates = Table(
    "status_updates", metadata,
    Column("id", Id, primary_key=True),  # the paging cursor
    Column("participant_id", ForeignKey("participants.id"), nullable=False),
    Column("owner_id", ForeignKey("users.id"), nullable=False),
    Column("uuid", String(36), nullable=False),
    Column("kind", String(16), nullable=False),  # "kpj_issued" or "bpjs_rejected"
    Column("kpj", String(11)),
    Column("reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_status_updates_owner", "owner_id", "id"),
)

server_keys = Table(
    "server_keys", metadata,
    Column("key_id", String(32), primary_key=True),
    Column("purpose", String(32), nullable=False, unique=True),  # "enrolled_digest"; rotation later
    Column("secret", LargeBinary(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

village_targets = Table(
    "village_targets", metadata,
    Column("village_code", String(10), primary_key=True),
    Column("target", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
