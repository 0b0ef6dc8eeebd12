"""What a certificate or a participant card prints: one frozen value per participant.

The full NIK is held here only so that this package can mask it; nothing in ``fieldapp.certificates``
ever draws or writes it. Use :attr:`CertificateData.masked_nik` for anything printed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from fieldapp.domain.nik import mask_nik

PROGRAM_ORDER = ("JKK", "JKM", "JHT")
FUNDING_SOURCES = ("apbn", "apbd", "dana_desa", "donor", "self")


@dataclass(frozen=True, slots=True)
class CertificateData:
    participant_uuid: str
    local_number: str
    kpj: str | None  # BPJS's 11-digit participant number; None until BPJS has issued it
    full_name: str
    nik: str  # full NIK: masked before printing, never drawn
    birth_place: str
    birth_date: dt.date
    village_name: str
    district_name: str
    regency_name: str
    province_name: str
    occupation_label: str
    programs: tuple[str, ...]  # subset of "JKK", "JKM", "JHT"
    coverage_start: dt.date
    funding_source: str  # one of FUNDING_SOURCES
    payer_region_name: str  # "Kabupaten Bekasi"; for Dana Desa the village; for a donor its name
    issue_date: dt.date
    serial: str
    reprint_reason: str | None = None  # set on a reprint: the paper says "CETAK ULANG" and why
    signer_name: str = ""
    signer_title: str = ""
    signature_image: Path | str | None = None
    logo_images: tuple[Path | str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [p for p in self.programs if p not in PROGRAM_ORDER]
        if unknown:
            raise ValueError(f"unknown programme(s) {unknown}; expected some of {PROGRAM_ORDER}")
        if self.funding_source not in FUNDING_SOURCES:
            raise ValueError(f"unknown funding source {self.funding_source!r}")
        if self.kpj is not None and not self.kpj.strip():
            raise ValueError("kpj must be None or a non-empty number")

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)

    @property
    def is_final(self) -> bool:
        """True once BPJS has issued the KPJ: the paper is a certificate, not a registration receipt."""
        return self.kpj is not None

    @property
    def ordered_programs(self) -> tuple[str, ...]:
        return tuple(p for p in PROGRAM_ORDER if p in self.programs)

    @property
    def is_reprint(self) -> bool:
        return bool(self.reprint_reason and self.reprint_reason.strip())
