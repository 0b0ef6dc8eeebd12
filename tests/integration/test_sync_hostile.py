"""A misbehaving server: the laptop's real sync against a small hostile HTTP server on 127.0.0.1 (a deliberately
broken third party, not a stand-in for our server), one kind of bad answer per case.

After each, the laptop's store is unchanged except for the failed attempt it logged (the batch marked failed
with the reason, a ``sync_failed`` audit entry); the records stay unreceipted in their open batch, and the next
sync to the REAL server sends that same batch and gets every record accepted.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, text

from fieldapp.db import models as m
from fieldapp.server.bpjs import import_kpj
from fieldapp.server.models import batches as server_batches
from fieldapp.services import conflicts, sync
from fieldapp.sync.client import SyncError
from tests.conftest import PASSWORD
from tests.factories import enrol_people, nik_for
from tests.integration.conftest import conflicted

STATUSES = ("accepted", "updated", "unchanged", "duplicate_person", "rejected", "conflict")


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def receipt_for(batch: dict, status: str = "accepted") -> dict:
    results = [{"uuid": r["uuid"], "status": status, "code": status, "message": "Data diterima. / Accepted."}
               for r in batch["records"]]
    counts = {s: sum(r["status"] == s for r in results) for s in STATUSES}
    return {"batch_id": batch["batch_id"], "server_time": now(), "results": results, "counts": counts}


def _tamper(change):
    def answer(batch):
        receipt = receipt_for(batch)
        change(receipt, batch)
        return 200, "application/json", json.dumps(receipt).encode()
    return answer


def _set(path: str, value):
    def change(receipt, _batch):
        *parents, last = path.split(".")
        target = receipt
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return change


#: answers to POST /batches: each returns (status, content type, body bytes) or a callable that writes the body.
BATCH_ANSWERS = {
    "invalid_json": lambda batch: (200, "application/json", b'{"batch_id": "' + batch["batch_id"].encode()),
    "wrong_content_type": lambda batch: (200, "text/html", json.dumps(receipt_for(batch)).encode()),
    "html_portal": lambda batch: (200, "text/html", b"<html>Silakan login Wi-Fi</html>"),
    "json_array": lambda batch: (200, "application/json", b"[]"),
    "unknown_uuids": _tamper(_set("results.0.uuid", str(uuid.uuid4()))),
    "other_batch_id": _tamper(_set("batch_id", str(uuid.uuid4()))),
    "status_outside_protocol": _tamper(_set("results.0.status", "approved")),
    "null_status": _tamper(_set("results.1.status", None)),
    "missing_result": _tamper(lambda r, b: r["results"].pop()),
    "duplicated_result": _tamper(lambda r, b: r["results"].__setitem__(1, dict(r["results"][0]))),
    "contradicting_results": _tamper(lambda r, b: r["results"].append({**r["results"][0], "status": "rejected"})),
    "negative_counts": _tamper(_set("counts.accepted", -3)),
    "counts_do_not_add_up": _tamper(_set("counts.rejected", 1)),
    "status_as_count_key": _tamper(_set("counts.stolen", 0)),
    "control_chars_in_code": _tamper(_set("results.0.code", "ok\x00\x1b[31m")),
    "no_server_time": _tamper(lambda r, b: r.pop("server_time")),
    "huge_body": "huge",
    "slow_drip": "drip",
}


class Hostile:
    """The hostile server's state: which answer it gives, and what it saw."""

    def __init__(self):
        self.batch_answer = None
        self.status_pages: list[dict] = []
        self.record_copy = None
        self.batches_seen: list[str] = []
        self.stop = threading.Event()


def make_handler(state: Hostile):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?")[0]
            if path.endswith("/health"):
                self.send(200, "application/json", json.dumps({"status": "ok", "server_time": now(),
                                                               "version": "6.6.6"}).encode())
            elif path.endswith("/status-updates"):
                page = state.status_pages.pop(0) if state.status_pages else {"items": [], "next": "0", "more": False}
                self.send(200, "application/json", json.dumps(page).encode())
            elif "/records/" in path:
                self.send(200, "application/json", json.dumps(state.record_copy(path.rsplit("/", 1)[1])).encode())
            elif path.endswith("/reference"):  # "nothing new": reference data is another service's concern
                self.send_response(304)
                self.end_headers()
            elif path.endswith("/enrolled"):
                code = self.path.rsplit("=", 1)[1]
                self.send(200, "application/json", json.dumps({
                    "village_code": code, "algorithm": "HMAC-SHA256", "key_id": "k1", "key": "ab" * 32,
                    "count": 0, "digests": {}}).encode())
            else:
                self.send(404, "application/problem+json", b"{}")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path.endswith("/auth/token"):
                self.send(200, "application/json", json.dumps({
                    "token": "hostile-token", "expires_at": now(), "user": {"username": "petugas", "role": "officer"},
                }).encode())
            elif self.path.endswith("/auth/logout"):
                self.send_response(204)
                self.end_headers()
            elif self.path.endswith("/batches"):
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                batch = json.loads(body)
                state.batches_seen.append(batch["batch_id"])
                self.answer_batch(batch)

        def answer_batch(self, batch: dict) -> None:
            answer = BATCH_ANSWERS[state.batch_answer]
            if answer == "huge":  # an endless JSON string, no length given: the client must cut it off
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"batch_id": "')
                chunk = b"A" * (1024 * 1024)
                for _ in range(256):
                    if state.stop.is_set():
                        return
                    self.wfile.write(chunk)
            elif answer == "drip":  # a correct receipt, one byte every 50 ms (each byte within the read timeout)
                body = json.dumps(receipt_for(batch)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for i in range(len(body)):
                    if state.stop.is_set():
                        return
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.05)
            else:
                self.send(*answer(batch))

    return Handler


@pytest.fixture
def hostile():
    state = Hostile()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield state
    state.stop.set()
    httpd.shutdown()
    httpd.server_close()


def snapshot(ws) -> dict:
    """Every participant row (all columns), the stored conflict copies, the settings the sync writes, and the
    sync log without its status and error (compared apart)."""
    with ws.store.sessions() as s:
        rows = {p.uuid: {c.name: getattr(p, c.name) for c in m.Participant.__table__.columns}
                for p in s.scalars(select(m.Participant))}
        copies = sorted(s.scalars(select(m.ConflictCopy.participant_uuid)))
        settings = dict(s.execute(select(m.Setting.key, m.Setting.value)
                                  .where(m.Setting.key.like("status_cursor:%"))).all())
        results = s.execute(text("SELECT count(*) FROM sync_results")).scalar()
    batches = [(b.batch_id, b.record_count, b.counts) for b in sync.log(ws)]
    return {"participants": rows, "copies": copies, "cursors": settings, "results": results, "batches": batches}


def audit_actions(ws) -> list[tuple[str, str]]:
    with ws.store.sessions() as s:
        return [(e.action, e.detail) for e in s.scalars(select(m.AuditEvent).order_by(m.AuditEvent.id))]


def hostile_sync(laptop, hostile) -> SyncError:
    with pytest.raises(SyncError) as err:
        sync.sync_now(laptop, hostile.url, "petugas", PASSWORD, timeout=(2, 0.5))
    assert err.value.code in ("protocol", "timeout"), err.value
    action, detail = audit_actions(laptop)[-1]
    assert action == "sync_failed" and json.loads(detail)["code"] == err.value.code
    return err.value


@pytest.mark.parametrize("answer", sorted(BATCH_ANSWERS))
def test_bad_receipt_changes_nothing_and_the_real_server_takes_the_batch_later(laptop, server, hostile, answer):
    sent = enrol_people(laptop, 3)
    assert sync.prepare_batches(laptop, hostile.url) == 1  # as sync does first: the batch is stored, then sent
    before = snapshot(laptop)
    hostile.batch_answer = answer
    started = time.monotonic()
    error = hostile_sync(laptop, hostile)
    assert time.monotonic() - started < 20  # a drip or an endless body cannot hold the laptop
    after = snapshot(laptop)
    assert after == before  # no participant, result, cursor or copy changed
    [entry] = sync.log(laptop)
    assert entry.status == "failed" and ("cannot be understood" in entry.error or "too long" in entry.error)
    assert entry.batch_id == hostile.batches_seen[0]
    assert {p["sync_state"] for p in after["participants"].values()} == {"sent"}  # still waiting for a receipt
    if answer in ("huge_body", "slow_drip"):
        assert error.reason in ("the answer is too large", "the answer came too slowly")

    report = sync.sync_now(laptop, server.url, "petugas", PASSWORD)
    assert report.counts == {"accepted": 3}
    with server.engine.connect() as conn:
        assert conn.scalar(select(server_batches.c.batch_id)) == entry.batch_id  # the very same batch
    with laptop.store.sessions() as s:
        states = dict(s.execute(select(m.Participant.uuid, m.Participant.sync_state)).all())
    assert states == {p.uuid: "accepted" for p in sent}


def test_messages_are_cleaned_not_trusted(laptop, server, hostile):
    enrol_people(laptop, 2)

    def change(receipt, _batch):
        receipt["results"][0]["message"] = "Diterima\x00\x1b[2J\u202eevil" + "x" * 100_000
    hostile.batch_answer = "messages"
    BATCH_ANSWERS["messages"] = _tamper(change)
    try:
        report = sync.sync_now(laptop, hostile.url, "petugas", PASSWORD, timeout=(2, 0.5))
    finally:
        del BATCH_ANSWERS["messages"]
    assert report.counts == {"accepted": 2}
    with laptop.store.sessions() as s:
        messages = list(s.scalars(select(m.SyncResult.message)))
    assert all(len(msg) <= 1000 and not re.search(r"[\x00-\x1f\u202e]", msg) for msg in messages)
    assert any(msg.startswith("Diterima") for msg in messages)


def kpj_page(uuid_: str, **item) -> dict:
    return {"items": [{"cursor": "7", "uuid": uuid_, "kind": "kpj_issued", "kpj": "12345678901", "reason": None,
                       "at": now(), **item}], "next": "7", "more": False}


STATUS_PAGES = {
    "kpj_too_long": lambda u: kpj_page(u, kpj="1" * 5000),
    "kpj_control_chars": lambda u: kpj_page(u, kpj="1234567890\x00"),
    "kpj_full_width": lambda u: kpj_page(u, kpj="１２３４５６７８９０１"),
    "kpj_number_not_text": lambda u: kpj_page(u, kpj=12345678901),
    "kind_outside_protocol": lambda u: kpj_page(u, kind="kpj_revoked"),
    "cursor_not_a_number": lambda u: {**kpj_page(u), "next": "../../etc"},
    "cursor_backwards": lambda u: {**kpj_page(u), "next": "0"},
    "items_not_a_list": lambda u: {"items": {"uuid": u}, "next": "7"},
    "good_then_bad_item": lambda u: {**kpj_page(u), "items": [kpj_page(u)["items"][0], {"uuid": u, "kind": "?"}]},
}


@pytest.mark.parametrize("page", sorted(STATUS_PAGES))
def test_bad_status_updates_apply_nothing(laptop, server, hostile, page):
    mine = enrol_people(laptop, 2)
    sync.sync_now(laptop, server.url, "petugas", PASSWORD)
    before = snapshot(laptop)
    hostile.status_pages = [STATUS_PAGES[page](mine[0].uuid)]
    hostile_sync(laptop, hostile)
    assert snapshot(laptop) == before  # no KPJ, no status, the cursor where it was

    import_kpj(server.engine, f"nik,kpj\n{mine[0].data.nik},12345678901\n")
    assert sync.sync_now(laptop, server.url, "petugas", PASSWORD).kpj_updates == 1
    with laptop.store.sessions() as s:
        assert s.scalar(select(m.Participant.kpj).where(m.Participant.uuid == mine[0].uuid)) == "12345678901"


def _conflicted(laptop, server):
    """A record in conflict whose server copy is fetched again from whoever answers next."""
    mine = conflicted(laptop, server)
    with laptop.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM conflict_copies"))
    return mine


def _copy_from(server, changes):
    def copy(uuid_):
        with server.engine.connect() as conn:
            row = conn.execute(text("SELECT record, revision FROM participants WHERE uuid = :u"), {"u": uuid_}).one()
        data = {"uuid": uuid_, "revision": row.revision, "updated_at": now(), "record": json.loads(row.record)}
        changes(data)
        return data
    return copy


COPIES = {
    "other_uuid_outside": lambda d: d.update(uuid=str(uuid.uuid4())),
    "other_uuid_inside": lambda d: d["record"].update(uuid=str(uuid.uuid4())),
    "invalid_nik": lambda d: d["record"].update(nik="3216069999990000"),
    "nik_with_letters": lambda d: d["record"].update(nik="32160601017O0001"),
    "revision_negative": lambda d: d.update(revision=-1),
    "revision_huge": lambda d: d.update(revision=2**63),
    "record_not_a_record": lambda d: d.update(record={"uuid": d["uuid"], "revision": d["revision"]}),
}


@pytest.mark.parametrize("copy", sorted(COPIES))
def test_a_conflict_copy_of_another_record_is_not_kept(laptop, server, hostile, copy):
    mine = _conflicted(laptop, server)
    before = snapshot(laptop)
    hostile.record_copy = _copy_from(server, COPIES[copy])
    hostile_sync(laptop, hostile)
    assert snapshot(laptop) == before and conflicts.view(laptop, mine.id) is None
    sync.sync_now(laptop, server.url, "petugas", PASSWORD)  # the real server's copy
    assert [f for f, _, _ in conflicts.view(laptop, mine.id).differences] == ["street"]


def test_a_copy_with_another_valid_nik_is_shown_never_applied_by_itself(laptop, server, hostile):
    mine = _conflicted(laptop, server)
    other_nik = nik_for(dt.date(1975, 5, 5), "L", 77)
    hostile.record_copy = _copy_from(server, lambda d: d["record"].update(nik=other_nik))
    before = snapshot(laptop)
    sync.sync_now(laptop, hostile.url, "petugas", PASSWORD, timeout=(2, 0.5))
    after = snapshot(laptop)
    assert after["participants"] == before["participants"]  # shown as a difference; the officer decides
    assert ("nik", mine.data.nik, other_nik) in conflicts.view(laptop, mine.id).differences
