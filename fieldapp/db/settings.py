"""Key-value settings kept inside the store (device name, server address, age limits, …)."""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from fieldapp.db import models as m


def get(session: Session, key: str, default: str | None = None) -> str | None:
    value = session.scalar(select(m.Setting.value).where(m.Setting.key == key))
    return default if value is None else value


def put(session: Session, key: str, value: str) -> None:
    put_conn(session.connection(), key, value)


def put_conn(conn: Connection, key: str, value: str) -> None:
    stmt = insert(m.Setting).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def all_settings(session: Session) -> dict[str, str]:
    return dict(session.execute(select(m.Setting.key, m.Setting.value)).all())
