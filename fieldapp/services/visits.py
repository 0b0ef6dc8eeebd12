"""Outreach visits: the village, date and programme package that pre-fill the enrolment form."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.db import models as m
from fieldapp.db.timeutil import utcnow
from fieldapp.domain import contributions
from fieldapp.domain.participant import Visit
from fieldapp.errors import UserFacingError, ValidationError
from fieldapp.services import access, audit, reference
from fieldapp.services.workspace import Workspace

PACKAGES = {"JKK,JKM": ("JKK + JKM", "JKK + JKM"), "JKK,JKM,JHT": ("JKK + JKM + JHT", "JKK + JKM + JHT")}


def _view(session: Session, v: m.Visit) -> Visit:
    officer = session.scalar(select(m.User.username).where(m.User.id == v.officer_id))
    village = session.scalar(select(m.Region.name).where(m.Region.code == v.village_code)) or v.village_code
    return Visit(
        v.id,
        v.uuid,
        v.village_code,
        village,
        v.visit_date,
        v.location_note,
        v.funding_source,
        tuple(v.programs.split(",")),
        v.sector,
        v.start_month,
        officer,
        v.closed_at is not None,
    )


def open_visit(
    ws: Workspace,
    *,
    village_code: str,
    visit_date: dt.date,
    funding_source: str,
    programs: str,
    sector: str,
    start_month: dt.date,
    location_note: str = "",
) -> Visit:
    """Open a visit; the officer's previous open visit is closed (one open visit at a time)."""
    access.require(ws, access.VISIT)
    problems = {}
    if not (len(village_code) == 10 and reference.known_regions(ws)(village_code)):
        problems["village"] = ("Pilih desa/kelurahan dari daftar.", "Choose a village from the list.")
    if funding_source not in contributions.FUNDING_SOURCES:
        problems["funding_source"] = ("Pilih sumber dana.", "Choose the funding source.")
    if programs not in PACKAGES:
        problems["programs"] = ("Pilih paket program.", "Choose the programme package.")
    if sector not in contributions.SECTORS:
        problems["sector"] = ("Pilih sektor.", "Choose the sector.")
    if problems:
        raise ValidationError(problems)
    access.require_area(ws, village_code)
    with ws.store.sessions.begin() as session:
        for v in session.scalars(select(m.Visit).where(m.Visit.officer_id == ws.user.id, m.Visit.closed_at.is_(None))):
            v.closed_at = utcnow()
        visit = m.Visit(
            uuid=str(uuid.uuid4()),
            village_code=village_code,
            visit_date=visit_date,
            location_note=location_note.strip(),
            funding_source=funding_source,
            programs=programs,
            sector=sector,
            start_month=start_month.replace(day=1),
            officer_id=ws.user.id,
            opened_at=utcnow(),
        )
        session.add(visit)
        session.flush()
        audit.record(session, ws.user.username, "open_visit", "visit", visit.uuid, village=village_code)
        return _view(session, visit)


def current_visit(ws: Workspace) -> Visit | None:
    with ws.store.sessions() as session:
        v = session.scalar(
            select(m.Visit)
            .where(m.Visit.officer_id == ws.user.id, m.Visit.closed_at.is_(None))
            .order_by(m.Visit.id.desc())
            .limit(1)
        )
        return _view(session, v) if v else None


def close_visit(ws: Workspace, visit_id: int) -> None:
    access.require(ws, access.VISIT)
    with ws.store.sessions.begin() as session:
        v = session.get(m.Visit, visit_id)
        if v is None:
            raise UserFacingError("Kunjungan tidak ditemukan.", "Visit not found.")
        access.require_own(ws, v.officer_id, ("menutup kunjungan petugas lain", "close another officer's visit"))
        v.closed_at = v.closed_at or utcnow()
        audit.record(session, ws.user.username, "close_visit", "visit", v.uuid)


def list_visits(ws: Workspace, limit: int = 200) -> list[Visit]:
    with ws.store.sessions() as session:
        rows = session.scalars(select(m.Visit).order_by(m.Visit.visit_date.desc(), m.Visit.id.desc()).limit(limit))
        return [_view(session, v) for v in rows]
