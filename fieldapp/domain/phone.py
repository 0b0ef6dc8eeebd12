"""Indonesian phone numbers, parsed by lokal-id: stored as E.164 (+62…), shown as 0812-3456-7890."""

from __future__ import annotations

from dataclasses import dataclass

from lokal import parse_phone

from fieldapp.errors import UserFacingError


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str
    national: str
    mobile: bool


def normalize_phone(text: str, *, field: str = "phone") -> Phone:
    """Parse a number written any common way; a wrong one raises ``UserFacingError`` naming ``field``."""
    info = parse_phone(text or "")
    if not info.valid:
        detail = info.errors[0].message if info.errors else ""
        raise UserFacingError(
            f"Nomor telepon tidak valid: {detail} Contoh: 0812-3456-7890.",
            "Invalid phone number: write it as 0812-3456-7890 or +62 812 3456 7890.",
            field=field,
            code="invalid_phone",
        )
    return Phone(info.e164, info.national, info.type == "mobile")
