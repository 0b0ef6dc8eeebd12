"""Synthetic enrolments for tests: no real person's data."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

from fieldapp.domain.enrolment import Enrolment

if TYPE_CHECKING:
    from fieldapp.certificates import CertificateData

TODAY = dt.date(2026, 11, 21)
CONSENT = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def nik_for(birth: dt.date, sex: str = "L", serial: int = 1, district: str = "321606") -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{district}{day:02d}{birth:%m%y}{serial:04d}"


def enrolment(**changes) -> Enrolment:
    birth = changes.pop("birth_date", dt.date(1990, 7, 12))
    sex = changes.pop("sex", "L")
    base = Enrolment(
        nik=nik_for(birth, sex, changes.pop("serial", 3)),
        full_name="Budi Santoso",
        birth_place="Bekasi",
        birth_date=birth,
        sex=sex,
        street="Kp. Pulo No. 12",
        rt="3",
        rw="5",
        village_code="3216062002",
        phone="0812-3456-7890",
        occupation="petani",
        income_band=1_000_000,
        programs=("JKK", "JKM"),
        funding_source="apbd",
        sector="other",
        start_month=dt.date(2026, 12, 1),
        heir_name="Siti Aminah",
        heir_relationship="istri",
        consent_given_at=CONSENT,
    )
    return replace(base, **changes)


def open_visit(ws, **changes):
    """A visit to Lambangsari (Tambun Selatan, Bekasi), APBD-funded JKK+JKM from December 2026."""
    from fieldapp.services import visits

    args = dict(village_code="3216062002", visit_date=TODAY, funding_source="apbd", programs="JKK,JKM",
                sector="other", start_month=dt.date(2026, 12, 1))
    return visits.open_visit(ws, **{**args, **changes})


def enrol_people(ws, n: int, start: int = 1) -> list:
    """``n`` synthetic villagers "Warga Uji A", "B", … enrolled through the service (distinct NIKs by ``start``)."""
    from fieldapp.services import enrolment as service

    return [service.enrol(ws, enrolment(full_name=f"Warga Uji {chr(64 + i)}",
                                        nik=nik_for(dt.date(1980, 1, 1) + dt.timedelta(days=i), "L", i)))
            for i in range(start, start + n)]


CERTIFICATE_NIK = "3216064107900003"
CERTIFICATE_NAMES = ("Siti Aminah", "Budi Santoso", "Élisabet Nurâini", "Ñoman Çahya", "Dewi Lestari", "Agus Salim")


def certificate_person(i: int = 0, *, kpj: str | None = "26012345678", **changes) -> CertificateData:
    """The i-th synthetic person as a certificate or card shows them (names with accents among them)."""
    from fieldapp.certificates import CertificateData  # not for every test that makes an enrolment (ReportLab)

    data = CertificateData(
        participant_uuid=str(uuid.UUID(int=1000 + i)),
        local_number=f"3216062001-A7-{i:06d}",
        kpj=kpj,
        full_name=CERTIFICATE_NAMES[i % len(CERTIFICATE_NAMES)],
        nik=CERTIFICATE_NIK,
        birth_place="Bekasi",
        birth_date=dt.date(1990, 7, 1),
        village_name="Sukamaju",
        district_name="Tambun Selatan",
        regency_name="Kabupaten Bekasi",
        province_name="Jawa Barat",
        occupation_label="Petani / pekebun",
        programs=("JKK", "JKM"),
        coverage_start=dt.date(2026, 12, 1),
        funding_source="apbd",
        payer_region_name="Kabupaten Bekasi",
        issue_date=dt.date(2026, 8, 17),
        serial=f"SRT-3216-2026-{i:06d}",
        signer_name="Drs. Ahmad Fauzi",
        signer_title="Kepala Dinas Tenaga Kerja Kabupaten Bekasi",
    )
    return replace(data, **changes)
