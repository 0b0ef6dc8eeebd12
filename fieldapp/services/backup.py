"""Backups of the local store with SQLite's online backup API: rolling daily and weekly copies, and a copy
before every migration and every restore. A restore never loses the store it replaces.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from fieldapp.db.engine import StoreError, backup_file, store_path
from fieldapp.errors import UserFacingError

KEEP = {"daily": 7, "weekly": 4}


def backups_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "backups"


def list_backups(data_dir: Path) -> list[Path]:
    """Newest first."""
    return sorted(backups_dir(data_dir).glob("fieldapp-*.sqlite"), key=lambda p: p.stat().st_mtime, reverse=True)


def backup_now(data_dir: Path, label: str = "manual") -> Path:
    source = store_path(data_dir)
    if not source.exists():
        raise StoreError(f"Tidak ada data di {data_dir}.", f"No data store in {data_dir}.", code="no_store")
    try:
        return backup_file(source, backups_dir(data_dir), label)
    except OSError as exc:
        raise UserFacingError(f"Cadangan gagal dibuat: {exc.strerror}. Data yang ada tetap aman.",
                              f"The backup could not be written: {exc.strerror}. The data is untouched.",
                              code="backup_failed") from exc


def rolling_backup(data_dir: Path, today: dt.date | None = None) -> Path | None:
    """Today's daily copy (and this week's weekly one) if not made yet; old ones beyond KEEP are removed."""
    today = today or dt.date.today()
    made = None
    for kind, stamp in (("daily", f"{today:%Y%m%d}"), ("weekly", f"{today:%G}w{today:%V}")):
        label = f"{kind}-{stamp}"
        if not any(backups_dir(data_dir).glob(f"fieldapp-{label}-*.sqlite")):
            made = backup_now(data_dir, label)
        for old in sorted(backups_dir(data_dir).glob(f"fieldapp-{kind}-*.sqlite"), reverse=True)[KEEP[kind]:]:
            old.unlink()
    return made


def check(path: Path) -> str:
    """SQLite's integrity check of a store or backup file: "ok", or the first problem found."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)


def restore(data_dir: Path, backup: Path) -> Path:
    """Replace the store with ``backup`` after checking it; the current store is backed up first.

    Returns the backup of the store that was replaced. After a restore, a sync reconciles with the server by
    record UUID: records the server already holds come back as ``unchanged``, nothing is doubled.
    """
    backup = Path(backup)
    result = check(backup)
    if result != "ok":
        raise UserFacingError(f"Cadangan {backup.name} rusak ({result}); pilih cadangan lain.",
                              f"Backup {backup.name} is damaged ({result}); choose another one.",
                              code="backup_damaged")
    target = store_path(data_dir)
    replaced = backup_now(data_dir, "pre-restore") if target.exists() else None
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    staging = target.with_suffix(".restoring")
    shutil.copy2(backup, staging)
    staging.replace(target)  # atomic on one file system: the old store or the new one, never half of each
    return replaced


def restore_as(data_dir: Path, username: str, password: str, backup: Path | None = None) -> tuple[Path, Path | None]:
    """Restore ``backup`` (by default the newest intact one) for a supervisor or admin of that backup.

    Returns (the backup restored, the copy of the store it replaced). Works when the current store is damaged.
    """
    from fieldapp.services import accounts

    candidates = [Path(backup)] if backup else list_backups(data_dir)
    chosen = next((p for p in candidates if check(p) == "ok"), None)
    if chosen is None:
        raise UserFacingError("Tidak ada cadangan yang utuh untuk dipulihkan.", "No intact backup to restore.",
                              code="no_backup")
    if accounts.role_in_file(chosen, username, password) not in ("supervisor", "admin"):
        raise UserFacingError("Hanya supervisor atau admin yang dapat memulihkan data.",
                              "Only a supervisor or an admin can restore.", code="forbidden")
    return chosen, restore(data_dir, chosen)
