"""Engine factory for the server store: SQLite file by default, PostgreSQL by URL.

SQLite runs in WAL mode with a busy timeout; the driver's own transaction handling is switched off so that
SQLAlchemy's SAVEPOINTs work, and a write transaction starts with ``BEGIN IMMEDIATE`` (connection option
``write=True``) so that two writers queue instead of failing on a lock upgrade.
"""

from __future__ import annotations

import datetime as dt
import secrets
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError

from fieldapp.errors import UserFacingError
from fieldapp.server.models import metadata, server_keys


class StoreError(UserFacingError):
    pass


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes: everything the server stores is UTC."""
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and a bare file path too; the psycopg 3 driver is the one installed."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"Alamat basis data tidak dikenali: {url!r}.",
                         f"Unrecognised database URL: {url!r}.", code="bad_db_url") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.get_backend_name() != "postgresql":
        raise StoreError("Hanya SQLite dan PostgreSQL yang didukung.", "Only SQLite and PostgreSQL are supported.",
                         code="bad_db_url")
    engine = create_engine(parsed, pool_size=10, max_overflow=20, pool_pre_ping=True)
    return engine


def _sqlite_engine(parsed) -> Engine:
    database = parsed.database
    if database and database != ":memory:":
        folder = Path(database).expanduser().resolve().parent
        if not folder.is_dir():
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"Folder basis data tidak dapat dibuat: {folder} ({exc.strerror}).",
                                 f"Cannot create the database folder: {folder} ({exc.strerror}).",
                                 code="bad_db_url") from None
    engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 60},
                           pool_size=10, max_overflow=20)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see module doc)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA cache_size=-32768")  # 32 MiB: the indexes of a large store stay in memory
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return engine


@contextmanager
def write_transaction(engine: Engine):
    """A connection inside a write transaction: committed on success, rolled back on any error."""
    with engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            yield conn


def init_schema(engine: Engine) -> None:
    """Create the tables (first version: ``create_all``, no migrations yet) and the digest key."""
    metadata.create_all(engine)
    with write_transaction(engine) as conn:
        if conn.execute(select(server_keys.c.key_id).where(server_keys.c.purpose == "enrolled_digest")).first():
            return
        try:
            with conn.begin_nested():
                conn.execute(insert(server_keys).values(
                    key_id=secrets.token_hex(8), purpose="enrolled_digest", secret=secrets.token_bytes(32),
                    created_at=utcnow()))
        except IntegrityError:  # another worker created it first
            pass
