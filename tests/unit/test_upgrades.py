"""Every old store file (tests/data/store-NNNN.sqlite, made by tests/data/make_stores.py) opens through the app:
backed up at its old revision first, migrated to HEAD, every participant, visit and sync record intact.

The checked-in files are read with sqlite3 for what they hold; the migrated store only through the app (it may
be encrypted by then), so these tests hold with and without encryption at rest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from fieldapp.db.engine import StoreError, make_engine, store_path
from fieldapp.db.migrations_runner import HEAD, alembic_config, current_revision
from fieldapp.domain.participant import SearchQuery
from fieldapp.services import audit, conflicts, enrolment, participants, sync, sync_view, visits
from fieldapp.services.workspace import Workspace
from tests.conftest import PASSWORD

DATA = Path(__file__).resolve().parent.parent / "data"
FILES = sorted(DATA.glob("store-*.sqlite"))
REVISIONS = [p.stem.removeprefix("store-") for p in FILES]


def pristine(path: Path) -> dict[str, list[dict]]:
    """What a checked-in file holds, table by table (tables that revision lacks are empty)."""
    db = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    db.row_factory = sqlite3.Row
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        wanted = ("participants", "visits", "sync_batches", "sync_results", "users", "audit_events",
                  "enrolled_digests", "conflict_copies")
        return {t: [dict(r) for r in db.execute(f"SELECT * FROM {t} ORDER BY rowid")] if t in tables else []
                for t in wanted}
    finally:
        db.close()


def copy_to(tmp_path: Path, revision: str) -> Path:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(DATA / f"store-{revision}.sqlite", store_path(data_dir))
    return data_dir


def in_file(ws: Workspace, path: Path, sql: str):
    """One value from another store file (a backup), opened by the engine factory like the store itself:
    plain before encryption at rest, with the store's key after it."""
    key = getattr(ws.store, "key", None)
    engine = make_engine(path) if key is None else make_engine(path, key)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def test_there_is_a_store_file_for_every_revision_before_head():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    assert sorted(r.revision for r in script.walk_revisions() if r.revision != HEAD) == REVISIONS


def test_store_files_are_small_and_hold_synthetic_people_only():
    for path in FILES:
        assert path.stat().st_size < 300_000
        names = {p["full_name"] for p in pristine(path)["participants"]}
        assert names <= {"Budi Santoso", "Siti Aminah", "Ahmad Fauzi"}, path.name


@pytest.mark.parametrize("revision", REVISIONS)
def test_old_store_is_backed_up_then_migrated_with_every_record_intact(tmp_path, revision):
    before = pristine(DATA / f"store-{revision}.sqlite")
    data_dir = copy_to(tmp_path, revision)
    with Workspace.open(data_dir, "sup", PASSWORD) as ws:
        assert current_revision(ws.store.engine) == HEAD
        backups = sorted((data_dir / "backups").glob(f"fieldapp-pre-migrate-{revision}-*.sqlite"))
        assert len(backups) == 1
        assert in_file(ws, backups[0], "SELECT version_num FROM alembic_version") == revision
        assert in_file(ws, backups[0], "SELECT count(*) FROM participants") == len(before["participants"])

        for row in before["participants"]:
            p = participants.by_uuid(ws, row["uuid"])
            assert p is not None, row["full_name"]
            assert (p.data.nik, p.data.full_name, p.data.village_code, p.data.birth_date.isoformat(), p.data.sex,
                    p.data.street, p.data.income_band, ",".join(p.data.programs)) == (
                row["nik"], row["full_name"], row["village_code"], row["birth_date"], row["sex"], row["street"],
                row["income_band"], row["programs"])
            assert (p.local_number, p.revision, p.synced_revision, p.sync_state, p.sync_message, p.kpj,
                    p.visit_id, p.active) == (
                row["local_number"], row["revision"], row["synced_revision"], row["sync_state"],
                row["sync_message"], row["kpj"], row["visit_id"], bool(row["active"]))
            assert p.enrolled_at == dt.datetime.fromisoformat(row["enrolled_at"]).replace(tzinfo=dt.timezone.utc)
        assert [r.full_name for r in participants.search(ws, SearchQuery("siti"))] == ["Siti Aminah"]  # FTS kept

        shown = {v.uuid: v for v in visits.list_visits(ws)}
        assert set(shown) == {v["uuid"] for v in before["visits"]}
        for row in before["visits"]:
            v = shown[row["uuid"]]
            assert (v.village_code, v.visit_date.isoformat(), v.location_note, ",".join(v.programs)) == (
                row["village_code"], row["visit_date"], row["location_note"], row["programs"])

        log = {e.batch_id: e for e in sync.log(ws)}
        assert set(log) == {b["batch_id"] for b in before["sync_batches"]}
        for row in before["sync_batches"]:
            entry = log[row["batch_id"]]
            assert (entry.status, entry.record_count, entry.clock_offset_ms, entry.server) == (
                row["status"], row["record_count"], row["clock_offset_ms"], row["server"])
            results = {(r.revision, r.status, r.code, r.message) for r in sync_view.batch_results(ws, entry.id)}
            assert results == {(r["revision"], r["status"], r["code"], r["message"]) for r in before["sync_results"]
                               if r["batch_id"] == row["id"]}
        for digest in before["enrolled_digests"]:
            found = enrolment.find_duplicate(ws, "3216062505920007")  # the offline duplicate check still works
            assert (found.server_uuid, found.village_code) == (digest["server_uuid"], digest["village_code"])
        for copy in before["conflict_copies"]:
            p = participants.by_uuid(ws, copy["participant_uuid"])
            assert conflicts.view(ws, p.id).server_revision == copy["revision"]

        with ws.store.sessions() as session:
            assert audit.verify(session) is None  # the old chain and the new log-in entries hold together
            assert audit.count(session) > len(before["audit_events"])
    for user in before["users"]:  # every account of the old store logs in with its old password
        Workspace.open(data_dir, user["username"], PASSWORD).close()
    assert len(list((data_dir / "backups").glob("fieldapp-pre-migrate-*.sqlite"))) == 1  # migrated once only


def test_store_newer_than_this_app_is_refused_and_left_untouched(tmp_path):
    data_dir = copy_to(tmp_path, REVISIONS[-1])
    path = store_path(data_dir)
    with sqlite3.connect(path) as db:  # still the plain copy of the checked-in file
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    db.execute("PRAGMA journal_mode=WAL")  # as the newer app, like every version, would have left it
    db.close()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreError) as exc:
        Workspace.open(data_dir, "sup", PASSWORD)
    assert exc.value.code == "store_too_new"
    assert "lebih baru" in exc.value.indonesian and "9999" in exc.value.indonesian
    assert "newer" in exc.value.english and "9999" in exc.value.english
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert not [p for p in data_dir.iterdir() if p.name.startswith(path.name) and p != path]  # no WAL left behind
    assert not list(data_dir.glob("backups/*.sqlite"))  # nothing backed up: nothing was about to change
