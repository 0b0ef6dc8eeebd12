"""A laptop store syncing with the real server on 127.0.0.1: every status, resends, KPJ pull, offline transfer."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest
from sqlalchemy import func, select, text

from fieldapp.db import models as m
from fieldapp.errors import DuplicateNik
from fieldapp.server import bpjs, reference
from fieldapp.server.models import participants as server_participants
from fieldapp.services import conflicts, enrolment, participants, sync, transfer
from fieldapp.services.workspace import Workspace
from fieldapp.sync.client import SyncError
from tests.conftest import PASSWORD as LOCAL_PASSWORD
from tests.factories import enrol_people
from tests.integration.conftest import conflicted


@pytest.fixture
def other(template_store, tmp_path):
    """A second laptop with its own store, used by the same officer."""
    other_dir = tmp_path / "other"
    shutil.copytree(template_store, other_dir)  # the store with its key file
    ws = Workspace.open(other_dir, "petugas", LOCAL_PASSWORD)
    yield ws
    ws.close()


def server_rows(server) -> int:
    with server.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(server_participants))


def states(ws) -> dict[str, str]:
    with ws.store.sessions() as s:
        return dict(s.execute(select(m.Participant.uuid, m.Participant.sync_state)).all())


def test_sync_sends_pending_records_and_applies_the_receipt(laptop, server):
    sent = enrol_people(laptop, 3)
    report = sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD)
    assert report.counts == {"accepted": 3} and report.batches == 1
    assert set(states(laptop).values()) == {"accepted"}
    assert server_rows(server) == 3
    log = sync.log(laptop)
    assert log[0].status == "receipted" and log[0].counts == {"accepted": 3} and log[0].clock_offset_ms is not None
    again = sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD)
    assert again.batches == 0 and server_rows(server) == 3
    edited = enrolment.edit(laptop, sent[0].id, enrolment.draft_from(sent[0], street="Kp. Baru No. 2"),
                            expected_revision=1)
    assert edited.sync_state == "pending"
    assert sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD).counts == {"updated": 1}
    assert participants.by_uuid(laptop, sent[0].uuid).synced_revision == 2


def test_interrupted_batch_is_resent_with_the_same_id(laptop, server):
    enrol_people(laptop, 4)
    assert sync.prepare_batches(laptop, server.url) == 1  # stored, then the laptop "crashed" before sending
    assert set(states(laptop).values()) == {"sent"}
    report = sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD)
    assert report.counts == {"accepted": 4}
    with laptop.store.engine.begin() as conn:  # receipt lost on the way: the batch is still open
        conn.execute(text("UPDATE sync_batches SET status='failed'"))
        conn.execute(text("UPDATE participants SET sync_state='sent'"))
    report = sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD)
    assert report.counts == {"accepted": 4}  # the stored receipt, byte for byte
    assert set(states(laptop).values()) == {"accepted"} and server_rows(server) == 4


def test_duplicate_person(laptop, server, other):
    mine = enrol_people(laptop, 1)[0]
    theirs = enrolment.enrol(other, replace(mine.data, full_name="Orang Lain"))
    sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD)
    assert sync.sync_now(other, server.url, "petugas", LOCAL_PASSWORD).counts == {"duplicate_person": 1}
    dup = participants.by_uuid(other, theirs.uuid)
    assert dup.sync_state == "duplicate_person" and dup.sync_message


def test_kpj_numbers_reference_targets_and_digests_come_back(laptop, server):
    mine = enrol_people(laptop, 2)
    sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD)
    bpjs.import_kpj(server.engine, f"nik,kpj\n{mine[0].data.nik},12345678901\n")
    reference.import_targets(server.engine, "village_code,target\n3216062002,150\n")
    report = sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD)
    assert report.kpj_updates == 1
    assert participants.by_uuid(laptop, mine[0].uuid).kpj == "12345678901"
    assert participants.by_uuid(laptop, mine[1].uuid).kpj is None
    with laptop.store.sessions() as s:
        assert s.get(m.VillageTarget, "3216062002").target == 150
        assert s.scalar(select(func.count()).select_from(m.EnrolledDigest)) == 2


def test_offline_transfer_round_trip_matches_online(laptop, server, tmp_path):
    sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD)  # logs in once: the transfer key is kept
    enrol_people(laptop, 3)
    [batch_file] = transfer.export_batches(laptop, tmp_path / "kiriman.json")
    assert json.loads(batch_file.read_text())["cipher"] == "AES-256-GCM"
    receipt_file = tmp_path / "tanda-terima.json"
    cmd = [sys.executable, "-m", "fieldapp.server.cli", "import-batch", str(batch_file), "--receipt-out",
           str(receipt_file), "--db", server.settings.db_url]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert transfer.import_receipt(laptop, receipt_file) == {"accepted": 3}
    assert transfer.import_receipt(laptop, receipt_file) == {"accepted": 3}  # twice: nothing changes
    assert set(states(laptop).values()) == {"accepted"} and server_rows(server) == 3
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)  # the operator imports it again
    assert r.returncode == 0 and server_rows(server) == 3


def test_hostile_receipt_never_touches_other_records(laptop, server):
    enrol_people(laptop, 2)
    sync.prepare_batches(laptop, "file:x")
    with laptop.store.sessions() as s:
        batch_id = s.scalar(select(m.SyncBatch.batch_id))
    hostile = {"batch_id": batch_id, "results": [{"uuid": "not-ours", "status": "accepted"},
                                                 {"uuid": None, "status": "rejected"}]}
    with pytest.raises(SyncError) as exc:
        sync.apply_receipt(laptop, batch_id, hostile)
    assert exc.value.code == "protocol"
    assert set(states(laptop).values()) == {"sent"}
    with pytest.raises(Exception) as exc:
        sync.apply_receipt(laptop, batch_id, {"batch_id": "other", "results": []})
    assert getattr(exc.value, "code", "") == "receipt_mismatch"


def test_nik_enrolled_on_another_laptop_is_a_duplicate_here_after_sync(laptop, server, other):
    theirs = enrol_people(other, 1)[0]
    sync.sync_now(other, server.url, "petugas", LOCAL_PASSWORD)
    enrol_people(laptop, 1, start=5)  # this laptop works in the same village
    sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD)
    with pytest.raises(DuplicateNik) as exc:
        enrolment.enrol(laptop, theirs.data)
    assert exc.value.existing.server_uuid == theirs.uuid
    assert exc.value.existing.masked_nik == theirs.masked_nik and exc.value.existing.village_name


def test_export_bpjs_lists_participants_without_kpj_with_ids_as_text(laptop, server, tmp_path):
    from openpyxl import load_workbook

    mine = enrol_people(laptop, 3)
    sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD)
    bpjs.import_kpj(server.engine, f"nik,kpj\n{mine[0].data.nik},12345678901\n")
    out = tmp_path / "kolektif.xlsx"
    cmd = [sys.executable, "-m", "fieldapp.server.cli", "export-bpjs", "--out", str(out),
           "--db", server.settings.db_url]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    sheet = load_workbook(out).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[0] == "NIK" and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:T3"
    assert sorted(row[0] for row in rows) == sorted(p.data.nik for p in mine[1:])  # the one with a KPJ is done
    nik_cell = sheet.cell(row=2, column=1)
    assert nik_cell.data_type == "s" and nik_cell.number_format == "@"
    assert all(isinstance(row[10], str) and row[10].startswith("08") for row in rows)


def test_conflict_shows_both_versions_and_keep_mine_resends_on_top(laptop, server):
    mine = conflicted(laptop, server)
    assert participants.by_uuid(laptop, mine.uuid).sync_state == "conflict"
    both = conflicts.view(laptop, mine.id)
    assert (both.local_revision, both.server_revision) == (2, 2)
    assert [(f, a, b) for f, a, b in both.differences] == [("street", "Jl. Tiga", "Jl. Dua")]
    conflicts.resolve(laptop, mine.id, "mine")
    assert participants.by_uuid(laptop, mine.uuid).sync_state == "pending"
    assert sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD).counts == {"updated": 1}
    with server.engine.connect() as conn:
        stored = json.loads(conn.scalar(select(server_participants.c.record)))
    assert stored["address"]["street"] == "Jl. Tiga" and stored["revision"] == 3
    assert conflicts.view(laptop, mine.id) is None


def test_conflict_take_the_servers_version(laptop, server):
    mine = conflicted(laptop, server)
    conflicts.resolve(laptop, mine.id, "server")
    now = participants.by_uuid(laptop, mine.uuid)
    assert (now.data.street, now.sync_state, now.revision) == ("Jl. Dua", "accepted", 2)
    assert sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD).batches == 0


def test_server_copy_only_for_its_sender_or_a_supervisor(laptop, server):
    mine = enrol_people(laptop, 1)[0]
    sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD)
    other = server.client("lain")
    with pytest.raises(SyncError) as exc:
        other.record(mine.uuid)
    assert exc.value.status == 404
    server.add_user("kepala", "supervisor")
    boss = server.client("kepala")
    assert boss.record(mine.uuid)["record"]["nik"] == mine.data.nik
