"""Strict checks of what the server answers, before the laptop applies any of it (DESIGN.md "Sync protocol").

A server that is broken, out of date, or not ours at all (a captive portal, a hostile proxy) can send anything.
Each check takes the decoded JSON and returns what may be applied, or raises ``SyncError(code="protocol")``
whose reason is in fixed words of ours: a value from the answer is never echoed into a message or the sync log.
Free text meant for people (a result's message, a BPJS rejection reason) is cleaned and cut instead of refused;
anything the laptop stores as data (statuses, uuids, KPJ numbers, cursors, counts, digests) must be exact.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from fieldapp.domain.nik import InvalidNik, parse_nik
from fieldapp.domain.record import MalformedRecord, from_record
from fieldapp.sync.errors import SyncError, error

STATUSES = ("accepted", "updated", "unchanged", "duplicate_person", "rejected", "conflict")
UPDATE_KINDS = ("kpj_issued", "bpjs_rejected")
MAX_REVISION = 2**31 - 1
MAX_MESSAGE = 1000
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_CODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}\Z")
_KPJ = re.compile(r"[0-9]{11}\Z")
_CURSOR = re.compile(r"[0-9]{1,18}\Z")
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_KEY_ID = re.compile(r"[0-9A-Za-z_-]{1,64}\Z")
_VILLAGE = re.compile(r"[0-9]{10}\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")  # incl. bidi overrides


def invalid(reason: str) -> SyncError:
    return error("protocol", reason=reason)


def clean_text(value: object, limit: int = MAX_MESSAGE) -> str:
    """Text for people: control and bidi-override characters become a space, at most ``limit`` characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid("a message is not text")
    return _CONTROL.sub(" ", value[: limit * 2]).strip()[:limit]


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _server_time(value: object) -> None:
    try:
        stamp = dt.datetime.fromisoformat(value) if isinstance(value, str) and len(value) <= 40 else None
    except ValueError:
        stamp = None
    if stamp is None or stamp.tzinfo is None:
        raise invalid("receipt: server_time is not a date-time with a UTC offset")


def check_receipt(batch: dict, receipt: object) -> list[dict]:
    """The results of a receipt for ``batch`` (the batch exactly as sent), cleaned: exactly one result for each
    record sent, every status one of the protocol's, and counts that add up. Nothing partial is ever returned."""
    if not isinstance(receipt, dict):
        raise invalid("receipt: not a JSON object")
    if receipt.get("batch_id") != batch.get("batch_id"):
        raise invalid("receipt: for another batch")
    _server_time(receipt.get("server_time"))
    results, counts = receipt.get("results"), receipt.get("counts")
    sent = {r.get("uuid") for r in batch.get("records", []) if isinstance(r, dict)}
    if not isinstance(results, list) or len(results) != len(batch.get("records", [])):
        raise invalid("receipt: not one result for each record sent")
    clean, seen = [], set()
    for result in results:
        if not isinstance(result, dict):
            raise invalid("receipt: a result is not an object")
        uuid, status, code = result.get("uuid"), result.get("status"), result.get("code")
        if not isinstance(uuid, str) or uuid not in sent:
            raise invalid("receipt: a result for a record that was not sent")
        if uuid in seen:
            raise invalid("receipt: two results for one record")
        if status not in STATUSES:
            raise invalid("receipt: a status outside the protocol")
        if not isinstance(code, str) or not _CODE.match(code):
            raise invalid("receipt: a result code that is not a code")
        seen.add(uuid)
        clean.append({"uuid": uuid, "status": status, "code": code, "message": clean_text(result.get("message"))})
    if not isinstance(counts, dict) or not set(counts) <= set(STATUSES) or not all(map(_count, counts.values())):
        raise invalid("receipt: counts are not whole numbers of protocol statuses")
    tally = Counter(r["status"] for r in clean)
    if any(counts.get(status, 0) != tally[status] for status in STATUSES):
        raise invalid("receipt: counts do not add up to the results")
    return clean


def check_status_page(data: object, since: str | None) -> tuple[list[dict], str]:
    """One page of status updates: (items, next cursor). The cursor only moves forward."""
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise invalid("status updates: not a page")
    items, cursor = data["items"], data.get("next")
    if not isinstance(cursor, str) or not _CURSOR.match(cursor):
        raise invalid("status updates: the cursor is not a number")
    if int(cursor) < int(since or 0) or (items and int(cursor) == int(since or 0)):
        raise invalid("status updates: the cursor went backwards")
    clean = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("uuid"), str) or not _UUID.match(item["uuid"]):
            raise invalid("status updates: an item without a record uuid")
        kind, kpj = item.get("kind"), item.get("kpj")
        if kind not in UPDATE_KINDS:
            raise invalid("status updates: a kind outside the protocol")
        if (kind == "kpj_issued" or kpj is not None) and not (isinstance(kpj, str) and _KPJ.match(kpj)):
            raise invalid("status updates: a KPJ number that is not 11 digits")
        clean.append({"uuid": item["uuid"], "kind": kind, "kpj": kpj, "reason": clean_text(item.get("reason"))})
    return clean, cursor


def check_record_copy(uuid: str, data: object) -> dict:
    """The server's copy of the record ``uuid`` (the other side of a conflict): same uuid inside and out, a
    revision in range, a record that parses and carries a valid NIK."""
    if not isinstance(data, dict) or data.get("uuid") != uuid or not isinstance(data.get("record"), dict):
        raise invalid("record copy: not the record asked for")
    revision, record = data.get("revision"), data["record"]
    if not _count(revision) or not 1 <= revision <= MAX_REVISION:
        raise invalid("record copy: a revision out of range")
    if record.get("uuid") != uuid or record.get("revision") != revision:
        raise invalid("record copy: the record inside is another one")
    try:
        enrolment, _meta = from_record(record)
        parse_nik(enrolment.nik)
    except (MalformedRecord, InvalidNik, TypeError, ValueError, AttributeError):
        raise invalid("record copy: the record is malformed") from None
    return data


def check_enrolled(village_code: str, data: object) -> tuple[str, bytes, dict[str, str]]:
    """Enrolled-NIK digests of one village: (key id, key, {digest: uuid})."""
    if not isinstance(data, dict) or data.get("village_code") != village_code:
        raise invalid("enrolled digests: not for the village asked for")
    key, key_id, digests = data.get("key"), data.get("key_id"), data.get("digests")
    if data.get("algorithm", "HMAC-SHA256") != "HMAC-SHA256" or not isinstance(key_id, str) \
            or not _KEY_ID.match(key_id) or not isinstance(key, str) or not _HEX64.match(key):
        raise invalid("enrolled digests: no usable key")
    if not isinstance(digests, dict) or not all(
            isinstance(u, str) and _HEX64.match(d) and _UUID.match(u) for d, u in digests.items()):
        raise invalid("enrolled digests: a digest or uuid of the wrong form")
    if "count" in data and data["count"] != len(digests):
        raise invalid("enrolled digests: the count does not match")
    return key_id, bytes.fromhex(key), dict(digests)


def check_reference(data: object) -> dict:
    """Reference data: an object whose village targets (the part the laptop applies) are well formed."""
    targets = data.get("village_targets", []) if isinstance(data, dict) else None
    if not isinstance(targets, list) or not all(
            isinstance(t, dict) and isinstance(t.get("village_code"), str) and _VILLAGE.match(t["village_code"])
            and _count(t.get("target")) and t["target"] <= 1_000_000 for t in targets):
        raise invalid("reference: village targets of the wrong form")
    return data


def check_etag(value: str | None) -> str | None:
    """An ETag worth sending back: printable ASCII and short, else none."""
    if value and len(value) <= 200 and value.isascii() and value.isprintable():
        return value
    return None
