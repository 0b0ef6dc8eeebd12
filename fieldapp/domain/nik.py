"""NIK (Nomor Induk Kependudukan): PP KK CC DDMMYY SSSS, exactly as DOMAIN.md states the rules.

``normalize_nik`` is for forms and imports (NFKC, strip spaces, dots, dashes); ``parse_nik`` is strict.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from fieldapp.domain import regions
from fieldapp.errors import UserFacingError

_STRIP = re.compile(r"[\s.\-‐‑‒–—]+")
_ASCII_DIGITS = re.compile(r"[0-9]*")

#: Reason codes and their messages (Indonesian, English). ``{}`` takes the detail.
REASONS: dict[str, tuple[str, str]] = {
    "empty": ("NIK kosong", "NIK is empty"),
    "length": ("NIK harus 16 digit (sekarang {})", "a NIK has 16 digits (this one has {})"),
    "not_digits": ("NIK hanya boleh berisi angka 0-9 (ada: {})", "a NIK holds only digits 0-9 (found: {})"),
    "province_unknown": ("kode provinsi {} tidak dikenal", "province code {} does not exist"),
    "regency_zero": ("kode kabupaten/kota tidak boleh 00", "the regency/city code cannot be 00"),
    "district_zero": ("kode kecamatan tidak boleh 00", "the kecamatan code cannot be 00"),
    "day_invalid": (
        "tanggal lahir {} tidak mungkin (pria 01-31, wanita 41-71)",
        "birth day {} is impossible (men 01-31, women 41-71)",
    ),
    "month_invalid": ("bulan lahir {} tidak mungkin (01-12)", "birth month {} is impossible (01-12)"),
    "date_invalid": ("tanggal lahir {} tidak ada di kalender", "birth date {} does not exist"),
    "serial_zero": ("nomor urut 0000 tidak sah", "serial number 0000 is not valid"),
}

WARNINGS: dict[str, tuple[str, str]] = {
    "regency_unknown": (
        "kode kabupaten/kota tidak ada di daftar wilayah saat ini (mungkin wilayah lama yang dimekarkan)",
        "the regency/city code is not in the current region list (perhaps a region since split)",
    ),
    "district_unknown": (
        "kode kecamatan tidak ada di daftar wilayah saat ini (mungkin wilayah lama yang dimekarkan)",
        "the kecamatan code is not in the current region list (perhaps a region since split)",
    ),
}


class InvalidNik(UserFacingError, ValueError):
    """The text is not a valid NIK. ``reasons`` holds every problem found, as codes from ``REASONS``."""

    def __init__(self, reasons: list[tuple[str, str]]):
        self.reasons = tuple(code for code, _ in reasons)
        id_parts = [REASONS[code][0].format(detail) for code, detail in reasons]
        en_parts = [REASONS[code][1].format(detail) for code, detail in reasons]
        super().__init__(
            "NIK tidak valid: " + "; ".join(id_parts) + ".",
            "Invalid NIK: " + "; ".join(en_parts) + ".",
            field="nik",
            code="invalid_nik",
        )


@dataclass(frozen=True, slots=True)
class NikInfo:
    nik: str
    province_code: str  # "32"
    regency_code: str  # "32.16"
    district_code: str  # "32.16.06"
    birth_date: dt.date
    sex: str  # "L" or "P"
    serial: str  # "9003"
    warnings: tuple[str, ...] = ()


def normalize_nik(text: str) -> str:
    """NFKC (full-width digits become ASCII), then drop whitespace, dots and dashes. Letters stay in.

    NFKC runs again after the stripping: a compatibility character such as '¨' becomes a space and a combining
    mark, and the mark left alone must compose like it would in the next call (normalising twice changes nothing).
    """
    return unicodedata.normalize("NFKC", _STRIP.sub("", unicodedata.normalize("NFKC", text or "")))


def resolve_century(yy: int, month: int, day: int, today: dt.date) -> dt.date:
    """20YY unless that date would be after ``today``, then 19YY. Raises ValueError for a date that does not exist."""
    try:
        candidate = dt.date(2000 + yy, month, day)
    except ValueError:
        candidate = None
    if candidate is not None and candidate <= today:
        return candidate
    return dt.date(1900 + yy, month, day)


def parse_nik(text: str, *, today: dt.date | None = None) -> NikInfo:
    """Strict: ``text`` must be exactly 16 ASCII digits forming a possible NIK, else ``InvalidNik``."""
    today = today or dt.date.today()
    reasons: list[tuple[str, str]] = []
    if not text:
        raise InvalidNik([("empty", "")])
    if len(text) != 16:
        reasons.append(("length", str(len(text))))
    bad = sorted({c for c in text if c not in "0123456789"})
    if bad:
        reasons.append(("not_digits", " ".join(repr(c)[1:-1] for c in bad)))
    if len(text) != 16:
        raise InvalidNik(reasons)

    def field(start: int, end: int) -> str | None:
        part = text[start:end]
        return part if part.isascii() and part.isdigit() else None

    pp, kk, cc, dd, mm, yy, ssss = (
        field(0, 2),
        field(2, 4),
        field(4, 6),
        field(6, 8),
        field(8, 10),
        field(10, 12),
        field(12, 16),
    )
    if pp is not None and pp not in regions.PROVINCE_CODES:
        reasons.append(("province_unknown", pp))
    if kk == "00":
        reasons.append(("regency_zero", ""))
    if cc == "00":
        reasons.append(("district_zero", ""))
    day = sex = None
    if dd is not None:
        raw_day = int(dd)
        if 1 <= raw_day <= 31:
            day, sex = raw_day, "L"
        elif 41 <= raw_day <= 71:
            day, sex = raw_day - 40, "P"
        else:
            reasons.append(("day_invalid", dd))
    month = None
    if mm is not None:
        if 1 <= int(mm) <= 12:
            month = int(mm)
        else:
            reasons.append(("month_invalid", mm))
    birth_date = None
    if day and month and yy is not None:
        try:
            birth_date = resolve_century(int(yy), month, day, today)
        except ValueError:
            reasons.append(("date_invalid", f"{day:02d}-{month:02d}-{yy}"))
    if ssss == "0000":
        reasons.append(("serial_zero", ""))
    if reasons:
        raise InvalidNik(reasons)

    warnings = []
    regency_code, district_code = f"{pp}.{kk}", f"{pp}.{kk}.{cc}"
    if not regions.is_known(regency_code):
        warnings.append("regency_unknown")
    elif not regions.is_known(district_code):
        warnings.append("district_unknown")
    return NikInfo(text, pp, regency_code, district_code, birth_date, sex, ssss, tuple(warnings))


def mask_nik(nik: str) -> str:
    """'3216061207900003' → '3216********0003': the form for paper, lists, exports and logs."""
    if len(nik) <= 8:
        return "*" * len(nik)
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]
