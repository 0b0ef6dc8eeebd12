"""Synthetic demo data: villagers of Kabupaten Bekasi who do not exist, for trying the app and for benchmarks.

NIKs are made to pass ``parse_nik`` (real Bekasi kecamatan codes, consistent birth date and sex) but are
synthetic; names are combinations of common Indonesian given names. No real person's data is used.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import insert, select, true, update

from fieldapp.db import models as m
from fieldapp.db.engine import Store, store_path
from fieldapp.db.timeutil import utcnow
from fieldapp.domain import occupations, regions
from fieldapp.errors import UserFacingError
from fieldapp.services import accounts, audit

BEKASI = "3216"
DEMO_PASSWORD = "demo1234"
DEMO_USERS = (
    ("demo", "supervisor", "Demo Supervisor"),
    ("petugas", "officer", "Petugas Demo"),
    ("kerani", "clerk", "Kerani Desa Demo"),
    ("admin", "admin", "Admin Demo"),
)
MALE = (
    "Budi",
    "Agus",
    "Ahmad",
    "Dedi",
    "Eko",
    "Hendra",
    "Joko",
    "Rudi",
    "Slamet",
    "Wahyu",
    "Yusuf",
    "Asep",
    "Ujang",
    "Dadang",
    "Iwan",
    "Bambang",
    "Supriyadi",
    "Muhammad",
    "Rizky",
    "Fajar",
    "Nanang",
    "Cecep",
)
FEMALE = (
    "Siti",
    "Sri",
    "Dewi",
    "Ani",
    "Nur",
    "Rina",
    "Yuni",
    "Wati",
    "Lestari",
    "Aminah",
    "Euis",
    "Neng",
    "Fitri",
    "Ratna",
    "Sumiati",
    "Nining",
    "Imas",
    "Komariah",
    "Dian",
    "Putri",
    "Rohmah",
    "Elis",
)
FAMILY = (
    "Santoso",
    "Saputra",
    "Hidayat",
    "Nurhaliza",
    "Kusuma",
    "Wijaya",
    "Setiawan",
    "Rahmawati",
    "Permana",
    "Suryana",
    "Hermawan",
    "Maulana",
    "Gunawan",
    "Fauzi",
    "Sulastri",
    "Rohimah",
    "Sopian",
    "Kurniawan",
)
PLACES = (
    "Bekasi",
    "Karawang",
    "Bogor",
    "Jakarta",
    "Cirebon",
    "Tegal",
    "Indramayu",
    "Subang",
    "Garut",
    "Brebes",
)
STREETS = (
    "Kp. Pulo",
    "Kp. Rawa",
    "Kp. Cabang",
    "Jl. Raya",
    "Kp. Tengah",
    "Kp. Babakan",
    "Gg. Mawar",
    "Kp. Bojong",
)
HEIR_REL = ("istri", "suami", "anak", "orang_tua")


def _bekasi_villages() -> list[str]:
    return sorted(r.compact for r in regions.all_regions() if r.level == 4 and r.compact.startswith(BEKASI))


def ensure_demo_store(data_dir: Path, credentials: tuple[str, str] | None = None) -> Store:
    """Open the store in ``data_dir`` (as the first demo account unless ``credentials`` name another user),
    creating it with the demo accounts when there is none."""
    if store_path(data_dir).exists():
        return accounts.log_in(data_dir, *(credentials or (DEMO_USERS[0][0], DEMO_PASSWORD)))[0]
    first, *others = DEMO_USERS
    store = accounts.init_store(data_dir, first[0], DEMO_PASSWORD, full_name=first[2])
    for username, role, name in others:
        accounts.create_user(store, first[0], username, DEMO_PASSWORD, role, full_name=name, area_code=BEKASI)
    return store


def _people(n: int, rng: random.Random, villages: list[str], seen: set[str]) -> Iterator[tuple]:
    districts = sorted({v[:6] for v in villages})
    today = dt.date.today()
    while n > 0:
        sex = rng.choice("LP")
        birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(365 * 40))  # adults: 20 to 60
        day = birth.day + (40 if sex == "P" else 0)
        nik = f"{rng.choice(districts)}{day:02d}{birth:%m%y}{rng.randrange(1, 10000):04d}"
        if nik in seen or birth > today:
            continue
        seen.add(nik)
        n -= 1
        given = rng.choice(MALE if sex == "L" else FEMALE)
        yield nik, f"{given} {rng.choice(FAMILY)}", sex, birth


def seed_demo(
    data_dir: Path,
    participants: int,
    *,
    seed: int = 2026,
    batch: int = 20_000,
    progress: Callable[[int, int], None] | None = None,
    credentials: tuple[str, str] | None = None,
) -> int:
    """Add ``participants`` synthetic villagers (and a few visits) to the store in ``data_dir``."""
    if participants < 0:
        raise UserFacingError(
            "Jumlah peserta tidak boleh negatif.",
            "The number of participants cannot be negative.",
            field="participants",
        )
    store = ensure_demo_store(data_dir, credentials)
    done = 0
    try:
        for rows in demo_rows(store, participants, seed=seed, batch=batch):
            bulk_insert(store, rows)
            done += len(rows)
            if progress:
                progress(done, participants)
    finally:
        store.close()
    return done


def demo_rows(store: Store, n: int, *, seed: int = 2026, batch: int = 20_000) -> Iterator[list[dict]]:
    """Batches of synthetic participant rows for ``store`` (its device counter and a few visits are reserved)."""
    rng = random.Random(seed)
    villages = _bekasi_villages()
    occupation_codes = [o.code for o in occupations.OCCUPATIONS]
    sector_of = {o.code: o.sector for o in occupations.OCCUPATIONS}
    now = utcnow()
    start_month = dt.date(now.year, now.month, 1)
    with store.sessions.begin() as session:
        device = session.scalar(select(m.Device).where(m.Device.is_this_device == true()))
        officer_id = session.scalar(
            select(m.User.id).where(m.User.role.in_(("officer", "supervisor"))).order_by(m.User.role).limit(1)
        )
        seen = set(session.scalars(select(m.Participant.nik)))
        first = device.counter + 1
        session.execute(update(m.Device).where(m.Device.id == device.id).values(counter=device.counter + n))
        visit_ids = []
        for village in villages[:12]:
            visit = m.Visit(
                uuid=str(uuid.uuid4()),
                village_code=village,
                visit_date=now.date(),
                location_note="Balai desa",
                funding_source="apbd",
                programs="JKK,JKM",
                sector="other",
                start_month=start_month,
                officer_id=officer_id,
                opened_at=now,
                closed_at=now,
            )
            session.add(visit)
            session.flush()
            visit_ids.append((village, visit.id))
        audit.record(session, "seed-demo", "seed_demo", count=n)
        device_id, device_code = device.id, device.code
    rows: list[dict] = []
    for i, (nik, name, sex, birth) in enumerate(_people(n, rng, villages, seen)):
        village, visit_id = rng.choice(visit_ids) if rng.random() < 0.3 else (rng.choice(villages), None)
        occupation = rng.choice(occupation_codes)
        heir = rng.random() < 0.3
        at = now - dt.timedelta(minutes=n - i)
        rows.append(
            {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "local_number": f"{village}-{device_code}-{first + i:06d}",
                "nik": nik,
                "kk_number": "",
                "full_name": name,
                "birth_place": rng.choice(PLACES),
                "birth_date": birth,
                "sex": sex,
                "street": f"{rng.choice(STREETS)} No. {rng.randrange(1, 200)}",
                "rt": f"{rng.randrange(1, 15):03d}",
                "rw": f"{rng.randrange(1, 10):03d}",
                "village_code": village,
                "phone": f"+62812{rng.randrange(10**7, 10**8)}" if rng.random() < 0.8 else "",
                "email": "",
                "mother_name": "",
                "occupation": occupation,
                "income_band": 1_000_000,
                "programs": "JKK,JKM",
                "funding_source": "apbd",
                "sector": sector_of[occupation],
                "start_month": start_month,
                "period_months": 1,
                "heir_name": f"{rng.choice(FEMALE if sex == 'L' else MALE)} {rng.choice(FAMILY)}" if heir else "",
                "heir_relationship": rng.choice(HEIR_REL) if heir else "",
                "heir_phone": "",
                "consent_given_at": at,
                "consent_method": "tanda_tangan",
                "guardian_name": "",
                "officer_id": officer_id,
                "visit_id": visit_id,
                "device_id": device_id,
                "enrolled_at": at,
                "updated_at": at,
                "revision": 1,
                "synced_revision": 0,
                "sync_state": "pending",
                "sync_message": "",
                "kpj": None,
                "bpjs_status": None,
                "active": True,
            }
        )
        if len(rows) >= batch:
            yield rows
            rows = []
    if rows:
        yield rows


def bulk_insert(store: Store, rows: list[dict]) -> None:
    """Insert many participant rows in one transaction (one executemany)."""
    with store.engine.begin() as conn:
        conn.execute(insert(m.Participant), rows)
