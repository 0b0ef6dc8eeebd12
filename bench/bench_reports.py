"""Reports and imports at scale: importing 100,000 participants, exporting a sync log of 100,000 record results.

    python bench/bench_reports.py [N]

Figures set against baselines measured in the same run: the CSV import against a raw ``sqlite3.executemany``
of the same rows into the same schema; the XLSX import against openpyxl merely reading the same file. The sync
log the exports read is generated (``synthetic_sync_log``): batches of 500 results over seeded participants.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, true

from fieldapp.db import models as m
from fieldapp.db.engine import Store

STATUS_MIX = (("accepted", 0.90), ("updated", 0.03), ("unchanged", 0.02), ("duplicate_person", 0.02),
              ("rejected", 0.02), ("conflict", 0.01))
MESSAGES = {
    "duplicate_person": ("duplicate_nik", "NIK ini sudah terdaftar di server. / This NIK is already enrolled."),
    "rejected": ("invalid_phone", "Nomor telepon tidak valid. / Invalid phone number."),
    "conflict": ("stale_revision", "Server menyimpan revisi lebih baru. / The server holds a newer revision."),
}


def synthetic_sync_log(store: Store, results: int, *, batch_size: int = 500, failed: int = 3, seed: int = 7,
                       server: str = "https://bpu.example.go.id") -> int:
    """GENERATED INPUT: batches with ``results`` record results over the store's participants (which must be
    at least ``results``), plus ``failed`` batches without a receipt. Participants' sync states follow their
    result and one in three accepted records gets a KPJ. Returns the number of batches written."""
    rng = random.Random(seed)
    states = [s for s, share in STATUS_MIX for _ in range(round(share * 100))]
    with store.sessions() as session:
        people = list(session.execute(select(m.Participant.id, m.Participant.uuid).order_by(m.Participant.id)
                                      .limit(results)))
        user_id = session.scalar(select(m.User.id).where(m.User.role == "officer").limit(1)) or 1
        device_id = session.scalar(select(m.Device.id).where(m.Device.is_this_device == true()))
    start = dt.datetime(2026, 11, 1, 1, 0)
    batch_rows, result_rows, updates = [], [], []
    for n, first in enumerate(range(0, len(people), batch_size)):
        chunk = people[first:first + batch_size]
        at = start + dt.timedelta(minutes=37 * n)
        counts: dict[str, int] = {}
        for pid, puuid in chunk:
            status = rng.choice(states)
            counts[status] = counts.get(status, 0) + 1
            code, message = MESSAGES.get(status, ("", ""))
            result_rows.append({"batch_id": n + 1, "participant_uuid": puuid, "revision": 1, "status": status,
                                "code": code, "message": message})
            state = "accepted" if status in ("accepted", "updated", "unchanged") else status
            kpj = f"{26000000000 + pid}" if state == "accepted" and pid % 3 == 0 else None
            updates.append({"pid": pid, "state": state, "kpj": kpj})
        batch_rows.append(_batch(n + 1, at, server, user_id, device_id, len(chunk), "receipted", counts,
                                 rng.randint(-90_000, 90_000)))
    for k in range(failed):
        at = start + dt.timedelta(minutes=37 * (len(batch_rows) + 1))
        batch_rows.append(_batch(len(batch_rows) + 1, at, server, user_id, device_id, 0, "failed", {}, None,
                                 "Connection refused / Sambungan ditolak" if k % 2 else "Timeout"))
    with store.engine.begin() as conn:
        conn.execute(insert(m.SyncBatch), batch_rows)
        if result_rows:
            conn.execute(insert(m.SyncResult), result_rows)
            conn.exec_driver_sql("UPDATE participants SET sync_state = ?, kpj = ?, synced_revision = 1 WHERE id = ?",
                                 [(u["state"], u["kpj"], u["pid"]) for u in updates])
    return len(batch_rows)


def _batch(pk: int, at: dt.datetime, server: str, user_id: int, device_id: int, records: int, status: str,
           counts: dict, offset: int | None, error: str = "") -> dict:
    return {"id": pk, "batch_id": str(uuid.UUID(int=pk, version=4)), "created_at": at,
            "sent_at": at + dt.timedelta(seconds=20) if status == "receipted" else None, "server": server,
            "user_id": user_id, "device_id": device_id, "record_count": records, "payload_sha256": "0" * 64,
            "status": status, "counts_json": json.dumps(counts, sort_keys=True), "clock_offset_ms": offset,
            "error": error, "payload": ""}

