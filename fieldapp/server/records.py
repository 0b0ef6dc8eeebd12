"""The server's copy of one record: what a laptop shows beside its own version when a send ends in ``conflict``."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select

from fieldapp.server.accounts import User
from fieldapp.server.db import as_utc
from fieldapp.server.models import participants
from fieldapp.server.problems import Problem

READERS_OF_ANY = ("supervisor", "admin")


def record_for(engine: Engine, user: User, uuid: str) -> dict:
    """The stored record, to its first sender or a supervisor/admin; others learn nothing, not even that it exists."""
    with engine.connect() as conn:
        row = conn.execute(select(participants.c.record, participants.c.revision, participants.c.updated_at,
                                  participants.c.owner_id).where(participants.c.uuid == uuid)).first()
    if row is None or (row.owner_id != user.id and user.role not in READERS_OF_ANY):
        raise Problem(404, "not_found", "Data ini tidak ada di server.", "The server holds no such record.")
    return {"uuid": uuid, "revision": row.revision, "updated_at": as_utc(row.updated_at).isoformat(timespec="seconds"),
            "record": json.loads(row.record)}
