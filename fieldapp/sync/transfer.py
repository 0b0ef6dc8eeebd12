"""Offline transfer files (USB stick): a batch carried to the server operator, and its receipt carried back.

One JSON document per file::

    {"format": "fieldapp-batch", "version": 1, "username": "budi", "batch": {...},
     "signature": {"algorithm": "HMAC-SHA256", "key_id": "9f2c…", "value": "<hex>"}}

    {"format": "fieldapp-receipt", "version": 1, "username": "budi", "receipt": {...}, "signature": {...}}

The signature covers the canonical JSON (sorted keys, no spaces, UTF-8) of every member except
``signature``. The key is the account's *transfer key*: 32 random bytes the server creates with the account
and hands to the laptop at each login (``transfer_key`` in the ``/auth/token`` answer), so a file is tied to
one account and any edit on the way is detected. A laptop that has never logged in online has no key: it
writes ``{"algorithm": "SHA-256", "value": …}``, a plain checksum that catches a damaged file but proves no
origin, and the server operator must accept such a file explicitly. Standard library only: the server CLI
reads and writes these files with the same code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fieldapp.errors import UserFacingError

VERSION = 1
BATCH_FORMAT = "fieldapp-batch"
RECEIPT_FORMAT = "fieldapp-receipt"
MAX_FILE_BYTES = 64 * 1024 * 1024


class TransferError(UserFacingError):
    pass


@dataclass(frozen=True, slots=True)
class TransferKey:
    key_id: str
    key: bytes

    @classmethod
    def from_login(cls, login: dict) -> TransferKey:
        """The key from a ``SyncClient.login`` answer (``{"transfer_key": {"key_id", "key": hex}}``)."""
        tk = login["transfer_key"]
        return cls(tk["key_id"], bytes.fromhex(tk["key"]))


@dataclass(frozen=True, slots=True)
class BatchFile:
    batch: dict
    username: str | None
    key_id: str | None  # None for a checksum-only (unsigned) file
    _signed_text: bytes
    _value: str

    @property
    def signed(self) -> bool:
        return self.key_id is not None

    def verify(self, key: TransferKey) -> None:
        """Raise ``TransferError`` unless this file was signed with ``key``."""
        if not self.signed or key.key_id != self.key_id:
            raise _signature_error()
        if not hmac.compare_digest(_hmac(key.key, self._signed_text), self._value):
            raise _signature_error()


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")


def _hmac(key: bytes, text: bytes) -> str:
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def _signature_error() -> TransferError:
    return TransferError("Tanda tangan berkas tidak cocok: berkas diubah atau bukan dari akun ini.",
                         "The file's signature does not match: it was altered or is not from this account.",
                         code="transfer_signature")


def _format_error(path: Path, what: str) -> TransferError:
    return TransferError(f"Berkas {path.name} bukan {what} fieldapp yang sah.",
                         f"{path.name} is not a valid fieldapp {what} file.", code="transfer_format")


def _sign(doc: dict, key: TransferKey | None) -> dict:
    text = _canonical(doc)
    if key is None:
        return {**doc, "signature": {"algorithm": "SHA-256", "value": hashlib.sha256(text).hexdigest()}}
    return {**doc, "signature": {"algorithm": "HMAC-SHA256", "key_id": key.key_id, "value": _hmac(key.key, text)}}


def _write(doc: dict, path: str | os.PathLike) -> Path:
    """Write atomically (temporary file, fsync, rename): a stick pulled out early leaves no half file."""
    path = Path(path)
    data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise TransferError(f"Berkas {path} tidak dapat ditulis: {exc.strerror}.",
                            f"Cannot write {path}: {exc.strerror}.", code="transfer_unwritable") from None
    return path


def _read(path: str | os.PathLike, fmt: str, member: str, what: str) -> tuple[dict, bytes, dict]:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _format_error(path, what)
        doc = json.loads(path.read_bytes())
    except OSError as exc:
        raise TransferError(f"Berkas {path} tidak dapat dibaca: {exc.strerror}.",
                            f"Cannot read {path}: {exc.strerror}.", code="transfer_unreadable") from None
    except (ValueError, RecursionError):
        raise _format_error(path, what) from None
    signature = doc.get("signature") if isinstance(doc, dict) else None
    if (not isinstance(signature, dict) or doc.get("format") != fmt or not isinstance(doc.get(member), dict)
            or not isinstance(signature.get("value"), str)):
        raise _format_error(path, what)
    if doc.get("version") != VERSION:
        raise TransferError(f"Versi berkas {doc.get('version')!r} tidak didukung; perbarui aplikasi.",
                            f"File version {doc.get('version')!r} is not supported; update the software.",
                            code="transfer_version")
    text = _canonical({k: v for k, v in doc.items() if k != "signature"})
    algorithm = signature.get("algorithm")
    if algorithm == "SHA-256":
        if not hmac.compare_digest(hashlib.sha256(text).hexdigest(), signature["value"]):
            raise TransferError(f"Berkas {path.name} rusak (checksum tidak cocok).",
                                f"{path.name} is damaged (checksum mismatch).", code="transfer_damaged")
    elif algorithm != "HMAC-SHA256" or not isinstance(signature.get("key_id"), str):
        raise _format_error(path, what)
    return doc, text, signature


def write_batch_file(batch: dict, path: str | os.PathLike, signing_key: TransferKey | None, *,
                     username: str | None = None) -> Path:
    return _write(_sign({"format": BATCH_FORMAT, "version": VERSION, "username": username, "batch": batch},
                        signing_key), path)


def read_batch_file(path: str | os.PathLike) -> BatchFile:
    """Parse and check the format (and the checksum of an unsigned file); ``BatchFile.verify`` checks a
    signature, given the account's key."""
    doc, text, signature = _read(path, BATCH_FORMAT, "batch", "kiriman/batch")
    username = doc.get("username") if isinstance(doc.get("username"), str) else None
    key_id = signature.get("key_id") if signature.get("algorithm") == "HMAC-SHA256" else None
    return BatchFile(doc["batch"], username, key_id, text, signature["value"])


def write_receipt_file(receipt: dict, path: str | os.PathLike, signing_key: TransferKey | None, *,
                       username: str | None = None) -> Path:
    return _write(_sign({"format": RECEIPT_FORMAT, "version": VERSION, "username": username,
                         "receipt": receipt}, signing_key), path)


def read_receipt_file(path: str | os.PathLike, signing_key: TransferKey | None = None) -> dict:
    """The receipt; with ``signing_key`` its signature must be that key's (a signed receipt read without a key
    is only checked for format)."""
    doc, text, signature = _read(path, RECEIPT_FORMAT, "receipt", "tanda terima/receipt")
    if signing_key is not None and (signature.get("key_id") != signing_key.key_id or not hmac.compare_digest(
            _hmac(signing_key.key, text), signature["value"])):
        raise _signature_error()
    return doc["receipt"]
