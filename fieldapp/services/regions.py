"""Village type-ahead for the visit page and the enrolment form: all Indonesian villages, own area first."""

from __future__ import annotations

from fieldapp.db import regions as repo
from fieldapp.db.regions import RegionHit
from fieldapp.services.workspace import Workspace

__all__ = ["RegionHit", "name_of", "search_villages"]


def search_villages(ws: Workspace, text: str, *, limit: int = 20) -> list[RegionHit]:
    """Villages whose name words start with ``text``'s words (or whose code starts with its digits).

    Villages inside the officer's own area (``ws.user.area_code``) come first.
    """
    if not text.strip():
        return []
    with ws.store.sessions() as session:
        return repo.search(session, text, level=4, area_code=ws.user.area_code, limit=limit)


def name_of(ws: Workspace, code: str) -> str:
    """'Lambangsari, Tambun Selatan, Kabupaten Bekasi, Jawa Barat' for a village code ('' when unknown)."""
    with ws.store.sessions() as session:
        return repo.path(session, code) if code else ""
