"""Alembic, driven from code: upgrade to head after a backup, refuse a store newer than this app.

Alembic is imported only when a store is not at ``HEAD`` already: opening an up-to-date store (every start of
the app) costs one query, not Alembic's import (about 0.2 s). A test keeps ``HEAD`` equal to Alembic's head.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0006"  # the newest revision under migrations/versions


def include_name(name: str | None, type_: str, _parent: dict) -> bool:
    """Leave FTS5's own shadow tables out of autogenerate: the migrations create them with raw SQL."""
    return not (type_ == "table" and name is not None and "_fts" in name)


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def refuse_newer(engine: Engine) -> str | None:
    """The store's revision; a store written by a newer app (a revision this one does not know) is refused."""
    current = current_revision(engine)
    if current is None or current == HEAD:
        return current
    from alembic.script import ScriptDirectory

    from fieldapp.db.engine import StoreError

    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current not in known:
        raise StoreError(
            f"Data ini dibuat oleh versi fieldapp yang lebih baru (skema {current}). Pasang versi terbaru aplikasi.",
            f"This store was written by a newer fieldapp (schema {current}). Install the newest version of the app.",
            code="store_too_new",
        )
    return current


def upgrade(engine: Engine, path: Path, key: bytes) -> None:
    current = refuse_newer(engine)
    if current == HEAD:
        return
    from alembic import command

    from fieldapp.db.engine import backup_file

    cfg = alembic_config()
    if current is not None:
        backup_file(path, path.parent / "backups", f"pre-migrate-{current}", key)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
