"""Record ownership on the real server (SQLite and PostgreSQL): a revision of an existing uuid is stored only
from the account that first sent it, from the device it first came from, or from a supervisor/admin; anyone
else gets that record's ``rejected`` / ``not_owner`` result, one the laptop's strict receipt check accepts."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import requests
from sqlalchemy import select

from fieldapp.server.models import participants
from fieldapp.sync.answers import check_receipt
from fieldapp.sync.client import make_batch
from fieldapp.sync.transfer import TransferKey, read_receipt_file, write_batch_file

PASSWORD = "rahasia-123"


def stored(server, uuid: str) -> tuple[int, str, str]:
    """(revision, street, first device) the server holds for ``uuid``."""
    with server.engine.connect() as conn:
        row = conn.execute(select(participants.c.revision, participants.c.record, participants.c.device_id)
                           .where(participants.c.uuid == uuid)).one()
    return row.revision, json.loads(row.record)["address"]["street"], row.device_id


def edit(record: dict, street: str, *, revision: int, base: int) -> dict:
    return {**record, "revision": revision, "base_revision": base, "address": {**record["address"], "street": street}}


def send(client, records: list[dict], device: str) -> tuple[dict, list[dict]]:
    """Post a batch; the receipt and its results as the laptop would take them (``answers.check_receipt``)."""
    batch = make_batch(records, device)
    receipt = client.post_batch(batch)
    return receipt, check_receipt(batch, receipt)


@pytest.fixture
def people(server):
    """budi (officer, laptop-1) owns one record; siti (officer, laptop-2) and sup (supervisor) are logged in."""
    server.add_user("sup", "supervisor")
    clients = {name: server.client(name, device_id=device)
               for name, device in (("budi", "laptop-1"), ("siti", "laptop-2"), ("sup", "laptop-3"))}
    return clients


def test_only_the_owner_its_device_or_a_supervisor_may_change_a_record(server, people, new_record):
    budi, siti, sup = people["budi"], people["siti"], people["sup"]
    first = new_record(1)
    assert send(budi, [first], "laptop-1")[0]["counts"]["accepted"] == 1

    receipt, [result] = send(siti, [edit(first, "Jl. Siti", revision=2, base=1)], "laptop-2")
    assert (result["status"], result["code"]) == ("rejected", "not_owner")
    assert "akun lain" in result["message"] and "another account" in result["message"]
    assert receipt["counts"]["rejected"] == 1 and stored(server, first["uuid"]) == (1, "Jl. Melati No. 3", "laptop-1")
    _, [same] = send(siti, [first], "laptop-2")  # even an exact copy: a stranger learns nothing about it
    assert same["code"] == "not_owner"
    _, [stale] = send(siti, [edit(first, "Jl. Lama", revision=1, base=0)], "laptop-2")
    assert stale["code"] == "not_owner"  # refused before revisions are compared: not "conflict"

    _, [own] = send(budi, [edit(first, "Jl. Budi", revision=2, base=1)], "laptop-1")
    assert own["status"] == "updated" and stored(server, first["uuid"])[:2] == (2, "Jl. Budi")
    _, [other_laptop] = send(budi, [edit(first, "Jl. Budi Dua", revision=3, base=2)], "laptop-9")
    assert other_laptop["status"] == "updated"  # the owner on a second laptop
    _, [shared] = send(siti, [edit(first, "Jl. Bersama", revision=4, base=3)], "laptop-1")
    assert shared["status"] == "updated"  # siti syncing on budi's (shared) laptop
    _, [supervised] = send(sup, [edit(first, "Jl. Supervisor", revision=5, base=4)], "laptop-3")
    assert supervised["status"] == "updated"
    assert stored(server, first["uuid"]) == (5, "Jl. Supervisor", "laptop-1")  # the first device stays the owner's
    _, [still] = send(siti, [edit(first, "Jl. Siti", revision=6, base=5)], "laptop-2")  # not from laptop-3 either
    assert still["code"] == "not_owner" and stored(server, first["uuid"])[0] == 5
    _, [conflict] = send(budi, [edit(first, "Jl. Budi", revision=3, base=2)], "laptop-1")
    assert conflict["status"] == "conflict"  # the owner still gets the usual answers


def test_a_refused_record_never_sinks_its_batch_and_a_resend_is_byte_identical(server, people, new_record):
    budi, siti = people["budi"], people["siti"]
    theirs = new_record(1)
    send(budi, [theirs], "laptop-1")
    batch = make_batch([new_record(2), edit(theirs, "Jl. Siti", revision=2, base=1), new_record(3)], "laptop-2")
    url, auth = f"{server.url}/api/v1/batches", {"Authorization": f"Bearer {siti.token}"}
    first = requests.post(url, json=batch, headers=auth, timeout=30)
    assert first.status_code == 200
    results = check_receipt(batch, first.json())
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted"]
    assert first.json()["counts"] == {"accepted": 2, "updated": 0, "unchanged": 0, "duplicate_person": 0,
                                      "rejected": 1, "conflict": 0}
    again = requests.post(url, json=batch, headers=auth, timeout=30)
    without_time = [re.sub(rb'"server_time":"[^"]*"', b"", r.content) for r in (first, again)]
    assert without_time[0] == without_time[1] and len(without_time[0]) > 300
    assert stored(server, theirs["uuid"])[:2] == (1, "Jl. Melati No. 3")


def test_the_offline_file_path_applies_the_same_rule(server, people, new_record, tmp_path):
    budi, siti = people["budi"], people["siti"]
    theirs = new_record(1)
    send(budi, [theirs], "laptop-1")
    key = TransferKey.from_login(siti.login("siti", PASSWORD, "laptop-2"))
    batch = make_batch([edit(theirs, "Jl. Siti", revision=2, base=1), new_record(2)], "laptop-2")
    path = write_batch_file(batch, tmp_path / "kiriman.json", key, username="siti")
    receipts = []
    for name in ("r1.json", "r2.json"):
        done = subprocess.run([sys.executable, "-m", "fieldapp.server.cli", "import-batch", str(path), "--receipt-out",
                               str(tmp_path / name), "--db", server.settings.db_url],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        receipts.append(read_receipt_file(tmp_path / name, key))
    results = check_receipt(batch, receipts[0])
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "not_owner"), ("accepted", "accepted")]
    assert receipts[0]["results"] == receipts[1]["results"]
    assert stored(server, theirs["uuid"])[:2] == (1, "Jl. Melati No. 3")
