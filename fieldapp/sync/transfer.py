"""Offline transfer files (USB stick): a batch carried to the server operator, and its receipt carried back.

One JSON document per file: a small clear header, then the content sealed::

    {"format": "fieldapp-batch", "version": 2, "batch_id": "…", "username": "budi", "key_id": "9f2c…",
     "cipher": "AES-256-GCM", "nonce": "<base64, 12 bytes>", "ciphertext": "<base64>"}

The header (every member but ``ciphertext``) says what the file is, which batch and which account, so the
server can pick the key; it holds no personal data. The content (the batch, or the receipt, as JSON) is
encrypted with AES-256-GCM under a key derived (HKDF-SHA256, label ``ENCRYPTION_LABEL``) from the account's
*transfer key*: 32 random bytes the server creates with the account and hands to the laptop at each online
log-in (``transfer_key`` in the ``/auth/token`` answer). The header is GCM's associated data, so GCM's tag is
the one integrity check: a changed byte anywhere in the file, or another account's key, and nothing opens.

Version 1 files (signed or checksummed, not encrypted) are refused both ways: the laptop keeps every batch
until its receipt is applied, so after updating fieldapp there, exporting again writes the very same batches
(same ``batch_id``: the server answers a resend with the receipt it stored). A laptop that never logged in
online has no transfer key and writes no file: a lost stick must never expose a NIK. The server CLI reads and
writes these files with this same code.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from fieldapp.errors import UserFacingError

VERSION = 2
LEGACY_VERSION = 1  # signed but readable by anyone who finds the stick: refused since version 2
BATCH_FORMAT = "fieldapp-batch"
RECEIPT_FORMAT = "fieldapp-receipt"
CIPHER = "AES-256-GCM"
ENCRYPTION_LABEL = b"fieldapp transfer file v2: AES-256-GCM content key"
MAX_FILE_BYTES = 64 * 1024 * 1024
_NAME = re.compile(r"[\x21-\x7e]{1,64}\Z")  # batch ids, usernames, key ids: short printable ASCII
_HEADER = ("format", "version", "batch_id", "username", "key_id", "cipher", "nonce")


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

    def cipher(self) -> AESGCM:
        return AESGCM(HKDF(SHA256(), 32, salt=None, info=ENCRYPTION_LABEL).derive(self.key))


@dataclass(frozen=True, slots=True)
class SealedFile:
    """A transfer file whose header was read; ``open`` decrypts and authenticates its content."""

    path: Path
    format: str
    batch_id: str
    username: str
    key_id: str
    _aad: bytes
    _nonce: bytes
    _ciphertext: bytes

    def open(self, key: TransferKey) -> dict:
        """The content (batch or receipt); ``TransferError`` unless ``key`` sealed exactly these bytes."""
        if key.key_id != self.key_id:
            raise TransferError(
                f"Berkas {self.path.name} dikunci untuk akun {self.username}, bukan untuk akun ini.",
                f"{self.path.name} is locked for the account {self.username}, not for this one.",
                code="transfer_key")
        try:
            content = json.loads(key.cipher().decrypt(self._nonce, self._ciphertext, self._aad))
        except InvalidTag:
            raise TransferError(
                f"Berkas {self.path.name} tidak dapat dibuka: isinya diubah atau rusak, atau kunci akun ini "
                "bukan kunci yang menguncinya. Tidak ada data yang diproses.",
                f"{self.path.name} cannot be opened: it was altered or damaged, or this account's key is not the "
                "one that locked it. Nothing was processed.", code="transfer_integrity") from None
        if not isinstance(content, dict) or content.get("batch_id") != self.batch_id:
            raise _format_error(self.path, self.format)
        return content


BatchFile = SealedFile  # the name ``fieldapp.sync`` exports


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode("ascii")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes | None:
    """Strict base64: only the one canonical spelling of the bytes (so no byte of the file is slack)."""
    if not isinstance(text, str) or not text.isascii():
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if _b64(raw) == text else None


def _format_error(path: Path, fmt: str) -> TransferError:
    what = ("kiriman", "batch") if fmt == BATCH_FORMAT else ("tanda terima", "receipt")
    return TransferError(f"Berkas {path.name} bukan berkas {what[0]} fieldapp yang sah.",
                         f"{path.name} is not a valid fieldapp {what[1]} file.", code="transfer_format")


def _version_error(version: object) -> TransferError:
    if version == LEGACY_VERSION:
        return TransferError(
            "Berkas ini format lama (tidak terenkripsi) dan tidak diterima lagi. Perbarui fieldapp di laptop lalu "
            "ekspor ulang: kiriman yang sama ditulis lagi (batch_id sama), tidak ada yang hilang atau ganda. Hapus "
            "berkas lama dari flashdisk.",
            "This file has the old, unencrypted format and is no longer accepted. Update fieldapp on the laptop "
            "and export again: the same batches are written again (same batch_id), nothing is lost or doubled. "
            "Delete the old file from the stick.", code="transfer_legacy")
    shown = version if isinstance(version, int) else "?"
    return TransferError(f"Versi berkas {shown} tidak didukung; perbarui aplikasi.",
                         f"File version {shown} is not supported; update the software.", code="transfer_version")


def _write(doc: dict, path: str | os.PathLike) -> Path:
    """Write atomically (temporary file, fsync, rename): a stick pulled out early leaves no half file."""
    path = Path(path)
    data = json.dumps(doc, indent=1).encode("ascii") + b"\n"
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


def _seal(fmt: str, content: dict, key: TransferKey, username: str) -> dict:
    if not isinstance(key, TransferKey):
        raise TransferError("Tanpa kunci transfer akun, berkas tidak dapat dikunci.",
                            "Without the account's transfer key the file cannot be locked.", code="no_transfer_key")
    header = {"format": fmt, "version": VERSION, "batch_id": content["batch_id"], "username": username,
              "key_id": key.key_id, "cipher": CIPHER, "nonce": _b64(os.urandom(12))}
    plaintext = json.dumps(content, separators=(",", ":")).encode("ascii")  # \u escapes: any str round-trips
    sealed = key.cipher().encrypt(base64.b64decode(header["nonce"]), plaintext, _canonical(header))
    return {**header, "ciphertext": _b64(sealed)}


def _read(path: str | os.PathLike, fmt: str) -> SealedFile:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _format_error(path, fmt)
        doc = json.loads(path.read_bytes())
    except OSError as exc:
        raise TransferError(f"Berkas {path} tidak dapat dibaca: {exc.strerror}.",
                            f"Cannot read {path}: {exc.strerror}.", code="transfer_unreadable") from None
    except (ValueError, RecursionError):
        raise _format_error(path, fmt) from None
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        raise _format_error(path, fmt)
    if doc.get("version") != VERSION:
        raise _version_error(doc.get("version"))
    header = {k: v for k, v in doc.items() if k != "ciphertext"}
    nonce, ciphertext = _unb64(doc.get("nonce")), _unb64(doc.get("ciphertext"))
    if (set(header) != set(_HEADER) or doc.get("cipher") != CIPHER or nonce is None or len(nonce) != 12
            or ciphertext is None or not all(isinstance(doc.get(k), str) and _NAME.match(doc[k])
                                             for k in ("batch_id", "username", "key_id"))):
        raise _format_error(path, fmt)
    return SealedFile(path, fmt, doc["batch_id"], doc["username"], doc["key_id"], _canonical(header), nonce,
                      ciphertext)


def write_batch_file(batch: dict, path: str | os.PathLike, key: TransferKey, *, username: str) -> Path:
    return _write(_seal(BATCH_FORMAT, batch, key, username), path)


def read_batch_file(path: str | os.PathLike) -> SealedFile:
    """Read the clear header (``key_id`` and ``username`` pick the key); ``SealedFile.open`` gives the batch."""
    return _read(path, BATCH_FORMAT)


def write_receipt_file(receipt: dict, path: str | os.PathLike, key: TransferKey, *, username: str) -> Path:
    return _write(_seal(RECEIPT_FORMAT, receipt, key, username), path)


def read_receipt_file(path: str | os.PathLike, key: TransferKey) -> dict:
    """The receipt, opened with the account's ``key``."""
    return _read(path, RECEIPT_FORMAT).open(key)
