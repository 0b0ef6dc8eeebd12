"""The audit trail (UU PDP Pasal 31): who did what to which record, as hash-chained entries.

Each entry's hash covers the previous entry's hash and its own fields, so a changed, deleted or re-ordered
entry breaks the chain at that point. Entries never hold a NIK or a name in clear.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.db import models as m
from fieldapp.db.timeutil import aware, utcnow

GENESIS = "0" * 64


def _digest(prev_hash: str, at: str, username: str, action: str, entity: str, entity_id: str, detail: str) -> str:
    body = json.dumps([prev_hash, at, username, action, entity, entity_id, detail], ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    session: Session, username: str, action: str, entity: str = "", entity_id: str = "", **detail: object
) -> None:
    """Append an entry inside the caller's transaction."""
    prev = session.scalar(select(m.AuditEvent.hash).order_by(m.AuditEvent.id.desc()).limit(1)) or GENESIS
    at = utcnow().replace(microsecond=0)
    detail_json = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else ""
    entry = m.AuditEvent(
        at=at,
        username=username,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        detail=detail_json,
        prev_hash=prev,
    )
    entry.hash = _digest(prev, aware(at).isoformat(), username, action, entity, str(entity_id), detail_json)
    session.add(entry)


def verify(session: Session) -> int | None:
    """The id of the first entry whose link is broken, or None when the whole chain holds."""
    prev = GENESIS
    for e in session.scalars(select(m.AuditEvent).order_by(m.AuditEvent.id)):
        expected = _digest(prev, aware(e.at).isoformat(), e.username, e.action, e.entity, e.entity_id, e.detail)
        if e.prev_hash != prev or e.hash != expected:
            return e.id
        prev = e.hash
    return None


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(m.AuditEvent)) or 0


def export_csv(session: Session, out: Path) -> int:
    """The whole trail with its hashes, for the supervisor (UTF-8 with BOM so Excel reads it right)."""
    n = 0
    with Path(out).open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "at", "username", "action", "entity", "entity_id", "detail", "prev_hash", "hash"])
        for e in session.scalars(select(m.AuditEvent).order_by(m.AuditEvent.id)):
            writer.writerow([e.id, aware(e.at).isoformat(), e.username, e.action, e.entity, e.entity_id, e.detail,
                             e.prev_hash, e.hash])
            n += 1
    return n
