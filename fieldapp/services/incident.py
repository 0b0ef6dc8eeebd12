"""Incident report (UU PDP Pasal 46): whose data this device held, for the 3×24-hour notice after a loss.

Reads the store and every backup on the device (a backup holds data too), lists each person once with a
masked NIK, and says as of when each source was last written.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from fieldapp.db.engine import connect, store_path
from fieldapp.db.timeutil import utcnow
from fieldapp.domain.nik import mask_nik
from fieldapp.services import audit
from fieldapp.services.backup import list_backups
from fieldapp.services.workspace import Workspace

COLUMNS = ("uuid", "local_number", "masked_nik", "full_name", "village_code", "enrolled_at", "sync_state", "source")


@dataclass(frozen=True)
class IncidentSummary:
    people: int
    sources: tuple[tuple[str, str], ...]  # (file name, last write as ISO time)
    out: Path


def _people(path: Path, key: bytes) -> tuple[list[tuple], str]:
    conn = connect(path, key, pragmas=False, readonly=True)
    try:
        rows = conn.execute("SELECT uuid, local_number, nik, full_name, village_code, enrolled_at, sync_state "
                            "FROM participants ORDER BY id").fetchall()
        last = conn.execute("SELECT max(updated_at) FROM participants").fetchone()[0] or ""
    finally:
        conn.close()
    return rows, last


def incident_report(ws: Workspace, out: Path) -> IncidentSummary:
    ws.require("supervisor", "admin", action=("membuat laporan insiden", "write an incident report"))
    seen: dict[str, tuple] = {}
    sources = []
    for path in [store_path(ws.data_dir), *list_backups(ws.data_dir)]:
        rows, last = _people(path, ws.store.key)
        sources.append((path.name, last))
        for uuid, number, nik, name, village, enrolled, state in rows:
            seen.setdefault(uuid, (uuid, number, mask_nik(nik), name, village, enrolled, state, path.name))
    out = Path(out)
    with out.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow([f"# Laporan insiden / incident report: perangkat {ws.device.name} ({ws.device.uuid}), "
                         f"dibuat {utcnow().isoformat(timespec='seconds')} oleh {ws.user.username}"])
        for name, last in sources:
            writer.writerow([f"# sumber / source {name}: terakhir ditulis / last written {last or '-'}"])
        writer.writerow(COLUMNS)
        writer.writerows(sorted(seen.values(), key=lambda r: (r[4], r[3])))
    with ws.store.sessions.begin() as session:
        audit.record(session, ws.user.username, "incident_report", "device", ws.device.uuid, people=len(seen),
                     sources=len(sources), at=dt.datetime.now().isoformat(timespec="seconds"))
    return IncidentSummary(len(seen), tuple(sources), out)
