"""The other endpoints: health, tokens, reference, status updates, enrolled digests, problems, logs."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import subprocess
import sys
import time

import pytest
import requests

from fieldapp.domain import contributions, regions
from fieldapp.sync.client import SyncClient, SyncError, make_batch

API = "/api/v1"


def problem(resp: requests.Response, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["code"] == code and body["status"] == status
    return body


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fieldapp.server.cli", *args], input=stdin, text=True,
                          capture_output=True, timeout=60)


def test_health_without_auth(server):
    client = SyncClient(server.url)
    data = client.health()
    assert data["status"] == "ok" and data["version"]
    assert dt.datetime.fromisoformat(data["server_time"]).tzinfo is not None
    assert abs(client.clock_offset) < dt.timedelta(seconds=2)


def test_login_and_wrong_password(server):
    server.add_user("budi")
    client = SyncClient(server.url)
    data = client.login("budi", "rahasia-123", "laptop-1")
    assert data["user"] == {"username": "budi", "role": "officer"}
    assert dt.datetime.fromisoformat(data["expires_at"]) > dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=11)
    assert len(bytes.fromhex(data["transfer_key"]["key"])) == 32
    for user, password in (("budi", "wrong-password"), ("nobody", "rahasia-123")):
        resp = requests.post(server.url + API + "/auth/token",
                             json={"username": user, "password": password, "device_id": "x"}, timeout=10)
        body = problem(resp, 401, "auth_failed")
        assert body["detail"] == "Nama pengguna atau kata sandi salah."
    with pytest.raises(SyncError) as err:
        client.login("budi", "wrong-password", "laptop-1")
    assert err.value.code == "auth" and err.value.english == "Wrong username or password."


def test_tokens_are_stored_hashed(server):
    token = server.client("budi").token
    with server.engine.connect() as conn:
        dump = "\n".join(str(row) for row in conn.exec_driver_sql("SELECT * FROM tokens"))
    assert token not in dump
    assert hashlib.sha256(token.encode()).hexdigest() in dump


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic abc", "Bearer "])
def test_missing_or_wrong_token_is_401_problem(server, header):
    server.add_user("budi")
    headers = {"Authorization": header} if header else {}
    for path in ("/reference", "/status-updates", "/enrolled?village_code=3216062002"):
        resp = requests.get(server.url + API + path, headers=headers, timeout=10)
        assert resp.status_code == 401
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["code"] in ("auth_required", "token_invalid")
    resp = requests.post(server.url + API + "/batches", data=b"{}", headers=headers, timeout=10)
    assert resp.status_code == 401


def test_expired_token(make_server, new_records):
    server = make_server(token_ttl=dt.timedelta(seconds=1))
    client = server.client("budi")
    time.sleep(1.2)
    with pytest.raises(SyncError) as err:
        client.post_batch(make_batch(new_records(1), "laptop-1"))
    assert err.value.code == "auth" and err.value.problem_code == "token_expired"
    resp = requests.get(server.url + API + "/reference", headers={"Authorization": f"Bearer {client.token}"},
                        timeout=10)
    problem(resp, 401, "token_expired")


def test_unknown_path_and_method_are_problems_not_html(server):
    problem(requests.get(server.url + "/nope", timeout=10), 404, "not_found")
    problem(requests.delete(server.url + API + "/health", timeout=10), 405, "method_not_allowed")
    resp = requests.post(server.url + API + "/auth/token", data=b"{oops", timeout=10,
                         headers={"Content-Type": "application/json"})
    body = problem(resp, 422, "validation_failed")
    assert "oops" not in resp.text
    resp = requests.post(server.url + API + "/auth/token", json={"username": "x", "password": "secret-pw"},
                         timeout=10)
    problem(resp, 422, "validation_failed")
    assert "secret-pw" not in resp.text  # never echoed
    assert body["errors"]


def test_openapi_document(server):
    doc = requests.get(server.url + API + "/openapi.json", timeout=10).json()
    for path in ("/health", "/auth/token", "/reference", "/batches", "/status-updates", "/enrolled"):
        assert API + path in doc["paths"]


def test_reference_with_etag(server):
    client = server.client("budi")
    data, etag = client.reference()
    assert data["regions_version"] == regions.DATA_VERSION
    assert data["rates"]["version"] == contributions.default_rates().version
    assert data["rates"]["income_bands"] == list(contributions.default_rates().income_bands)
    assert {o["code"] for o in data["occupations"]} >= {"petani", "nelayan", "ojek"}
    assert etag
    assert client.reference(etag) == (None, etag)
    resp = requests.get(server.url + API + "/reference", timeout=10,
                        headers={"Authorization": f"Bearer {client.token}", "If-None-Match": etag})
    assert resp.status_code == 304 and not resp.content


def test_village_targets_change_the_etag(server, tmp_path):
    client = server.client("budi")
    _, etag = client.reference()
    csv_file = tmp_path / "targets.csv"
    csv_file.write_text("village_code,target\n3216062002,120\n32.16.06.2003,80\n")
    done = cli("import-targets", str(csv_file), "--db", server.settings.db_url)
    assert done.returncode == 0, done.stderr
    data, new_etag = client.reference(etag)
    assert new_etag != etag
    assert {"village_code": "3216062002", "target": 120} in data["village_targets"]
    bad = tmp_path / "bad.csv"
    bad.write_text("village_code,target\n9999999999,10\n")
    done = cli("import-targets", str(bad), "--db", server.settings.db_url)
    assert done.returncode == 2 and "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_enrolled_digests_match_hmac_of_known_niks(server, new_record):
    client = server.client("budi")
    records = [new_record(i) for i in range(5)]
    elsewhere = new_record(9, address={"street": "Jl. Mawar", "rt": "1", "rw": "2", "village_code": "3216062003"})
    client.post_batch(make_batch([*records, elsewhere], "laptop-1"))
    enrolled = client.enrolled("3216062002")
    expected = {hmac.new(enrolled.key, r["nik"].encode(), hashlib.sha256).hexdigest(): r["uuid"] for r in records}
    assert enrolled.digests == expected
    assert records[0]["nik"] in enrolled and enrolled.lookup(records[1]["nik"]) == records[1]["uuid"]
    assert elsewhere["nik"] not in enrolled and new_record(77)["nik"] not in enrolled
    resp = requests.get(server.url + API + "/enrolled?village_code=3216062002", timeout=10,
                        headers={"Authorization": f"Bearer {client.token}"})
    assert not any(r["nik"] in resp.text for r in records)  # digests only, never a NIK
    problem(requests.get(server.url + API + "/enrolled?village_code=32.16", timeout=10,
                         headers={"Authorization": f"Bearer {client.token}"}), 422, "validation_failed")


def test_status_updates_after_import_kpj(make_server, new_record, tmp_path):
    server = make_server(status_page_size=2)
    budi, siti = server.client("budi"), server.client("siti")
    mine = [new_record(i) for i in range(3)]
    theirs = new_record(10)
    budi.post_batch(make_batch(mine, "laptop-1"))
    siti.post_batch(make_batch([theirs], "laptop-2"))
    assert budi.status_updates() == ([], "0")

    csv_file = tmp_path / "kpj.csv"
    csv_file.write_text("nik,kpj,reason\n"
                        f"{mine[0]['nik']},12345678901,\n{mine[1]['nik']},23456789012,\n"
                        f"{mine[2]['nik']},,NIK tidak ditemukan di Dukcapil\n{theirs['nik']},34567890123,\n")
    done = cli("import-kpj", str(csv_file), "--db", server.settings.db_url)
    assert done.returncode == 0, done.stderr
    page1, cursor = budi.status_updates()
    page2, cursor2 = budi.status_updates(cursor)
    page3, cursor3 = budi.status_updates(cursor2)
    assert [(u["uuid"], u["kind"], u["kpj"]) for u in page1 + page2] == [
        (mine[0]["uuid"], "kpj_issued", "12345678901"), (mine[1]["uuid"], "kpj_issued", "23456789012"),
        (mine[2]["uuid"], "bpjs_rejected", None)]
    assert page2[0]["reason"] == "NIK tidak ditemukan di Dukcapil"
    assert (page3, cursor3) == ([], cursor2)
    assert [u["kpj"] for u in siti.status_updates()[0]] == ["34567890123"]

    again = cli("import-kpj", str(csv_file), "--db", server.settings.db_url)  # re-import: nothing new
    assert again.returncode == 0 and budi.status_updates(cursor2) == ([], cursor2)


@pytest.mark.parametrize("content", [
    "nik,kpj\n3216061207900003,123\n",  # KPJ is 11 digits
    "nik,kpj\n32160612079000,12345678901\n",  # bad NIK
    "nik,kpj\n3216060202710005,12345678901\n",  # NIK not enrolled here
    "nama,nomor\nx,y\n",  # wrong columns
])
def test_import_kpj_refuses_bad_files_whole(server, new_record, tmp_path, content):
    server.client("budi").post_batch(make_batch([new_record(0)], "laptop-1"))
    good_line = f"{new_record(0)['nik']},11111111111\n"
    csv_file = tmp_path / "kpj.csv"
    csv_file.write_text(content + (good_line if content.startswith("nik") else ""))
    done = cli("import-kpj", str(csv_file), "--db", server.settings.db_url)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert server.client("budi").status_updates() == ([], "0")  # nothing imported, not even the good line


def test_no_nik_in_server_logs(server, new_record, caplog):
    caplog.set_level(logging.DEBUG)
    client = server.client("budi")
    first = new_record(1)
    client.post_batch(make_batch([first, new_record(2, nik=first["nik"]), new_record(3, phone="x")], "laptop-1"))
    client.post_batch(make_batch([new_record(4, nik=first["nik"])], "laptop-1"))
    text = caplog.text
    assert "duplicate" in text.lower() or "already enrolled" in text
    assert first["nik"] not in text
    assert not re.search(r"(?<!\d)\d{16}(?!\d)", text)
    assert first["nik"][:4] + "********" + first["nik"][-4:] in text
