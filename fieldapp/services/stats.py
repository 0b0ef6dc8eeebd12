"""Counts for the home page and ``fieldapp stats``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, distinct, func, select, true

from fieldapp.db import models as m
from fieldapp.db import participants as repo
from fieldapp.db import settings as settings_repo
from fieldapp.db.timeutil import aware
from fieldapp.domain.participant import VillageProgress
from fieldapp.services.workspace import Workspace

DEFAULT_TARGET = 100


def counts(ws: Workspace) -> dict:
    with ws.store.sessions() as session:
        by_state = repo.count_by_state(session)
        active = m.Participant.active == true()
        return {
            "participants": {"total": sum(by_state.values()), "by_sync_state": by_state},
            "villages": session.scalar(select(func.count(distinct(m.Participant.village_code))).where(active)),
            "villages_known": session.scalar(select(func.count()).where(m.Region.level == 4)),
            "visits": session.scalar(select(func.count()).select_from(m.Visit)),
            "users": session.scalar(select(func.count()).select_from(m.User)),
            "regions_version": settings_repo.get(session, "regions_version"),
        }


def village_progress(ws: Workspace, limit: int = 50) -> list[VillageProgress]:
    """Villages with enrolments or a target, most enrolled first."""
    with ws.store.sessions() as session:
        p = m.Participant
        synced = func.sum((p.sync_state == "accepted").cast(Integer))
        stmt = (
            select(
                p.village_code,
                m.Region.name,
                func.coalesce(m.VillageTarget.target, DEFAULT_TARGET),
                func.count(),
                synced,
            )
            .join(m.Region, m.Region.code == p.village_code)
            .outerjoin(m.VillageTarget, m.VillageTarget.village_code == p.village_code)
            .where(p.active == true())
            .group_by(p.village_code)
            .order_by(func.count().desc())
            .limit(limit)
        )
        return [
            VillageProgress(code, name, target, enrolled, synced or 0)
            for code, name, target, enrolled, synced in session.execute(stmt)
        ]


def enrolled_today(ws: Workspace, today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    start = dt.datetime.combine(today, dt.time()).astimezone(dt.timezone.utc).replace(tzinfo=None)
    with ws.store.sessions() as session:
        return (
            session.scalar(
                select(func.count()).where(m.Participant.enrolled_at >= start, m.Participant.active == true())
            )
            or 0
        )


def last_sync(ws: Workspace) -> dt.datetime | None:
    with ws.store.sessions() as session:
        return aware(session.scalar(select(func.max(m.SyncBatch.sent_at)).where(m.SyncBatch.status == "receipted")))
