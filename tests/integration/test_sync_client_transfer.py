"""Offline transfer: encrypted batch file → ``fieldapp-server import-batch`` → encrypted receipt file, same
receipts as online; a lost stick shows no personal data, and a changed byte or another key opens nothing."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from fieldapp.db import models as m
from fieldapp.errors import UserFacingError
from fieldapp.server.models import participants
from fieldapp.services import enrolment, sync, transfer
from fieldapp.sync.client import make_batch
from fieldapp.sync.transfer import (
    TransferError,
    TransferKey,
    read_batch_file,
    read_receipt_file,
    write_batch_file,
    write_receipt_file,
)
from tests.conftest import PASSWORD as LOCAL_PASSWORD
from tests.factories import enrolment as make
from tests.factories import nik_for

HEADER = {"format", "version", "batch_id", "username", "key_id", "cipher", "nonce", "ciphertext"}
#: Synthetic villagers with names found nowhere else in a file, so a scan for them means something.
VILLAGERS = ("Sumiati Kartodiharjo", "Ujang Prawiranegara", "Ratnasari Wulandewi")


def import_batch(server, batch_file, receipt_file, *extra: str, lang: str = "id") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fieldapp.server.cli", "import-batch", str(batch_file), "--receipt-out",
         str(receipt_file), "--db", server.settings.db_url, *extra], capture_output=True, text=True, timeout=60,
        env={**os.environ, "FIELDAPP_LANG": lang})


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


def flip(path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def alter_ciphertext(path, offset: int = 30) -> None:
    """One base64 letter of the sealed content replaced by another: still well-formed, not the same bytes."""
    data = bytearray(path.read_bytes())
    at = data.index(b'"ciphertext"') + offset
    data[at] = ord("A") if data[at] != ord("A") else ord("B")
    path.write_bytes(bytes(data))


def legacy_file(kind: str, member: str, content: dict, key: TransferKey, path) -> None:
    """A file as fieldapp wrote it before encryption (version 1: HMAC-signed, readable by anyone)."""
    doc = {"format": kind, "version": 1, "username": "budi", member: content}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    doc["signature"] = {"algorithm": "HMAC-SHA256", "key_id": key.key_id,
                        "value": hmac.new(key.key, text, hashlib.sha256).hexdigest()}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1))


@pytest.fixture
def budi(server):
    client = server.client("budi")
    login = client.login("budi", "rahasia-123", "laptop-1")
    return client, TransferKey.from_login(login)


# -- the laptop's whole round trip ------------------------------------------------------------------------------

def laptop_states(ws) -> dict[str, str]:
    with ws.store.sessions() as s:
        return dict(s.execute(select(m.Participant.full_name, m.Participant.sync_state)).all())


def test_laptop_file_round_trip_shows_no_personal_data(laptop, server, tmp_path):
    sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD)  # an online log-in once: the key is kept
    people = [enrolment.enrol(laptop, replace(make(), full_name=name, heir_name=f"Ahli {name}",
                                              nik=nik_for(dt.date(1981, 2, 3) + dt.timedelta(days=i), "P", 7 + i)))
              for i, name in enumerate(VILLAGERS)]
    [batch_file] = transfer.export_batches(laptop, tmp_path / "kiriman.json")
    held = [s.encode() for p in people for s in (p.data.nik, p.data.full_name, p.data.heir_name)]
    secrets_ = held + [p.data.full_name.upper().encode() for p in people] + [b"Kp. Pulo", b"3456"+b"7890"]
    raw = batch_file.read_bytes()
    assert [s for s in secrets_ if s in raw] == []
    header = json.loads(raw)
    assert set(header) == HEADER and header["version"] == 2 and header["username"] == "petugas"
    key = transfer.transfer_key(laptop)
    opened = json.dumps(read_batch_file(batch_file).open(key), ensure_ascii=False).encode()
    assert all(s in opened for s in held)  # they are in there: the scan above was not vacuous

    receipt_file = tmp_path / "tanda-terima.json"
    done = import_batch(server, batch_file, receipt_file)
    assert done.returncode == 0, done.stderr
    assert "accepted=3" in done.stdout and rows(server) == 3
    receipt_raw = receipt_file.read_bytes()
    assert [s for s in secrets_ if s in receipt_raw] == [] and set(json.loads(receipt_raw)) == HEADER

    tampered = tmp_path / "rusak.json"
    tampered.write_bytes(receipt_raw)
    alter_ciphertext(tampered)
    with pytest.raises(TransferError) as err:
        transfer.import_receipt(laptop, tampered)
    assert err.value.code == "transfer_integrity" and set(laptop_states(laptop).values()) == {"sent"}

    assert transfer.import_receipt(laptop, receipt_file) == {"accepted": 3}
    assert transfer.import_receipt(laptop, receipt_file) == {"accepted": 3}  # twice: nothing changes
    assert set(laptop_states(laptop).values()) == {"accepted"}
    again = import_batch(server, batch_file, tmp_path / "lagi.json")  # the operator imports it again
    assert again.returncode == 0 and "sudah pernah diterima" in again.stdout and rows(server) == 3
    assert read_receipt_file(tmp_path / "lagi.json", key)["results"] == read_receipt_file(receipt_file, key)["results"]


def test_a_laptop_without_the_transfer_key_writes_no_file(laptop, tmp_path):
    enrolment.enrol(laptop, make())
    with pytest.raises(UserFacingError) as err:
        transfer.export_batches(laptop, tmp_path / "kiriman.json")
    assert err.value.code == "no_transfer_key"
    assert "kunci transfer" in err.value.indonesian and "transfer key" in err.value.english
    assert list(tmp_path.glob("kiriman*")) == [] and set(laptop_states(laptop).values()) == {"pending"}


# -- receipts match the online ones -----------------------------------------------------------------------------

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


# -- refusals: nothing is applied -------------------------------------------------------------------------------

def test_every_changed_byte_is_refused(server, budi, new_record, tmp_path):
    _, key = budi
    path = write_batch_file(make_batch([new_record(1)], "laptop-1"), tmp_path / "batch.json", key, username="budi")
    original = path.read_bytes()
    codes = set()
    for offset in range(len(original)):  # header, base64 and JSON punctuation alike
        path.write_bytes(original)
        flip(path, offset)
        with pytest.raises(TransferError) as err:
            read_batch_file(path).open(key)
        codes.add(err.value.code)
    assert codes <= {"transfer_integrity", "transfer_format", "transfer_key", "transfer_version"}
    assert "transfer_integrity" in codes and len(original) > 1000

    path.write_bytes(original)
    alter_ciphertext(path)
    assert "tidak dapat dibuka" in one_line_error(import_batch(server, path, tmp_path / "r.json"))
    assert "cannot be opened" in one_line_error(import_batch(server, path, tmp_path / "r.json", lang="en"))
    path.write_bytes(original.replace(b'"username": "budi"', b'"username": "siti"'))
    one_line_error(import_batch(server, path, tmp_path / "r.json"))
    assert rows(server) == 0 and not (tmp_path / "r.json").exists()


def test_another_accounts_key_is_refused(server, budi, new_record, tmp_path):
    _, key = budi
    batch = make_batch([new_record(1)], "laptop-1")
    stranger = TransferKey("0123456789abcdef", b"k" * 32)  # another server's account
    path = write_batch_file(batch, tmp_path / "b.json", stranger, username="budi")
    assert "tidak dikenal" in one_line_error(import_batch(server, path, tmp_path / "r.json"))
    assert "unknown on this server" in one_line_error(import_batch(server, path, tmp_path / "r.json", lang="en"))
    forged = TransferKey(key.key_id, b"k" * 32)  # budi's key id, not budi's key
    path = write_batch_file(batch, tmp_path / "b.json", forged, username="budi")
    assert "tidak dapat dibuka" in one_line_error(import_batch(server, path, tmp_path / "r.json"))
    siti = server.client("siti")
    siti_key = TransferKey.from_login(siti.login("siti", "rahasia-123", "laptop-2"))
    path = write_batch_file(batch, tmp_path / "b.json", siti_key, username="siti")
    assert "bukan budi" in one_line_error(import_batch(server, path, tmp_path / "r.json", "--user", "budi"))
    assert rows(server) == 0 and not (tmp_path / "r.json").exists()
    with pytest.raises(TransferError) as err:
        read_batch_file(path).open(key)
    assert err.value.code == "transfer_key" and "siti" in err.value.english


def test_old_unencrypted_files_are_refused(server, budi, new_record, tmp_path):
    _, key = budi
    batch = make_batch([new_record(1)], "laptop-1")
    legacy_file("fieldapp-batch", "batch", batch, key, tmp_path / "old.json")
    assert "format lama" in one_line_error(import_batch(server, tmp_path / "old.json", tmp_path / "r.json"))
    assert "export again" in one_line_error(import_batch(server, tmp_path / "old.json", tmp_path / "r.json", lang="en"))
    assert rows(server) == 0 and not (tmp_path / "r.json").exists()
    legacy_file("fieldapp-receipt", "receipt", {"batch_id": batch["batch_id"], "results": [], "counts": {}}, key,
                tmp_path / "old-receipt.json")
    with pytest.raises(TransferError) as err:
        read_receipt_file(tmp_path / "old-receipt.json", key)
    assert err.value.code == "transfer_legacy"


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
    batch = {"batch_id": "x", "records": [{"nik": "3216061207900003", "full_name": "Siti Ümmü \ud800"}]}
    path = write_batch_file(batch, tmp_path / "b.json", key, username="siti")
    loaded = read_batch_file(path)
    assert (loaded.batch_id, loaded.username, loaded.key_id) == ("x", "siti", "abc")
    assert loaded.open(key) == batch  # any text round-trips, a lone surrogate too
    assert b"3216061207900003" not in path.read_bytes() and b"Siti " not in path.read_bytes()
    with pytest.raises(TransferError) as err:
        loaded.open(TransferKey("abc", b"t" * 32))
    assert err.value.code == "transfer_integrity"
    nonces = {json.loads(write_batch_file(batch, tmp_path / f"n{i}.json", key, username="siti").read_text())["nonce"]
              for i in range(20)}
    assert len(nonces) == 20 and all(len(base64.b64decode(n)) == 12 for n in nonces)

    receipt = {"batch_id": "x", "results": [], "counts": {}}
    rpath = write_receipt_file(receipt, tmp_path / "r.json", key, username="siti")
    assert read_receipt_file(rpath, key) == receipt
    with pytest.raises(TransferError):
        read_receipt_file(rpath, TransferKey("abc", b"u" * 32))
    with pytest.raises(TransferError) as err:
        read_batch_file(rpath)  # a receipt is not a batch
    assert err.value.code == "transfer_format"
    swapped = json.loads(path.read_text())
    swapped["format"] = "fieldapp-receipt"  # relabelled: the header is authenticated
    (tmp_path / "s.json").write_text(json.dumps(swapped))
    with pytest.raises(TransferError) as err:
        read_receipt_file(tmp_path / "s.json", key)
    assert err.value.code == "transfer_integrity"

    future = json.loads(path.read_text())
    future["version"] = 3
    (tmp_path / "f.json").write_text(json.dumps(future))
    (tmp_path / "junk.json").write_bytes(b"\x00\x01not json")
    for name, code in (("f.json", "transfer_version"), ("junk.json", "transfer_format"),
                       ("missing.json", "transfer_unreadable")):
        with pytest.raises(TransferError) as err:
            read_batch_file(tmp_path / name)
        assert err.value.code == code
    assert list(tmp_path.glob(".*")) == []  # no temporary files left behind
