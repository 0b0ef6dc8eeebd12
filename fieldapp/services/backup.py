"""Backups of the local store with SQLite's online backup API: rolling daily and weekly copies, and a copy
before every migration and every restore. A restore never loses the store it replaces.

Backups are encrypted with the store's data key, like the store; the key file's copy in the same folder is what
opens them (see ``fieldapp.db.keyring``).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from fieldapp.db.engine import Store, StoreError, backup_file, backup_path, connect, store_path
from fieldapp.errors import UserFacingError

KEEP = {"daily": 7, "weekly": 4}


def backups_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "backups"


def list_backups(data_dir: Path) -> list[Path]:
    """Newest first."""
    return sorted(backups_dir(data_dir).glob("fieldapp-*.sqlite"), key=lambda p: p.stat().st_mtime, reverse=True)


def backup_now(store: Store, label: str = "manual") -> Path:
    try:
        return backup_file(store.path, backups_dir(store.data_dir), label, store.key)
    except OSError as exc:
        raise UserFacingError(f"Cadangan gagal dibuat: {exc.strerror}. Data yang ada tetap aman.",
                              f"The backup could not be written: {exc.strerror}. The data is untouched.",
                              code="backup_failed") from exc


def rolling_backup(store: Store, today: dt.date | None = None) -> Path | None:
    """Today's daily copy (and this week's weekly one) if not made yet; old ones beyond KEEP are removed."""
    today = today or dt.date.today()
    folder = backups_dir(store.data_dir)
    made = None
    for kind, stamp in (("daily", f"{today:%Y%m%d}"), ("weekly", f"{today:%G}w{today:%V}")):
        label = f"{kind}-{stamp}"
        if not any(folder.glob(f"fieldapp-{label}-*.sqlite")):
            made = backup_now(store, label)
        for old in sorted(folder.glob(f"fieldapp-{kind}-*.sqlite"), reverse=True)[KEEP[kind]:]:
            old.unlink()
    return made


def check(path: Path, key: bytes) -> str:
    """SQLite's integrity check of a store or backup file: "ok", or the first problem found."""
    try:
        conn = connect(path, key, pragmas=False, readonly=True)
    except StoreError as exc:
        return exc.english
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    except Exception as exc:  # a damaged page surfaces as a driver error
        return str(exc)
    finally:
        conn.close()


def restore(data_dir: Path, backup: Path, key: bytes) -> Path | None:
    """Replace the store with ``backup`` after checking it; the replaced store is kept in the backups folder,
    as it was (even damaged). The store must not be open.

    Returns where the replaced store was kept. After a restore, a sync reconciles with the server by record
    UUID: records the server already holds come back as ``unchanged``, nothing is doubled.
    """
    backup = Path(backup)
    result = check(backup, key)
    if result != "ok":
        raise UserFacingError(f"Cadangan {backup.name} rusak ({result}); pilih cadangan lain.",
                              f"Backup {backup.name} is damaged ({result}); choose another one.",
                              code="backup_damaged")
    target = store_path(data_dir)
    staging = target.with_suffix(".restoring")
    shutil.copy2(backup, staging)
    replaced = None
    if target.exists():
        replaced = backup_path(backups_dir(data_dir), "pre-restore")
        for suffix in ("-wal", "-shm", ""):  # the WAL goes with its file: it may hold the newest saves
            if Path(f"{target}{suffix}").exists():
                Path(f"{target}{suffix}").replace(f"{replaced}{suffix}")
    staging.replace(target)
    return replaced


def restore_as(data_dir: Path, username: str, password: str, backup: Path | None = None) -> tuple[Path, Path | None]:
    """Restore ``backup`` (by default the newest intact one) for a supervisor or admin of that backup.

    Returns (the backup restored, where the replaced store was kept). Works when the current store is damaged.
    """
    from fieldapp.services import accounts

    key = accounts.unlock(data_dir, username, password)
    candidates = [Path(backup)] if backup else list_backups(data_dir)
    chosen = next((p for p in candidates if check(p, key) == "ok"), None)
    if chosen is None:
        raise UserFacingError("Tidak ada cadangan yang utuh untuk dipulihkan.", "No intact backup to restore.",
                              code="no_backup")
    if accounts.role_in_file(chosen, key, username) not in ("supervisor", "admin"):
        raise UserFacingError("Hanya supervisor atau admin yang dapat memulihkan data.",
                              "Only a supervisor or an admin can restore.", code="forbidden")
    return chosen, restore(data_dir, chosen, key)
