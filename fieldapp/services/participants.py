"""Finding participants again: search as you type, filters, pages of rows for the list."""

from __future__ import annotations

from collections.abc import Sequence

from fieldapp.db import participants as repo
from fieldapp.domain.nik import normalize_nik
from fieldapp.domain.participant import Participant, ParticipantRow, SearchQuery
from fieldapp.services import access
from fieldapp.services.workspace import Workspace

# Rows and records come back with NIKs masked for roles that do not need them; full NIKs shown are audited.


def search(ws: Workspace, query: SearchQuery) -> list[ParticipantRow]:
    access.require(ws, access.SEARCH)
    with ws.store.sessions() as session:
        rows = repo.search(session, query)
    return access.disclose_rows(ws, rows)


def search_ids(ws: Workspace, query: SearchQuery) -> list[int]:
    access.require(ws, access.SEARCH)
    with ws.store.sessions() as session:
        return repo.search_ids(session, query)


def rows_for_ids(ws: Workspace, ids: Sequence[int]) -> list[ParticipantRow]:
    access.require(ws, access.SEARCH)
    with ws.store.sessions() as session:
        rows = repo.rows_for_ids(session, ids)
    return access.disclose_rows(ws, rows)


def count(ws: Workspace, query: SearchQuery) -> int:
    access.require(ws, access.SEARCH)
    with ws.store.sessions() as session:
        return repo.count(session, query)


def find_by_nik(ws: Workspace, nik: str) -> Participant | None:
    access.require(ws, access.SEARCH)
    with ws.store.sessions() as session:
        found = repo.find_active_by_nik(session, normalize_nik(nik))
    return access.disclose(ws, found)


def by_uuid(ws: Workspace, uuid: str) -> Participant | None:
    access.require(ws, access.SEARCH)
    with ws.store.sessions() as session:
        found = repo.get_by_uuid(session, uuid)
    return access.disclose(ws, found)
