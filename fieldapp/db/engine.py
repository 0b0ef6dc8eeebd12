"""The engine factory: the ONE place a database file is opened (encryption at rest plugs in here).

SQLite in WAL mode with foreign keys on and ``synchronous=FULL``: every commit is fsynced into the WAL before
it returns, so a save the officer has seen confirmed survives a power cut (NORMAL would only survive a crash of
the app, not of the machine). Measured in ``bench/``: a FULL commit costs about one fsync.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from fieldapp.errors import UserFacingError

DB_NAME = "fieldapp.sqlite"


class StoreError(UserFacingError):
    pass


def apply_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-32000")
    cur.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", apply_pragmas)
    return engine


@dataclass
class Store:
    """An open local store: its file, engine and session factory."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def data_dir(self) -> Path:
        return self.path.parent

    def close(self) -> None:
        self.engine.dispose()


def store_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_NAME


def open_store(data_dir: Path, *, create: bool = False) -> Store:
    """Open (and, when needed, migrate after a backup) the store in ``data_dir``."""
    from fieldapp.db import migrations_runner

    path = store_path(data_dir)
    if not path.exists() and not create:
        raise StoreError(
            f"Belum ada penyimpanan data di {data_dir}. Jalankan 'fieldapp init' atau 'fieldapp seed-demo' dulu.",
            f"No data store in {data_dir} yet. Run 'fieldapp init' or 'fieldapp seed-demo' first.",
            code="no_store",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path)
    try:
        migrations_runner.upgrade(engine, path)
    except Exception:
        engine.dispose()
        raise
    return Store(path, engine, sessionmaker(engine, expire_on_commit=False))


def backup_file(source: Path, dest_dir: Path, label: str) -> Path:
    """Copy a database with SQLite's online backup API (consistent even while it is in use)."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = dest_dir / f"fieldapp-{label}-{stamp}.sqlite"
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(dest)
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return dest
