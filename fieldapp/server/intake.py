"""A batch as it arrives: shape checks, then every record parsed and validated by the domain rules.

Pure Python, no database: this runs before the write transaction so the write lock is held briefly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from fieldapp.domain import contributions
from fieldapp.domain.enrolment import validate
from fieldapp.domain.record import MalformedRecord, from_record, to_record
from fieldapp.errors import UserFacingError
from fieldapp.server.reference import village_known

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_DEVICE_ID = re.compile(r"[\x20-\x7e]{1,128}\Z")
MAX_REVISION = 2**31 - 1  # an INTEGER column on both databases
STATUSES = ("accepted", "updated", "unchanged", "duplicate_person", "rejected", "conflict")

#: the store's decision → (status, code, Indonesian, English). Every status is one of ``STATUSES``, which the
#: laptop checks strictly; a refusal the store decides is a ``rejected`` with its own code.
OUTCOMES: dict[str, tuple[str, str, str, str]] = {
    "accepted": ("accepted", "accepted", "Data diterima.", "Record accepted."),
    "updated": ("updated", "updated", "Perubahan data diterima.", "The newer revision was stored."),
    "unchanged": ("unchanged", "unchanged", "Data ini sudah diterima sebelumnya.",
                  "This revision was already received."),
    "duplicate_person": ("duplicate_person", "duplicate_nik", "NIK ini sudah terdaftar aktif pada data lain.",
                         "This NIK is already enrolled under another record."),
    "conflict": ("conflict", "revision_conflict", "Server menyimpan versi yang lebih baru; muat ulang data ini.",
                 "The server holds a newer revision of this record; reload it."),
    "not_owner": ("rejected", "not_owner",
                  "Data ini dikirim pertama kali oleh akun lain; hanya akun itu, laptop asalnya, atau supervisor "
                  "yang boleh mengubahnya. Perubahan ini tidak disimpan.",
                  "This record was first sent by another account; only that account, the laptop it came from, or "
                  "a supervisor may change it. This change was not stored."),
}


class BadBatch(UserFacingError):
    """The batch envelope itself is wrong (not a single record): answered with 422."""

    def __init__(self, indonesian: str, english: str, code: str = "invalid_batch"):
        super().__init__(indonesian, english, code=code)


class TooManyRecords(UserFacingError):
    def __init__(self, count: int, limit: int):
        super().__init__(f"Satu kiriman paling banyak {limit} data (dikirim {count}).",
                         f"A batch holds at most {limit} records ({count} sent).", code="too_many_records")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A record that passed the domain rules, ready to store."""

    index: int
    uuid: str
    nik: str
    village_code: str
    revision: int
    base_revision: int
    content_hash: str
    stored: str  # the normalized record, wire format, JSON


@dataclass(frozen=True, slots=True)
class BatchInput:
    batch_id: str
    device_id: str
    created_at: str
    content_hash: str  # SHA-256 over the records' content hashes (see ``prepare``)
    results: tuple[dict | None, ...]  # rejections already decided; None where the store decides
    prepared: tuple[Prepared, ...]

    @property
    def count(self) -> int:
        return len(self.results)


# Built once: ``json.dumps`` with options builds a new encoder per call, which shows in the profile.
canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def result(uuid: object, status: str, code: str, indonesian: str, english: str) -> dict:
    return {"uuid": uuid if isinstance(uuid, str) else None, "status": status, "code": code,
            "message": f"{indonesian} / {english}"}


def outcome(uuid: str, decision: str) -> dict:
    status, code, indonesian, english = OUTCOMES[decision]
    return result(uuid, status, code, indonesian, english)


def _is_uuid(text: object) -> bool:
    return isinstance(text, str) and _UUID.match(text) is not None


def check_envelope(body: object, max_records: int) -> tuple[str, str, str, list]:
    if not isinstance(body, dict):
        raise BadBatch("Isi kiriman harus objek JSON.", "The body must be a JSON object.")
    batch_id, device_id, created_at, records = (body.get(k) for k in
                                                ("batch_id", "device_id", "created_at", "records"))
    if not _is_uuid(batch_id):
        raise BadBatch("batch_id harus UUID (huruf kecil).", "batch_id must be a lower-case UUID.")
    if not isinstance(device_id, str) or not _DEVICE_ID.match(device_id):
        raise BadBatch("device_id wajib diisi (1-128 karakter ASCII).",
                       "device_id is required (1-128 printable ASCII characters).")
    try:
        stamp = dt.datetime.fromisoformat(created_at) if isinstance(created_at, str) else None
    except ValueError:
        stamp = None
    if stamp is None or stamp.tzinfo is None or len(created_at) > 40:
        raise BadBatch("created_at harus tanggal-waktu ISO 8601 dengan zona waktu.",
                       "created_at must be an ISO 8601 date-time with a UTC offset.")
    if not isinstance(records, list):
        raise BadBatch("records harus berupa daftar.", "records must be a list.")
    if len(records) > max_records:
        raise TooManyRecords(len(records), max_records)
    return batch_id, device_id, created_at, records


def prepare(body: object, *, max_records: int, today: dt.date) -> BatchInput:
    """Check the envelope (``BadBatch``/``TooManyRecords``) and run every record through the domain rules.

    Content hashes: a valid record's is the SHA-256 of its normalized wire form (what is stored, so one
    encoding serves both), a rejected one's that of its canonical JSON (sorted keys). The batch's hash, which
    tells a resend from a reused ``batch_id``, is the SHA-256 of the records' hashes in order.
    """
    batch_id, device_id, created_at, records = check_envelope(body, max_records)
    rates = contributions.default_rates()  # once per batch: loading it per record dominated the profile
    known = village_known()
    hashes: list[str] = []
    results: list[dict | None] = []
    prepared: list[Prepared] = []
    for index, record in enumerate(records):
        rid = record.get("uuid") if isinstance(record, dict) else None
        outcome = _check(record, rid, today, rates, known)
        if isinstance(outcome, dict):
            hashes.append(hashlib.sha256(canonical(record).encode("utf-8", "surrogatepass")).hexdigest())
            results.append(outcome)
            continue
        normal, meta, stored, digest = outcome
        hashes.append(digest)
        results.append(None)
        prepared.append(Prepared(index, rid, normal.nik, normal.village_code, meta.revision, meta.base_revision,
                                 digest, stored))
    content_hash = hashlib.sha256(",".join(hashes).encode()).hexdigest()
    return BatchInput(batch_id, device_id, created_at, content_hash, tuple(results), tuple(prepared))


def _check(record: object, rid: object, today: dt.date, rates, known) -> dict | tuple:
    """A rejection result, or (normalized enrolment, meta, stored JSON, its SHA-256)."""
    try:
        if not _is_uuid(rid):
            raise MalformedRecord("uuid", "a lower-case UUID expected")
        enrolment, meta = from_record(record)
        if meta.revision > MAX_REVISION:
            raise MalformedRecord("revision", f"at most {MAX_REVISION}")
        findings = validate(enrolment, today=today, rates=rates, village_known=known)
        if findings.errors:
            return result(rid, "rejected", "invalid",
                          "; ".join(f"{f}: {m[0]}" for f, m in findings.errors.items()),
                          "; ".join(f"{f}: {m[1]}" for f, m in findings.errors.items()))
        normal = findings.normalized
        stored = compact(to_record(normal, meta))
        if "\\u0000" in stored:  # PostgreSQL text cannot hold NUL
            raise MalformedRecord("record", "a NUL character in a text")
        try:
            digest = hashlib.sha256(stored.encode("utf-8")).hexdigest()
        except UnicodeEncodeError:  # a lone surrogate: not storable as UTF-8
            raise MalformedRecord("record", "invalid Unicode (a lone surrogate) in a text") from None
    except MalformedRecord as exc:
        return result(rid, "rejected", exc.code, exc.indonesian, exc.english)
    except (TypeError, ValueError, AttributeError, OverflowError) as exc:  # garbage the parser did not expect
        return result(rid, "rejected", "malformed", "Data rusak.", f"Malformed record ({type(exc).__name__}).")
    return normal, meta, stored, digest
