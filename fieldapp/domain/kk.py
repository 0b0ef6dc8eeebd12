"""Nomor KK (family card): issuing region (6 digits) + issue date DDMMYY (no +40) + serial (4 digits).

A KK number changes when a family moves or splits: it is recorded, never used as a key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fieldapp.domain import regions
from fieldapp.domain.nik import normalize_nik, resolve_century
from fieldapp.errors import UserFacingError


class InvalidKk(UserFacingError, ValueError):
    def __init__(self, reasons: list[tuple[str, str, str]]):
        self.reasons = tuple(code for code, _, _ in reasons)
        super().__init__(
            "Nomor KK tidak valid: " + "; ".join(r[1] for r in reasons) + ".",
            "Invalid KK number: " + "; ".join(r[2] for r in reasons) + ".",
            field="kk_number",
            code="invalid_kk",
        )


@dataclass(frozen=True, slots=True)
class KkInfo:
    number: str
    district_code: str  # "32.16.06"
    issue_date: dt.date
    serial: str
    warnings: tuple[str, ...] = ()


def normalize_kk(text: str) -> str:
    return normalize_nik(text)


def parse_kk(text: str, *, today: dt.date | None = None) -> KkInfo:
    today = today or dt.date.today()
    if len(text) != 16 or not (text.isascii() and text.isdigit()):
        raise InvalidKk([("format", "harus tepat 16 angka", "it must be exactly 16 digits")])
    reasons = []
    if text[:2] not in regions.PROVINCE_CODES:
        reasons.append(
            (
                "province_unknown",
                f"kode provinsi {text[:2]} tidak dikenal",
                f"province code {text[:2]} does not exist",
            )
        )
    if text[2:4] == "00" or text[4:6] == "00":
        reasons.append(("region_zero", "kode wilayah tidak boleh 00", "a region code cannot be 00"))
    issue_date = None
    try:
        issue_date = resolve_century(int(text[10:12]), int(text[8:10]), int(text[6:8]), today)
    except ValueError:
        reasons.append(
            (
                "date_invalid",
                f"tanggal terbit {text[6:12]} tidak ada",
                f"issue date {text[6:12]} does not exist",
            )
        )
    if text[12:] == "0000":
        reasons.append(("serial_zero", "nomor urut 0000 tidak sah", "serial 0000 is not valid"))
    if reasons:
        raise InvalidKk(reasons)
    district = f"{text[:2]}.{text[2:4]}.{text[4:6]}"
    warnings = () if regions.is_known(district) else ("district_unknown",)
    return KkInfo(text, district, issue_date, text[12:], warnings)
