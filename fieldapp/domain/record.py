"""The sync protocol's record (DESIGN.md, issue 5): an enrolment as JSON, and back.

Both the laptop and the server use these two functions, so the wire format has one definition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fieldapp.domain.enrolment import Enrolment
from fieldapp.errors import UserFacingError


@dataclass(frozen=True, slots=True)
class RecordMeta:
    uuid: str
    revision: int
    base_revision: int
    officer: str
    visit_id: str | None
    enrolled_at: dt.datetime
    updated_at: dt.datetime


def to_record(e: Enrolment, meta: RecordMeta) -> dict:
    return {
        "uuid": meta.uuid,
        "revision": meta.revision,
        "base_revision": meta.base_revision,
        "nik": e.nik,
        "kk_number": e.kk_number or None,
        "full_name": e.full_name,
        "birth_place": e.birth_place,
        "birth_date": e.birth_date.isoformat() if e.birth_date else None,
        "sex": e.sex,
        "address": {"street": e.street, "rt": e.rt, "rw": e.rw, "village_code": e.village_code},
        "phone": e.phone or None,
        "occupation": e.occupation,
        "income_band": e.income_band,
        "programs": list(e.programs),
        "funding_source": e.funding_source,
        "sector": e.sector,
        "start_month": f"{e.start_month:%Y-%m}",
        "period_months": e.period_months,
        "heir": {"name": e.heir_name, "relationship": e.heir_relationship, "phone": e.heir_phone or None},
        "consent": {
            "given_at": e.consent_given_at.isoformat() if e.consent_given_at else None,
            "method": e.consent_method,
            "guardian_name": e.guardian_name or None,
        },
        "mother_name": e.mother_name or None,
        "email": e.email or None,
        "officer": meta.officer,
        "visit_id": meta.visit_id,
        "enrolled_at": meta.enrolled_at.isoformat(),
        "updated_at": meta.updated_at.isoformat(),
    }


class MalformedRecord(UserFacingError):
    def __init__(self, field: str, detail: str):
        super().__init__(
            f"Kolom {field} rusak: {detail}",
            f"Field {field} is malformed: {detail}",
            field=field,
            code="malformed",
        )


def _aware(text: str, field: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise MalformedRecord(field, "ISO 8601 date-time expected") from None
    if value.tzinfo is None:
        raise MalformedRecord(field, "a UTC offset is required")
    return value


def from_record(r: dict) -> tuple[Enrolment, RecordMeta]:
    """Parse a wire record; a structurally broken one raises ``MalformedRecord`` naming the field."""

    def get(obj: dict, key: str, kind: type, path: str | None = None, optional: bool = False):
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None and optional:
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise MalformedRecord(path or key, f"{kind.__name__} expected")
        return value

    if not isinstance(r, dict):
        raise MalformedRecord("record", "object expected")
    address = get(r, "address", dict)
    heir = get(r, "heir", dict, optional=True) or {}
    consent = get(r, "consent", dict, optional=True) or {}
    birth = get(r, "birth_date", str, optional=True)
    try:
        birth_date = dt.date.fromisoformat(birth) if birth else None
        y, m = get(r, "start_month", str).split("-")
        start_month = dt.date(int(y), int(m), 1)
    except (ValueError, OverflowError):  # OverflowError: a year beyond C's int, e.g. "99999999999-01"
        raise MalformedRecord("birth_date/start_month", "YYYY-MM-DD / YYYY-MM expected") from None
    programs = get(r, "programs", list)
    if not all(isinstance(p, str) for p in programs):
        raise MalformedRecord("programs", "list of strings expected")
    given = get(consent, "given_at", str, "consent.given_at", optional=True)
    e = Enrolment(
        nik=get(r, "nik", str),
        full_name=get(r, "full_name", str),
        birth_place=get(r, "birth_place", str),
        birth_date=birth_date,
        sex=get(r, "sex", str),
        street=get(address, "street", str, "address.street"),
        rt=get(address, "rt", str, "address.rt"),
        rw=get(address, "rw", str, "address.rw"),
        village_code=get(address, "village_code", str, "address.village_code"),
        phone=get(r, "phone", str, optional=True) or "",
        occupation=get(r, "occupation", str),
        income_band=get(r, "income_band", int),
        programs=tuple(programs),
        funding_source=get(r, "funding_source", str),
        sector=get(r, "sector", str),
        start_month=start_month,
        heir_name=get(heir, "name", str, "heir.name", optional=True) or "",
        heir_relationship=get(heir, "relationship", str, "heir.relationship", optional=True) or "",
        heir_phone=get(heir, "phone", str, "heir.phone", optional=True) or "",
        consent_given_at=_aware(given, "consent.given_at") if given else None,
        consent_method=get(consent, "method", str, "consent.method", optional=True) or "tanda_tangan",
        guardian_name=get(consent, "guardian_name", str, "consent.guardian_name", optional=True) or "",
        kk_number=get(r, "kk_number", str, optional=True) or "",
        mother_name=get(r, "mother_name", str, optional=True) or "",
        email=get(r, "email", str, optional=True) or "",
        period_months=get(r, "period_months", int, optional=True) or 1,
    )
    meta = RecordMeta(
        uuid=get(r, "uuid", str),
        revision=get(r, "revision", int),
        base_revision=get(r, "base_revision", int),
        officer=get(r, "officer", str),
        visit_id=get(r, "visit_id", str, optional=True),
        enrolled_at=_aware(get(r, "enrolled_at", str), "enrolled_at"),
        updated_at=_aware(get(r, "updated_at", str), "updated_at"),
    )
    if meta.revision < 1 or meta.base_revision < 0 or meta.base_revision >= meta.revision:
        raise MalformedRecord("revision", "revision >= 1 and 0 <= base_revision < revision expected")
    return e, meta
