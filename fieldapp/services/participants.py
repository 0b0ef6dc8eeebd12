"""Finding participants again: search as you type, filters, pages of rows for the list."""

from __future__ import annotations

from collections.abc import Sequence

from fieldapp.db import participants as repo
from fieldapp.domain.nik import normalize_nik
from fieldapp.domain.participant import Participant, ParticipantRow, SearchQuery
from fieldapp.services.workspace import Workspace


def search(ws: Workspace, query: SearchQuery) -> list[ParticipantRow]:
    with ws.store.sessions() as session:
        return repo.search(session, query)


def search_ids(ws: Workspace, query: SearchQuery) -> list[int]:
    with ws.store.sessions() as session:
        return repo.search_ids(session, query)


def rows_for_ids(ws: Workspace, ids: Sequence[int]) -> list[ParticipantRow]:
    with ws.store.sessions() as session:
        return repo.rows_for_ids(session, ids)


def count(ws: Workspace, query: SearchQuery) -> int:
    with ws.store.sessions() as session:
        return repo.count(session, query)


def find_by_nik(ws: Workspace, nik: str) -> Participant | None:
    with ws.store.sessions() as session:
        return repo.find_active_by_nik(session, normalize_nik(nik))


def by_uuid(ws: Workspace, uuid: str) -> Participant | None:
    with ws.store.sessions() as session:
        return repo.get_by_uuid(session, uuid)
