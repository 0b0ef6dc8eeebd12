"""The signed text carried by the QR code on certificates and cards.

Format (ASCII, one line)::

    FA1.<fields>.<key_id>.<signature>

* ``fields``: base64url (no padding) of the UTF-8 text ``serial|uuid|number|YYYYMMDD`` where ``uuid`` is the
  participant UUID as base64url of its 16 bytes (22 characters) and ``number`` is ``K`` + KPJ, or ``L`` +
  local registration number while BPJS has not issued the KPJ yet.
* ``key_id``: 1-16 characters ``[A-Za-z0-9_-]`` naming the public key that verifies it
  (see :func:`key_id_for`).
* ``signature``: base64url (no padding) of the Ed25519 signature over the ASCII bytes
  ``FA1.<fields>.<key_id>``, so the version, the fields and the key id are all covered.

Every part must be in its canonical encoding: a text that differs from the signed one in any character
does not verify. :func:`verify_payload` never raises; it answers a :class:`VerifyResult` with a reason.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "FA1"
SEPARATOR = "|"
MAX_LENGTH = 600  # anything longer is not ours; refuse before doing any work
_B64 = re.compile(r"[A-Za-z0-9_-]+")
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")
_KINDS = {"kpj": "K", "local": "L"}
_KIND_OF = {v: k for k, v in _KINDS.items()}

REASONS: dict[str, tuple[str, str]] = {
    "ok": ("Kode QR sah: data sesuai dengan yang ditandatangani.", "Valid: the data is as it was signed."),
    "malformed": (
        "Kode QR ini bukan kode sertifikat yang dikenal, atau rusak.",
        "This is not a known certificate code, or it is damaged.",
    ),
    "version": ("Versi kode QR ini tidak dikenal.", "This code's version is not known."),
    "unknown_key": (
        "Kunci penanda tangan kode ini tidak dikenal.",
        "The key that signed this code is not known.",
    ),
    "bad_signature": (
        "Tanda tangan digital tidak cocok: isi kode telah diubah atau dipalsukan.",
        "The digital signature does not match: the code was altered or forged.",
    ),
}


@dataclass(frozen=True, slots=True)
class PayloadFields:
    serial: str
    participant_uuid: str  # canonical lowercase hex with dashes
    number: str  # the KPJ, or the local registration number while there is no KPJ
    number_kind: str  # "kpj" or "local"
    issue_date: dt.date


@dataclass(frozen=True, slots=True)
class VerifyResult:
    valid: bool
    reason_id: str
    reason_en: str
    fields: PayloadFields | None = None  # only when valid: unverified data is never handed out
    code: str = "ok"  # machine reason: one of REASONS
    key_id: str | None = None


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes | None:
    """Strict base64url: alphabet only, and the text must be the canonical encoding of its bytes."""
    if not _B64.fullmatch(text) or len(text) % 4 == 1:
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if _b64encode(data) == text else None


def _date_text(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"  # strftime drops the zeros of years before 1000


def _encode_fields(fields: PayloadFields) -> str:
    if fields.number_kind not in _KINDS:
        raise ValueError(f"number_kind must be one of {tuple(_KINDS)}")
    for name, value in (("serial", fields.serial), ("number", fields.number)):
        if not value or SEPARATOR in value:
            raise ValueError(f"{name} must be non-empty and may not contain {SEPARATOR!r}")
    uid = _b64encode(uuid.UUID(fields.participant_uuid).bytes)
    text = SEPARATOR.join(
        (fields.serial, uid, _KINDS[fields.number_kind] + fields.number, _date_text(fields.issue_date))
    )
    return _b64encode(text.encode("utf-8"))


def _decode_fields(raw: bytes) -> PayloadFields | None:
    try:
        parts = raw.decode("utf-8").split(SEPARATOR)
        if len(parts) != 4:
            return None
        serial, uid, number, day = parts
        uid_bytes = _b64decode(uid)
        if uid_bytes is None or len(uid_bytes) != 16 or len(number) < 2 or number[0] not in _KIND_OF:
            return None
        if not re.fullmatch(r"[0-9]{8}", day):
            return None
        issue = dt.date(int(day[:4]), int(day[4:6]), int(day[6:]))
        return PayloadFields(serial, str(uuid.UUID(bytes=uid_bytes)), number[1:], _KIND_OF[number[0]], issue)
    except (UnicodeDecodeError, ValueError):
        return None


def sign_payload(fields: PayloadFields, private_key: Ed25519PrivateKey, key_id: str) -> str:
    """The QR text for ``fields``. Raises ValueError on fields that cannot be encoded (e.g. a '|')."""
    if not _KEY_ID.fullmatch(key_id):
        raise ValueError("key_id must be 1-16 characters A-Z a-z 0-9 _ -")
    signed = f"{PREFIX}.{_encode_fields(fields)}.{key_id}"
    return f"{signed}.{_b64encode(private_key.sign(signed.encode('ascii')))}"


def _result(code: str, fields: PayloadFields | None = None, key_id: str | None = None) -> VerifyResult:
    reason_id, reason_en = REASONS[code]
    return VerifyResult(code == "ok", reason_id, reason_en, fields, code, key_id)


def verify_payload(text: object, public_keys: dict[str, Ed25519PublicKey]) -> VerifyResult:
    """Check a scanned QR text against the published keys. Never raises."""
    try:
        return _verify(text, public_keys)
    except Exception:  # a verifier must answer, whatever it is fed
        return _result("malformed")


def _verify(text: object, public_keys: dict[str, Ed25519PublicKey]) -> VerifyResult:
    if not isinstance(text, str) or len(text) > MAX_LENGTH or not text.isascii():
        return _result("malformed")
    parts = text.split(".")
    if len(parts) != 4:
        return _result("malformed")
    version, fields_b64, key_id, sig_b64 = parts
    if version != PREFIX:
        return _result("version" if re.fullmatch(r"FA[0-9]+", version) else "malformed")
    if not _KEY_ID.fullmatch(key_id):
        return _result("malformed")
    signature = _b64decode(sig_b64)
    raw_fields = _b64decode(fields_b64)
    if signature is None or len(signature) != 64 or raw_fields is None:
        return _result("malformed")
    key = public_keys.get(key_id)
    if key is None:
        return _result("unknown_key", key_id=key_id)
    try:
        key.verify(signature, f"{version}.{fields_b64}.{key_id}".encode("ascii"))
    except InvalidSignature:
        return _result("bad_signature", key_id=key_id)
    fields = _decode_fields(raw_fields)
    if fields is None:  # signed by us but unreadable: treat as damaged, never as valid
        return _result("malformed", key_id=key_id)
    return _result("ok", fields, key_id)


# --- keys -------------------------------------------------------------------------------------------------


def generate_keypair() -> tuple[Ed25519PrivateKey, Ed25519PublicKey]:
    private = Ed25519PrivateKey.generate()
    return private, private.public_key()


def private_key_to_bytes(key: Ed25519PrivateKey) -> bytes:
    """The 32 raw bytes of the private key (store them encrypted, or at least readable only by the app)."""
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def private_key_from_bytes(data: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(data)


def public_key_to_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_from_bytes(data: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(data)


def private_key_to_text(key: Ed25519PrivateKey) -> str:
    return _b64encode(private_key_to_bytes(key))


def private_key_from_text(text: str) -> Ed25519PrivateKey:
    data = _b64decode(text.strip())
    if data is None or len(data) != 32:
        raise ValueError("not a base64url Ed25519 private key")
    return private_key_from_bytes(data)


def public_key_to_text(key: Ed25519PublicKey) -> str:
    """base64url of the 32 raw bytes: the form to publish."""
    return _b64encode(public_key_to_bytes(key))


def public_key_from_text(text: str) -> Ed25519PublicKey:
    data = _b64decode(text.strip())
    if data is None or len(data) != 32:
        raise ValueError("not a base64url Ed25519 public key")
    return public_key_from_bytes(data)


def key_id_for(public_key: Ed25519PublicKey, length: int = 8) -> str:
    """A short stable id for a public key: the first ``length`` base64url characters of its SHA-256."""
    return _b64encode(hashlib.sha256(public_key_to_bytes(public_key)).digest())[:length]
