"""Sync server throughput: n synthetic valid records posted in batches of 500 to the real server on 127.0.0.1.

Baseline, measured in the same run: the same JSON bodies posted with the same ``requests`` session to a bare
FastAPI endpoint that parses them and does one ``executemany`` into a SQLite table (same pragmas). Both
servers run as child processes, so the client does not share their interpreter.

    python bench/bench_sync.py [n]      # FIELDAPP_TEST_PG_URL set: the PostgreSQL figure too
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

BATCH = 500
PASSWORD = "bench-password-1"
VILLAGES = ("3216062002", "3216062003", "3216062004", "3216061001")
WIB = dt.timezone(dt.timedelta(hours=7))


def synthetic_records(n: int) -> list[dict]:
    """n records that pass ``validate``: distinct NIKs from Kabupaten Bekasi, birth dates matching them."""
    now = dt.datetime(2026, 5, 4, 9, 30, tzinfo=WIB).isoformat()
    records = []
    for i in range(n):
        serial, rest = i % 9999 + 1, i // 9999
        day, month, year = 1 + rest % 28, 1 + (rest // 28) % 12, 70 + (rest // 336) % 30
        female = i % 2 == 1
        nik = f"321606{day + (40 if female else 0):02d}{month:02d}{year:02d}{serial:04d}"
        records.append({
            "uuid": str(uuid.uuid4()), "revision": 1, "base_revision": 0, "nik": nik, "kk_number": None,
            "full_name": ("Siti Rahmawati" if female else "Budi Santoso") + f" {chr(65 + i % 26)}",
            "birth_place": "Bekasi", "birth_date": f"19{year:02d}-{month:02d}-{day:02d}", "sex": "P" if female else "L",
            "address": {"street": f"Kp. Pulo No. {i % 200}", "rt": str(1 + i % 9), "rw": str(1 + i % 5),
                        "village_code": VILLAGES[i % len(VILLAGES)]},
            "phone": f"0812{i % 100000000:08d}", "occupation": "petani", "income_band": 1000000,
            "programs": ["JKK", "JKM"], "funding_source": "apbd", "sector": "other", "start_month": "2026-05",
            "period_months": 1, "heir": {"name": "Ahmad Yani", "relationship": "anak", "phone": None},
            "consent": {"given_at": now, "method": "tanda_tangan", "guardian_name": None},
            "mother_name": None, "email": None, "officer": "bench", "visit_id": None,
            "enrolled_at": now, "updated_at": now,
        })
    return records


def bodies(records: list[dict]) -> list[bytes]:
    created = dt.datetime.now(WIB).isoformat(timespec="seconds")
    return [json.dumps({"batch_id": str(uuid.uuid4()), "device_id": "bench-laptop", "created_at": created,
                        "records": records[i:i + BATCH]}).encode() for i in range(0, len(records), BATCH)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(cmd: list[str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {' '.join(cmd)}") from None
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


def _post_all(url: str, payloads: list[bytes], headers: dict, warmup: bytes) -> float:
    with requests.Session() as session:
        session.post(url, data=warmup, headers=headers, timeout=60).raise_for_status()  # loads lazy data
        started = time.perf_counter()
        for body in payloads:
            resp = session.post(url, data=body, headers=headers, timeout=120)
            resp.raise_for_status()
        return time.perf_counter() - started


def measure_ours(db_url: str, payloads: list[bytes], n: int, warmup: bytes) -> float:
    from fieldapp.server import accounts
    from fieldapp.server.db import init_schema, make_engine

    engine = make_engine(db_url)
    init_schema(engine)
    name = "bench" + secrets.token_hex(3)
    accounts.add_user(engine, name, "officer", PASSWORD)
    engine.dispose()
    port = _free_port()
    proc = _start([sys.executable, "-m", "fieldapp.server.cli", "serve", "--db", db_url, "--port", str(port)], port)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        token = requests.post(base + "/auth/token", timeout=30, json={
            "username": name, "password": PASSWORD, "device_id": "bench-laptop"}).json()["token"]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        elapsed = _post_all(base + "/batches", payloads, headers, warmup)
        with requests.Session() as s:  # every record must have gone in
            check = s.post(base + "/batches", data=payloads[0], headers=headers, timeout=60).json()
        assert check["counts"]["accepted"] == min(BATCH, n), check["counts"]
        return n / elapsed
    finally:
        proc.terminate()
        proc.wait(10)


def measure_end_to_end(tmp: Path, n: int) -> tuple[float, float]:
    """A laptop store with n pending records sent to the server, receipts applied: records/s; and the seconds
    the pulls that follow take (status updates, reference data, the NIK digests of every village)."""
    from fieldapp.server import accounts
    from fieldapp.server.db import init_schema, make_engine
    from fieldapp.services import seed, sync
    from fieldapp.services.workspace import Workspace
    from fieldapp.sync.client import SyncClient

    seed.seed_demo(tmp / "laptop", n)
    db_url = f"sqlite:///{tmp / 'e2e.sqlite3'}"
    engine = make_engine(db_url)
    init_schema(engine)
    accounts.add_user(engine, "petugas", "officer", seed.DEMO_PASSWORD)
    engine.dispose()
    port = _free_port()
    proc = _start([sys.executable, "-m", "fieldapp.server.cli", "serve", "--db", db_url, "--port", str(port)], port)
    try:
        url = f"http://127.0.0.1:{port}"
        with Workspace.open(tmp / "laptop", "petugas", seed.DEMO_PASSWORD) as ws, SyncClient(url) as client:
            sync.connect(ws, client, "petugas", seed.DEMO_PASSWORD)
            started = time.perf_counter()
            report = sync.send_pending(ws, client, url)
            elapsed = time.perf_counter() - started
            started = time.perf_counter()
            sync.pull_status_updates(ws, client)
            sync.refresh_reference(ws, client)
            sync.refresh_digests(ws, client)
            pulls = time.perf_counter() - started
        assert report.counts == {"accepted": n}, report.counts
        return n / elapsed, pulls
    finally:
        proc.terminate()
        proc.wait(10)


def measure_raw(db_file: Path, payloads: list[bytes], n: int, warmup: bytes) -> float:
    port = _free_port()
    proc = _start([sys.executable, __file__, "--raw-server", str(port), str(db_file)], port)
    try:
        headers = {"Content-Type": "application/json"}
        return n / _post_all(f"http://127.0.0.1:{port}/ingest", payloads, headers, warmup)
    finally:
        proc.terminate()
        proc.wait(10)


def raw_server(port: int, db_file: str) -> None:
    """The baseline: parse the JSON, one executemany, commit. No validation, no savepoints, no receipt."""
    import sqlite3

    import uvicorn

    conn = sqlite3.connect(db_file, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS raw (id INTEGER PRIMARY KEY, uuid TEXT UNIQUE, nik TEXT, record TEXT)")
    app = FastAPI()

    @app.post("/ingest")
    async def ingest(request: Request):
        try:
            records = json.loads(await request.body())["records"]
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "bad body"}, status_code=400)
        rows = [(r["uuid"], r["nik"], json.dumps(r, separators=(",", ":"))) for r in records]
        conn.executemany("INSERT INTO raw (uuid, nik, record) VALUES (?, ?, ?)", rows)
        conn.commit()
        return {"stored": len(rows)}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _pg_schema_url(base: str) -> tuple[str, callable]:
    from sqlalchemy import create_engine, text

    schema = "bench_" + secrets.token_hex(4)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", drop


def run(n: int = 10000) -> list[dict]:
    records = synthetic_records(n + 10)
    payloads, warmup = bodies(records[:n]), bodies(records[n:])[0]  # the warm-up batch: 10 other people
    rows = []
    with tempfile.TemporaryDirectory(prefix="fieldapp-bench-sync-") as tmp:
        ours = measure_ours(f"sqlite:///{Path(tmp) / 'server.sqlite3'}", payloads, n, warmup)
        raw = measure_raw(Path(tmp) / "raw.sqlite3", payloads, n, warmup)
        e2e, pulls = measure_end_to_end(Path(tmp), n)
    rows.append({"name": f"server, SQLite: {n} records in batches of {BATCH}", "value": round(ours),
                 "unit": "records/s", "ratio": ours / raw, "target": ">= 10,000/s and ratio >= 0.30"})
    rows.append({"name": "raw baseline: bare FastAPI + one executemany (SQLite)", "value": round(raw),
                 "unit": "records/s"})
    rows.append({"name": f"end to end: {n} pending on a laptop store, synced, receipts applied", "value": round(e2e),
                 "unit": "records/s", "ratio": e2e / raw, "target": ">= 10,000/s and ratio >= 0.30"})
    rows.append({"name": "then: status updates, reference, NIK digests of 187 villages", "value": pulls, "unit": "s"})
    pg = os.environ.get("FIELDAPP_TEST_PG_URL")
    if pg:
        url, drop = _pg_schema_url(pg)
        try:
            rate = measure_ours(url, payloads, n, warmup)
        finally:
            drop()
        rows.append({"name": f"server, PostgreSQL: {n} records in batches of {BATCH}", "value": round(rate),
                     "unit": "records/s", "ratio": rate / raw})
    return rows


def main(argv: list[str]) -> int:
    if argv[:1] == ["--raw-server"]:
        raw_server(int(argv[1]), argv[2])
        return 0
    from bench.run import print_table

    n = int(argv[0]) if argv else 10000
    started = time.perf_counter()
    rows = run(n)
    print_table(f"sync ({time.perf_counter() - started:.1f} s)", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
