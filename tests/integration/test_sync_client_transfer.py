"""Offline transfer: batch file → ``fieldapp-server import-batch`` → receipt file, same receipts as online."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from fieldapp.server.models import participants
from fieldapp.sync.client import make_batch
from fieldapp.sync.transfer import (
    TransferError,
    TransferKey,
    read_batch_file,
    read_receipt_file,
    write_batch_file,
    write_receipt_file,
)


def import_batch(server, batch_file, receipt_file, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fieldapp.server.cli", "import-batch", str(batch_file), "--receipt-out",
         str(receipt_file), "--db", server.settings.db_url, *extra], capture_output=True, text=True, timeout=60)


def one_line_error(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def rows(server) -> int:
    with server.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(participants)).scalar()


def mixed_batch(new_record) -> dict:
    first = new_record(1)
    return make_batch([first, new_record(2), new_record(3, nik=first["nik"]), new_record(4, sex="X")], "laptop-1")


@pytest.fixture
def budi(server):
    client = server.client("budi")
    login = client.login("budi", "rahasia-123", "laptop-1")
    return client, TransferKey.from_login(login)


def test_online_then_offline_gives_the_same_receipt(server, budi, new_record, tmp_path):
    client, key = budi
    batch = mixed_batch(new_record)
    online = client.post_batch(batch)
    assert [r["status"] for r in online["results"]] == ["accepted", "accepted", "duplicate_person", "rejected"]
    write_batch_file(batch, tmp_path / "batch.json", key, username="budi")
    done = import_batch(server, tmp_path / "batch.json", tmp_path / "receipt.json")
    assert done.returncode == 0, done.stderr
    offline = read_receipt_file(tmp_path / "receipt.json", key)
    assert offline["batch_id"] == batch["batch_id"]
    assert offline["results"] == online["results"] and offline["counts"] == online["counts"]
    assert rows(server) == 2


def test_offline_then_online_gives_the_same_receipt(server, budi, new_record, tmp_path):
    client, key = budi
    batch = mixed_batch(new_record)
    write_batch_file(batch, tmp_path / "batch.json", key, username="budi")
    done = import_batch(server, tmp_path / "batch.json", tmp_path / "receipt.json")
    assert done.returncode == 0, done.stderr
    assert "accepted=2" in done.stdout
    offline = read_receipt_file(tmp_path / "receipt.json", key)
    assert [r["status"] for r in offline["results"]] == ["accepted", "accepted", "duplicate_person", "rejected"]
    assert client.post_batch(batch)["results"] == offline["results"]
    again = import_batch(server, tmp_path / "batch.json", tmp_path / "receipt2.json")
    assert again.returncode == 0 and read_receipt_file(tmp_path / "receipt2.json", key)["results"] == offline["results"]
    assert rows(server) == 2


def test_tampered_file_is_refused(server, budi, new_record, tmp_path):
    _, key = budi
    path = write_batch_file(make_batch([new_record(1)], "laptop-1"), tmp_path / "batch.json", key, username="budi")
    doc = json.loads(path.read_text())
    doc["batch"]["records"][0]["full_name"] = "Orang Lain"
    path.write_text(json.dumps(doc))
    with pytest.raises(TransferError):
        read_batch_file(path).verify(key)
    assert "tanda tangan" in one_line_error(import_batch(server, path, tmp_path / "r.json")).lower()
    assert rows(server) == 0 and not (tmp_path / "r.json").exists()


def test_key_of_another_server_is_refused(server, budi, new_record, tmp_path):
    stranger = TransferKey("0123456789abcdef", b"k" * 32)
    path = write_batch_file(make_batch([new_record(1)], "laptop-1"), tmp_path / "b.json", stranger, username="budi")
    one_line_error(import_batch(server, path, tmp_path / "r.json"))
    assert rows(server) == 0


def test_unsigned_file_needs_the_operator_to_vouch(server, budi, new_record, tmp_path):
    path = write_batch_file(make_batch([new_record(1)], "laptop-1"), tmp_path / "b.json", None, username="budi")
    assert "--accept-unsigned" in one_line_error(import_batch(server, path, tmp_path / "r.json"))
    done = import_batch(server, path, tmp_path / "r.json", "--accept-unsigned", "--user", "budi")
    assert done.returncode == 0, done.stderr
    assert read_receipt_file(tmp_path / "r.json")["counts"]["accepted"] == 1


def test_reused_batch_id_and_wrong_user(server, budi, new_record, tmp_path):
    client, key = budi
    batch = make_batch([new_record(1)], "laptop-1")
    client.post_batch(batch)
    other = dict(batch, records=[new_record(2)])
    path = write_batch_file(other, tmp_path / "b.json", key, username="budi")
    assert "batch_id" in one_line_error(import_batch(server, path, tmp_path / "r.json"))
    server.add_user("siti")
    fresh = write_batch_file(make_batch([new_record(3)], "l"), tmp_path / "c.json", key, username="budi")
    one_line_error(import_batch(server, fresh, tmp_path / "r.json", "--user", "siti"))
    assert rows(server) == 1


def test_file_format_checks(tmp_path):
    key = TransferKey("abc", b"s" * 32)
    batch = {"batch_id": "x", "records": [{"nik": "3216061207900003", "full_name": "Siti Ümmü"}]}
    path = write_batch_file(batch, tmp_path / "b.json", key, username="siti")
    loaded = read_batch_file(path)
    assert loaded.batch == batch and loaded.username == "siti" and loaded.key_id == "abc" and loaded.signed
    loaded.verify(key)
    with pytest.raises(TransferError):
        loaded.verify(TransferKey("abc", b"t" * 32))

    unsigned = write_batch_file(batch, tmp_path / "u.json", None)
    assert not read_batch_file(unsigned).signed
    damaged = json.loads(unsigned.read_text())
    damaged["batch"]["records"] = []
    unsigned.write_text(json.dumps(damaged))
    with pytest.raises(TransferError) as err:
        read_batch_file(unsigned)
    assert err.value.code == "transfer_damaged"

    receipt = {"batch_id": "x", "results": [], "counts": {}}
    rpath = write_receipt_file(receipt, tmp_path / "r.json", key)
    assert read_receipt_file(rpath, key) == receipt
    with pytest.raises(TransferError):
        read_receipt_file(rpath, TransferKey("abc", b"u" * 32))
    with pytest.raises(TransferError) as err:
        read_batch_file(rpath)  # a receipt is not a batch
    assert err.value.code == "transfer_format"

    future = json.loads(path.read_text())
    future["version"] = 2
    (tmp_path / "f.json").write_text(json.dumps(future))
    (tmp_path / "junk.json").write_bytes(b"\x00\x01not json")
    for name, code in (("f.json", "transfer_version"), ("junk.json", "transfer_format"),
                       ("missing.json", "transfer_unreadable")):
        with pytest.raises(TransferError) as err:
            read_batch_file(tmp_path / name)
        assert err.value.code == code
    assert list(tmp_path.glob(".*")) == []  # no temporary files left behind
