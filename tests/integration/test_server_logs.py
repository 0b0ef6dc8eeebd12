"""No NIK in what the server writes: the real ``fieldapp-server serve`` process at ``--log-level debug`` gets
batches with known synthetic NIKs (valid, duplicated, invalid, malformed, oversized, in URLs and user names),
then everything it wrote to stdout and stderr is scanned for the 16 digits of every NIK sent."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import unicodedata
import uuid

import requests

from fieldapp.server import accounts
from fieldapp.server.db import init_schema, make_engine
from fieldapp.sync.client import SyncClient, make_batch
from tests.integration.conftest import PASSWORD, free_port
from tests.integration.test_server_security import ServeProcess

API = "/api/v1"


def to_fullwidth(digits: str) -> str:
    return "".join(chr(0xFF10 + int(d)) for d in digits)


def test_no_nik_in_anything_the_server_writes(db_url, tmp_path, new_record, new_nik):
    engine = make_engine(db_url)
    init_schema(engine)
    accounts.add_user(engine, "budi", "officer", PASSWORD)
    accounts.add_user(engine, "kerani", "clerk", PASSWORD)
    engine.dispose()
    proc = ServeProcess(db_url, free_port(), tmp_path / "server.log", "--log-level", "debug")
    proc.start()
    sent: set[str] = set()  # every NIK (as 16 ASCII digits) that went to the server in any form

    def record(i: int, **fields) -> dict:
        rec = new_record(i, **fields)
        sent.add(str(rec["nik"])[-16:] if str(rec["nik"]).isdigit() else rec["nik"])
        return rec

    try:
        client = SyncClient(proc.url, backoff=0.05)
        client.login("budi", PASSWORD, "laptop-1")
        auth = {"Authorization": f"Bearer {client.token}"}
        good = [record(i) for i in range(20)]
        client.post_batch(make_batch(good, "laptop-1"))
        # the same people again under new uuids (duplicate_person, logged with a masked NIK), invalid NIKs
        # (an impossible date, serial 0000, 17 digits, full-width digits, letters), a bad phone
        dupes = [record(100 + i, nik=good[i]["nik"]) for i in range(5)]
        bad_date = new_nik(300)[:6] + "99" + new_nik(300)[8:]
        zero_serial = new_nik(301)[:12] + "0000"
        long_one = "9" + new_nik(302)
        wide = new_nik(303)
        invalid = [record(200, nik=bad_date), record(201, nik=zero_serial), record(202, nik=long_one),
                   record(203, nik=to_fullwidth(wide)), record(204, nik=new_nik(304)[:15] + "O"),
                   record(205, phone="not a phone")]
        sent |= {wide, long_one[1:], new_nik(304)[:15]}
        batch = make_batch(dupes + invalid, "laptop-1")
        receipt = client.post_batch(batch, gzip=False)
        statuses = [r["status"] for r in receipt["results"]]
        assert statuses.count("duplicate_person") == 5 and statuses.count("rejected") >= 5
        # error paths: batch_id reused (409), malformed JSON, gzip garbage, too many records (413), a clerk (403),
        # NIKs in URLs and as a user name
        reused = {**batch, "records": [record(400)]}
        assert requests.post(proc.url + API + "/batches", json=reused, headers=auth, timeout=30).status_code == 409
        raw = ('{"batch_id": "' + str(uuid.uuid4()) + '", "records": [{"nik": "' + good[0]["nik"] + '"').encode()
        assert requests.post(proc.url + API + "/batches", data=raw, headers=auth, timeout=30).status_code == 400
        assert requests.post(proc.url + API + "/batches", data=gzip.compress(raw)[:-9], timeout=30,
                             headers={**auth, "Content-Encoding": "gzip"}).status_code == 400
        many = {**make_batch([], "laptop-1"), "records": [record(500 + i) for i in range(501)]}
        assert requests.post(proc.url + API + "/batches", json=many, headers=auth, timeout=60).status_code == 413
        clerk = SyncClient(proc.url)
        clerk.login("kerani", PASSWORD, "laptop-2")
        assert requests.post(proc.url + API + "/batches", json=make_batch([record(600)], "laptop-2"), timeout=30,
                             headers={"Authorization": f"Bearer {clerk.token}"}).status_code == 403
        nik = good[1]["nik"]
        for path in (f"/records/{nik}", f"/enrolled?village_code={nik}", f"/status-updates?since={nik}",
                     f"/nothing-here/{nik}"):
            assert requests.get(proc.url + API + path, headers=auth, timeout=30).status_code in (200, 404, 422)
        login = requests.post(proc.url + API + "/auth/token", timeout=30,
                              json={"username": good[2]["nik"], "password": "x" * 8, "device_id": good[3]["nik"]})
        assert login.status_code == 401
        body = json.dumps({"username": "budi", "password": good[4]["nik"], "device_id": "laptop-1"})
        assert requests.post(proc.url + API + "/auth/token", data=body, timeout=30).status_code == 422  # no JSON type
        kpj = tmp_path / "kpj.csv"
        kpj.write_text(f"nik,kpj\n{good[5]['nik']},12345678901\n{new_nik(700)},12345678902\n")
        sent.add(new_nik(700))
        cli = subprocess.run([sys.executable, "-m", "fieldapp.server.cli", "import-kpj", str(kpj), "--db", db_url],
                             capture_output=True, text=True, timeout=120)
        assert cli.returncode == 2  # one NIK is not enrolled: refused whole
    finally:
        proc.stop()
    written = proc.log.read_text(encoding="utf-8", errors="replace") + cli.stdout + cli.stderr
    assert len(written) > 2000  # it did log: every request above, at debug level
    assert "already enrolled" in written and "failed login" in written and '"POST /api/v1/batches' in written
    assert good[0]["nik"][:4] + "********" + good[0]["nik"][-4:] in written  # masked, as the README says
    text = unicodedata.normalize("NFKC", written)  # full-width digits count as digits
    leaked = sorted(n for n in sent if n in text)
    assert leaked == [], f"NIKs in the server's output: {leaked}"
    assert not re.search(r"(?<!\d)\d{16}(?!\d)", text)
    print(f"scanned {len(written.encode())} bytes of server output for {len(sent)} NIKs")
