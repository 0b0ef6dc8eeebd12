"""The signed text carried by the QR code on certificates and cards.

Format: one line in the QR code's alphanumeric character set (upper-case letters, digits, `` $%*+-./:``)::

    FA1:<key_id>:<base45(signature + fields)>

* ``key_id``: 1-16 characters ``[0-9A-Z]`` naming the public key that verifies it (:func:`key_id_for`).
* ``signature``: the 64-byte Ed25519 signature over the ASCII bytes ``FA1:<key_id>:`` followed by the
  fields bytes, so the version, the key id and every field are covered.
* ``fields`` (bytes): participant UUID (16) · issue date as its proleptic ordinal, big-endian (3) · ``K``
  when the number is the KPJ, ``L`` for the local registration number while BPJS has not issued the KPJ
  (1) · length of the serial (1) · the certificate serial, UTF-8 · the number, UTF-8 (the rest).

With a 20-character serial and a 20-character number the text is about 200 characters and fits a
version-8 QR code at error level M (base64url in byte mode would need version 10: a denser symbol and 40 %
more work to make it). Base45 must be canonical and the text must match the signed one exactly: a text that
differs in any character does not verify. :func:`verify_payload` never raises; it answers a
:class:`VerifyResult` with a reason.
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

from fieldapp.certificates import base45

PREFIX = "FA1"
MAX_LENGTH = 600  # anything longer is not ours; refuse before doing any work
SIGNATURE_BYTES = 64
_HEADER_BYTES = 16 + 3 + 1 + 1  # uuid, date, kind, serial length
_B64 = re.compile(r"[A-Za-z0-9_-]+")
_KEY_ID = re.compile(r"[0-9A-Z]{1,16}")
_KINDS = {"kpj": ord("K"), "local": ord("L")}
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


def _encode_fields(fields: PayloadFields) -> bytes:
    if fields.number_kind not in _KINDS:
        raise ValueError(f"number_kind must be one of {tuple(_KINDS)}")
    serial, number = fields.serial.encode("utf-8"), fields.number.encode("utf-8")
    if not serial or not number or len(serial) > 255:
        raise ValueError("serial (at most 255 bytes) and number must be non-empty")
    return b"".join(
        (
            uuid.UUID(fields.participant_uuid).bytes,
            fields.issue_date.toordinal().to_bytes(3, "big"),
            bytes((_KINDS[fields.number_kind], len(serial))),
            serial,
            number,
        )
    )


def _decode_fields(raw: bytes) -> PayloadFields | None:
    if len(raw) < _HEADER_BYTES + 2 or raw[19] not in _KIND_OF:
        return None
    serial_end = _HEADER_BYTES + raw[20]
    try:
        serial, number = raw[_HEADER_BYTES:serial_end].decode("utf-8"), raw[serial_end:].decode("utf-8")
        issue = dt.date.fromordinal(int.from_bytes(raw[16:19], "big"))
    except (UnicodeDecodeError, ValueError, OverflowError):
        return None
    if not serial or not number:
        return None
    return PayloadFields(serial, str(uuid.UUID(bytes=raw[:16])), number, _KIND_OF[raw[19]], issue)


def sign_payload(fields: PayloadFields, private_key: Ed25519PrivateKey, key_id: str) -> str:
    """The QR text for ``fields``. Raises ValueError on fields or a key id that cannot be encoded."""
    if not _KEY_ID.fullmatch(key_id):
        raise ValueError("key_id must be 1-16 characters 0-9 A-Z")
    head = f"{PREFIX}:{key_id}:"
    raw = _encode_fields(fields)
    text = head + base45.encode(private_key.sign(head.encode("ascii") + raw) + raw)
    if len(text) > MAX_LENGTH:
        raise ValueError("fields too long for a QR payload")
    return text


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
    parts = text.split(":", 2)
    if len(parts) != 3:
        return _result("malformed")
    version, key_id, blob = parts
    if version != PREFIX:
        return _result("version" if re.fullmatch(r"FA[0-9]+", version) else "malformed")
    if not _KEY_ID.fullmatch(key_id):
        return _result("malformed")
    data = base45.decode(blob)
    if data is None or len(data) < SIGNATURE_BYTES + _HEADER_BYTES + 2:
        return _result("malformed")
    key = public_keys.get(key_id)
    if key is None:
        return _result("unknown_key", key_id=key_id)
    signature, raw = data[:SIGNATURE_BYTES], data[SIGNATURE_BYTES:]
    try:
        key.verify(signature, f"{version}:{key_id}:".encode("ascii") + raw)
    except InvalidSignature:
        return _result("bad_signature", key_id=key_id)
    fields = _decode_fields(raw)
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
    """A short stable id for a public key: the first ``length`` base32 characters of its SHA-256
    (upper case and digits, so it stays in the QR code's alphanumeric set)."""
    return base64.b32encode(hashlib.sha256(public_key_to_bytes(public_key)).digest()).decode("ascii")[:length]
