"""POST /batches against the real server: every receipt status, resend safety, caps, concurrency."""

from __future__ import annotations

import gzip
import json
import threading
import uuid

import pytest
import requests
from sqlalchemy import func, select

from fieldapp.server.models import participants
from fieldapp.sync.client import SyncError, make_batch

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")


def statuses(receipt: dict) -> list[str]:
    return [r["status"] for r in receipt["results"]]


def raw_post(server, token: str, body: bytes, **headers) -> requests.Response:
    return requests.post(f"{server.url}/api/v1/batches", data=body, timeout=30,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers})


def assert_problem(resp: requests.Response, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["status"] == status and body["code"] == code
    assert {"type", "title", "detail", "detail_en"} <= body.keys()
    assert "Traceback" not in resp.text and "<html" not in resp.text.lower()
    return body


def stored_rows(server) -> list:
    with server.engine.connect() as conn:
        return conn.execute(select(participants)).all()


def test_every_status_in_one_batch(server, new_record, new_nik):
    client = server.client("budi")
    base = [new_record(1), new_record(2), new_record(3)]
    first = client.post_batch(make_batch(base, "laptop-1"))
    assert statuses(first) == ["accepted"] * 3
    assert first["counts"]["accepted"] == 3

    edited = dict(base[0], revision=2, base_revision=1, full_name="Budi Santoso Baru")
    stale = dict(base[1], revision=2, base_revision=0, full_name="Edit Lama")
    held_newer = dict(base[2], revision=2, base_revision=1, birth_place="Karawang")
    client.post_batch(make_batch([held_newer], "laptop-2"))  # the server now holds revision 2 of base[2]
    conflicting = dict(base[2], revision=2, base_revision=1, birth_place="Cikarang")  # another edit of rev 1
    invalid = new_record(4, phone="12")
    malformed = new_record(5)
    del malformed["address"]
    garbage = "not a record"
    dup = new_record(6, nik=base[1]["nik"])
    batch = make_batch([new_record(7), edited, base[1], dup, invalid, malformed, garbage, conflicting], "laptop-1")
    receipt = unchecked(server, client, batch)  # the laptop's client refuses such a receipt; the server must answer
    assert statuses(receipt) == ["accepted", "updated", "unchanged", "duplicate_person", "rejected", "rejected",
                                 "rejected", "conflict"]
    results = receipt["results"]
    assert results[4]["code"] == "invalid" and "phone" in results[4]["message"]
    assert " / " in results[4]["message"]  # Indonesian / English
    assert results[5]["code"] == "malformed" and "address" in results[5]["message"]
    assert results[6]["uuid"] is None
    assert results[3]["code"] == "duplicate_nik"
    assert receipt["counts"] == {"accepted": 1, "updated": 1, "unchanged": 1, "duplicate_person": 1,
                                 "rejected": 3, "conflict": 1}
    assert statuses(client.post_batch(make_batch([stale], "laptop-1"))) == ["conflict"]

    rows = {r.uuid: r for r in stored_rows(server)}
    assert len(rows) == 4  # 3 + new_record(7): the bad ones never sank the batch, nor got in
    assert rows[base[0]["uuid"]].revision == 2
    assert json.loads(rows[base[0]["uuid"]].record)["full_name"] == "Budi Santoso Baru"
    assert json.loads(rows[base[2]["uuid"]].record)["birth_place"] == "Karawang"


def test_stored_record_is_normalized(server, new_record):
    client = server.client("budi")
    record = new_record(1, full_name="  Siti   Rahma ")
    client.post_batch(make_batch([record], "laptop-1"))
    stored = json.loads(stored_rows(server)[0].record)
    assert stored["phone"] == "+6281234567890"
    assert stored["address"]["rt"] == "003" and stored["address"]["rw"] == "005"
    assert stored["full_name"] == "Siti Rahma"


def test_resend_returns_the_stored_receipt_byte_for_byte(server, new_records):
    client = server.client("budi")
    batch = make_batch(new_records(20), "laptop-1")
    first = raw_post(server, client.token, json.dumps(batch).encode())
    again = raw_post(server, client.token, gzip.compress(json.dumps(batch, indent=2).encode()),
                     **{"Content-Encoding": "gzip"})
    assert first.status_code == again.status_code == 200

    def results_bytes(text: str) -> str:
        return text[text.index('"results":'):]

    assert results_bytes(again.text) == results_bytes(first.text)
    assert set(statuses(first.json())) == {"accepted"}
    assert len(stored_rows(server)) == 20


def test_same_batch_id_other_content_is_409(server, new_records):
    client = server.client("budi")
    batch = make_batch(new_records(3), "laptop-1")
    client.post_batch(batch)
    changed = dict(batch, records=batch["records"][:2])
    resp = raw_post(server, client.token, json.dumps(changed).encode())
    assert_problem(resp, 409, "batch_id_reused")
    with pytest.raises(SyncError) as err:
        client.post_batch(changed)
    assert err.value.problem_code == "batch_id_reused" and err.value.status == 409


def test_ten_threads_same_nik_exactly_one_accepted(server, new_record):
    client_tokens = [server.client("budi", device_id=f"laptop-{i}").token for i in range(2)]
    nik = new_record(42)["nik"]
    barrier = threading.Barrier(10)
    receipts: list[dict] = []
    errors: list[BaseException] = []

    def send(i: int) -> None:
        try:
            body = json.dumps(make_batch([new_record(1000 + i, nik=nik)], f"laptop-{i}")).encode()
            barrier.wait()
            resp = raw_post(server, client_tokens[i % 2], body)
            resp.raise_for_status()
            receipts.append(resp.json())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    all_statuses = sorted(s for r in receipts for s in statuses(r))
    assert all_statuses == ["accepted"] + ["duplicate_person"] * 9
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).where(participants.c.nik == nik)).scalar() == 1


def test_same_uuid_twice_in_one_batch(server, new_record):
    client = server.client("budi")
    record = new_record(1)
    newer = dict(record, revision=2, base_revision=1, birth_place="Bogor")
    receipt = unchecked(server, client, make_batch([record, dict(record), newer], "laptop-1"))
    assert statuses(receipt) == ["accepted", "unchanged", "updated"]
    assert [r.revision for r in stored_rows(server)] == [2]


def unchecked(server, client, batch: dict) -> dict:
    """The server's receipt for a batch no laptop would send (the client checks receipts against what it sent)."""
    resp = raw_post(server, client.token, json.dumps(batch).encode())
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_gzip_body(server, new_records):
    client = server.client("budi")
    batch = make_batch(new_records(50), "laptop-1")
    resp = raw_post(server, client.token, gzip.compress(json.dumps(batch).encode()), **{"Content-Encoding": "gzip"})
    assert resp.status_code == 200 and resp.json()["counts"]["accepted"] == 50


def test_gzip_bomb_is_cut_off(server):
    token = server.client("budi").token
    bomb = gzip.compress(b"[" + b" " * (64 * 1024 * 1024) + b"]", compresslevel=9)  # 64 MiB inflated, ~64 KiB sent
    assert len(bomb) < 200_000
    assert_problem(raw_post(server, token, bomb, **{"Content-Encoding": "gzip"}), 413, "payload_too_large")


def test_broken_gzip_and_unknown_encoding(server):
    token = server.client("budi").token
    truncated = gzip.compress(b'{"a": 1}' * 1000)[:-20]
    assert_problem(raw_post(server, token, truncated, **{"Content-Encoding": "gzip"}), 400, "bad_gzip")
    assert_problem(raw_post(server, token, b"{}", **{"Content-Encoding": "br"}), 415, "unsupported_encoding")


def test_too_many_records_is_413(make_server, new_records):
    server = make_server(max_records=10)
    client = server.client("budi")
    batch = make_batch(new_records(11), "laptop-1", max_records=11)
    with pytest.raises(SyncError) as err:
        client.post_batch(batch)
    assert err.value.status == 413 and err.value.problem_code == "too_many_records"
    assert stored_rows(server) == []


def test_body_too_large_is_413(make_server):
    server = make_server(max_body_bytes=100_000)
    token = server.client("budi").token
    assert_problem(raw_post(server, token, b" " * 100_001), 413, "payload_too_large")
    resp = requests.post(f"{server.url}/api/v1/auth/token", data=b" " * 100_001, timeout=30,
                         headers={"Content-Type": "application/json"})
    assert_problem(resp, 413, "payload_too_large")  # every route, not only /batches

    def chunked():  # no Content-Length: cut off while reading
        for _ in range(20):
            yield b" " * 10_000

    assert_problem(raw_post(server, token, chunked()), 413, "payload_too_large")


@pytest.mark.parametrize("body, status, code", [
    (b"{not json", 400, "malformed_json"),
    (b"\xff\xfe garbage", 400, "malformed_json"),
    (b"[" * 100_000, 400, "malformed_json"),
    (b"[]", 422, "invalid_batch"),
    (b'{"batch_id": "x", "device_id": "d", "created_at": "2026-05-01T00:00:00+07:00", "records": []}',
     422, "invalid_batch"),
    (json.dumps({"batch_id": str(uuid.uuid4()), "device_id": "d", "created_at": "2026-05-01",
                 "records": []}).encode(), 422, "invalid_batch"),
    (json.dumps({"batch_id": str(uuid.uuid4()), "device_id": "d", "created_at": "2026-05-01T00:00:00+07:00",
                 "records": {}}).encode(), 422, "invalid_batch"),
])
def test_malformed_bodies_are_problems(server, body, status, code):
    token = server.client("budi").token
    assert_problem(raw_post(server, token, body), status, code)


def test_hostile_records_are_rejected_not_500(server, new_record):
    client = server.client("budi")
    records = [
        new_record(1, birth_place="Bekasi\x00"),
        new_record(2, revision=2**40, base_revision=0),
        new_record(3, uuid_="NOT-A-UUID"),
        new_record(4, income_band=10**30),
        new_record(5, address={"street": "\ud800", "rt": "1", "rw": "1", "village_code": "3216062002"}),
        new_record(10, full_name="Siti \ud800"),
        new_record(11, mother_name="Ibu\x00"),
        new_record(6, programs=[1, 2]),
        new_record(7, start_month="2026-13"),
        new_record(8, revision=True),
        {"uuid": str(uuid.uuid4())},
    ]
    receipt = client.post_batch(make_batch(records, "laptop-1"))
    assert statuses(receipt) == ["rejected"] * len(records)
    assert stored_rows(server) == []


def test_empty_batch_gets_an_empty_receipt(server):
    receipt = server.client("budi").post_batch(make_batch([], "laptop-1"))
    assert receipt["results"] == [] and sum(receipt["counts"].values()) == 0


def test_a_clerk_may_not_upload(server, new_records):
    server.add_user("clerk1", role="clerk")
    client = server.client("clerk1")
    with pytest.raises(SyncError) as err:
        client.post_batch(make_batch(new_records(1), "laptop-1"))
    assert err.value.code == "auth" and err.value.status == 403
