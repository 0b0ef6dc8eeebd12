"""The engine factory: the ONE place a database file is opened, always encrypted (SQLCipher, AES-256).

SQLite in WAL mode with foreign keys on and ``synchronous=FULL``: every commit is fsynced into the WAL before
it returns, so a save the officer has seen confirmed survives a power cut (NORMAL would only survive a crash of
the app, not of the machine). Measured in ``bench/``: a FULL commit costs about one fsync.

Every page of the store, its WAL and its backups is encrypted with the data key (see ``keyring``); a store made
before encryption is converted in place the first time it is opened with a key, after an encrypted backup.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from fieldapp.errors import UserFacingError

DB_NAME = "fieldapp.sqlite"
PLAIN_HEADER = b"SQLite format 3\x00"  # an encrypted file starts with its random salt instead


class StoreError(UserFacingError):
    pass


def apply_pragmas(conn: sqlcipher.Connection) -> None:
    cur = conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-32000")
    cur.close()


def _damaged(path: Path, exc: Exception) -> StoreError:
    return StoreError(
        f"Penyimpanan data {path.name} rusak atau tidak dapat dibaca ({exc}). Pulihkan dari cadangan terbaru.",
        f"The data store {path.name} is damaged or unreadable ({exc}). Restore the newest backup.",
        code="store_damaged",
    )


def connect(path: Path, key: bytes, *, pragmas: bool = True, readonly: bool = False) -> sqlcipher.Connection:
    """A DB-API connection to an encrypted database file, keyed and checked (a wrong key or a damaged header
    fails here, not on some later query)."""
    target = f"file:{path}?mode=ro" if readonly else str(path)
    conn = sqlcipher.connect(target, uri=readonly, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if pragmas:
            apply_pragmas(conn)
    except sqlcipher.DatabaseError as exc:
        conn.close()
        raise _damaged(path, exc) from exc
    return conn


def make_engine(path: Path, key: bytes) -> Engine:
    # hide_parameters: a failed statement's message (which may reach a log or a dialog) names no NIK or name
    engine = create_engine(f"sqlite:///{path}", module=sqlcipher, creator=lambda: connect(path, key),
                           hide_parameters=True, future=True)
    event.listen(engine, "handle_error", _disk_full)
    return engine




def _disk_full(context) -> None:
    """A full disk (or a failing one) is the user's to fix: say so; the transaction is rolled back, nothing
    saved before is touched."""
    message = str(context.original_exception).lower()
    if "database or disk is full" in message:
        raise StoreError(
            "Penyimpanan laptop penuh: data ini BELUM tersimpan. Kosongkan ruang disk (hapus berkas yang tidak "
            "perlu), lalu simpan lagi. Data yang sudah tersimpan aman.",
            "The laptop's disk is full: this data was NOT saved. Free some disk space, then save again. "
            "Everything saved before is safe.",
            code="disk_full",
        ) from context.original_exception


@dataclass
class Store:
    """An open local store: its file, engine and session factory."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    key: bytes

    @property
    def data_dir(self) -> Path:
        return self.path.parent

    def close(self) -> None:
        self.engine.dispose()


def store_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_NAME


def require_store(data_dir: Path) -> Path:
    path = store_path(data_dir)
    if not path.exists():
        raise StoreError(
            f"Belum ada penyimpanan data di {data_dir}. Jalankan 'fieldapp init' atau 'fieldapp seed-demo' dulu.",
            f"No data store in {data_dir} yet. Run 'fieldapp init' or 'fieldapp seed-demo' first.",
            code="no_store",
        )
    return path


def is_plain(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(16) == PLAIN_HEADER


def refuse_newer_plain(path: Path) -> None:
    """Refuse an unencrypted store written by a newer app before anything touches it."""
    from fieldapp.db import migrations_runner

    plain = create_engine(f"sqlite:///{path}", module=sqlcipher)
    try:
        migrations_runner.refuse_newer(plain)
    finally:
        plain.dispose()


def open_store(data_dir: Path, key: bytes, *, create: bool = False) -> Store:
    """Open (and, when needed, encrypt and migrate, each after a backup) the store in ``data_dir``."""
    from fieldapp.db import migrations_runner

    path = store_path(data_dir) if create else require_store(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not create and path.stat().st_size == 0:
        raise _damaged(path, Exception("0 bytes"))
    if path.exists() and path.stat().st_size and is_plain(path):
        refuse_newer_plain(path)  # before anything is written
        encrypt_in_place(path, key)
    engine = make_engine(path, key)
    try:
        migrations_runner.upgrade(engine, path, key)
    except Exception:
        engine.dispose()
        raise
    return Store(path, engine, sessionmaker(engine, expire_on_commit=False), key)


def backup_path(dest_dir: Path, label: str) -> Path:
    """Where a backup labelled ``label`` made now goes: fieldapp-<label>-<YYYYmmdd-HHMMSS>.sqlite."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return dest_dir / f"fieldapp-{label}-{stamp}.sqlite"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_file(source: Path, dest_dir: Path, label: str, key: bytes) -> Path:
    """Copy an encrypted database with SQLite's online backup API (consistent even while it is in use); the
    copy is encrypted with the same key."""
    dest = backup_path(dest_dir, label)
    src = connect(source, key, pragmas=False)
    try:
        dst = connect(dest, key, pragmas=False)
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    _fsync(dest)
    return dest


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A staging file next to ``path`` that atomically replaces it when the block succeeds."""
    staging = path.with_name(path.name + ".encrypting")
    staging.unlink(missing_ok=True)
    try:
        yield staging
        _fsync(staging)
        staging.replace(path)
    finally:
        staging.unlink(missing_ok=True)


def export_encrypted(plain: Path, dest: Path, key: bytes) -> None:
    """Write an encrypted copy of a plain database (SQLCipher's ``sqlcipher_export``), then check it."""
    conn = sqlcipher.connect(str(plain))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{key.hex()}'\"", (str(dest),))
        conn.execute("SELECT sqlcipher_export('enc')")
        conn.execute(f"PRAGMA enc.user_version = {int(version)}")
        conn.execute("DETACH DATABASE enc")
    finally:
        conn.close()
    check = connect(dest, key, pragmas=False)
    try:
        if check.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise StoreError("Enkripsi gagal diperiksa; data asli tidak diubah.",
                             "The encrypted copy failed its check; the original is untouched.", code="encrypt_failed")
    finally:
        check.close()


def encrypt_in_place(path: Path, key: bytes) -> None:
    """Turn a plain store into an encrypted one: an encrypted backup first, then an atomic swap. Plain backups
    beside it are encrypted too, so no clear copy stays under the data directory."""
    backup = backup_path(path.parent / "backups", "pre-encrypt")
    export_encrypted(path, backup, key)
    _fsync(backup)
    with _replacing(path) as staging:
        shutil.copyfile(backup, staging)
        for suffix in ("-wal", "-shm"):  # the plain WAL was checkpointed into the copy; it must not meet the new file
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    for old in (path.parent / "backups").glob("fieldapp-*.sqlite"):
        if is_plain(old):
            with _replacing(old) as staging:
                export_encrypted(old, staging, key)
