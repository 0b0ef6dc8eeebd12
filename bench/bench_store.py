"""The local store at scale: bulk insert and seeding, search as you type, save latency.

Every figure is set against a raw baseline measured in the same run on the same (encrypted) file and rows: the
DB-API driver alone, keyed, with the app's pragmas.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.dialects import sqlite as sqlite_dialect

from bench.common import copy_store, demo_store, empty_store_copy, percentile, raw_connect, seeded_store, timed
from fieldapp.db.participants import search_statement
from fieldapp.domain.participant import SearchQuery
from fieldapp.services import enrolment, participants, seed
from fieldapp.services.workspace import Workspace

TYPED = ["s", "si", "sit", "siti", "siti r", "siti ro", "b", "bu", "bud", "budi", "budi s", "budi sa", "budi san",
         "w", "wa", "wah", "wahy", "wahyu", "wahyu h", "3", "32", "321", "3216", "32160", "321606", "3216064",
         "32160641", "321606410", "3216064107"]


def _sql(q: SearchQuery) -> tuple[str, list]:
    compiled = search_statement(q).compile(dialect=sqlite_dialect.dialect())
    params = compiled.construct_params()
    return str(compiled), [params[k] for k in compiled.positiontup]


def _sqlite_value(v: object) -> object:
    """How SQLAlchemy stores a value in SQLite, so the raw baseline writes the same bytes."""
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds")
    return v.isoformat() if isinstance(v, dt.date) else v


def bench_bulk(n: int, workdir: Path) -> list[dict]:
    ours = demo_store(empty_store_copy(workdir / "ours"))
    batches = list(seed.demo_rows(ours, n))  # also adds the visits the rows point to
    ours.close()
    copy_store(workdir / "ours", workdir / "raw")  # same starting file for both
    plain = workdir / "plain.sqlite"  # and the same, unencrypted: what encryption costs the driver
    with raw_connect(workdir / "raw") as conn:
        conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain),))
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    ours = demo_store(workdir / "ours")
    rows = [r for b in batches for r in b]
    elapsed, _ = timed(lambda: [seed.bulk_insert(ours, b) for b in batches])
    ours.close()
    columns = list(rows[0])
    raw_rows = [tuple(_sqlite_value(v) for v in r.values()) for r in rows]
    sql = f"INSERT INTO participants ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    size = len(batches[0])

    def insert_all(conn) -> float:
        start = time.perf_counter()
        for i in range(0, len(raw_rows), size):
            with conn:
                conn.executemany(sql, raw_rows[i : i + size])
        conn.close()
        return time.perf_counter() - start

    raw = insert_all(raw_connect(workdir / "raw"))
    plain_conn = sqlite3.connect(plain)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "cache_size=-32000"):
        plain_conn.execute(f"PRAGMA {pragma}")
    unencrypted = insert_all(plain_conn)
    seed_time, _ = timed(seed.seed_demo, workdir / "seeded", n)
    return [
        {"name": f"bulk insert {n:,} participants (SQLAlchemy executemany)", "value": n / elapsed, "unit": "rows/s",
         "ratio": raw / elapsed, "target": "ratio >= 0.40"},
        {"name": "raw driver executemany, same rows, schema and encrypted file", "value": n / raw, "unit": "rows/s"},
        {"name": "raw sqlite3.executemany into an unencrypted copy", "value": n / unencrypted, "unit": "rows/s",
         "ratio": unencrypted / raw},
        {"name": f"seed-demo {n:,} (generate + insert, new store)", "value": n / seed_time, "unit": "rows/s",
         "ratio": raw / seed_time},
    ]


def bench_search(ws: Workspace, n: int) -> list[dict]:
    conn = raw_connect(ws.data_dir)
    ours, raw = [], []
    for _ in range(5):
        for text in TYPED:
            q = SearchQuery(text)
            sql, params = _sql(q)
            ours.append(timed(participants.search, ws, q)[0])
            raw.append(timed(lambda: conn.execute(sql, params).fetchall())[0])  # noqa: B023
    conn.close()
    p95, raw95 = percentile(ours, 95) * 1000, percentile(raw, 95) * 1000
    return [
        {"name": f"search as you type at {n:,}: p95 (names + NIK prefixes)", "value": p95, "unit": "ms",
         "ratio": p95 / raw95, "target": "<= 15 ms, ratio <= 2"},
        {"name": "search p50", "value": percentile(ours, 50) * 1000, "unit": "ms"},
        {"name": "raw FTS5/SQL, same statements: p95", "value": raw95, "unit": "ms"},
    ]


def bench_save(ws: Workspace, n: int, saves: int = 300) -> list[dict]:
    from tests.factories import enrolment as make
    from tests.factories import nik_for

    base = make()
    times = []
    for i in range(saves):
        e = replace(base, nik=nik_for(dt.date(1980, 1, 1) + dt.timedelta(days=i), "L", 9000 + i % 999, "327501"))
        times.append(timed(enrolment.enrol, ws, e)[0])
    conn = raw_connect(ws.data_dir)
    raw = []
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS t (x)")  # temp: no fsync; the real floor is a WAL commit below
    for i in range(saves):
        start = time.perf_counter()
        with conn:
            conn.execute("UPDATE settings SET value = ? WHERE key = 'regions_version'",
                         (conn.execute("SELECT value FROM settings WHERE key='regions_version'").fetchone()[0],))
            conn.execute("INSERT INTO audit_events (at, username, action, entity, entity_id, detail, prev_hash, hash)"
                         " VALUES (?, 'bench', 'bench', '', '', '', '', '')", (str(i),))
        raw.append(time.perf_counter() - start)
    conn.execute("DELETE FROM audit_events WHERE username = 'bench'")
    conn.commit()
    with ws.store.engine.begin() as c:
        c.exec_driver_sql("DELETE FROM participants WHERE nik LIKE '327501%'")
    conn.close()
    p99 = percentile(times, 99) * 1000
    return [
        {"name": f"save (enrol, synchronous=FULL) at {n:,}: p50", "value": percentile(times, 50) * 1000, "unit": "ms"},
        {"name": f"save at {n:,}: p99", "value": p99, "unit": "ms", "ratio": p99 / (percentile(raw, 99) * 1000),
         "target": "<= 20 ms"},
        {"name": "raw fsynced WAL commit of one row: p99", "value": percentile(raw, 99) * 1000, "unit": "ms"},
    ]


def run(size: int = 1_000_000, bulk: int = 100_000) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="fieldapp-bench-") as tmp:
        rows = bench_bulk(min(size, bulk), Path(tmp))
    ws = Workspace.open(seeded_store(size), "petugas", seed.DEMO_PASSWORD)
    try:
        rows += bench_search(ws, size)
        rows += bench_save(ws, size)
    finally:
        ws.close()
    return rows


if __name__ == "__main__":
    from bench.run import print_table

    print_table("store", run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
