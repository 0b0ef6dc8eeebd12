"""Key slots of an encrypted store: one random data key, wrapped for each user by a key made from their password.

The store is encrypted with SQLCipher under a random 256-bit data key. The data key is never stored in clear: the
key file (``fieldapp.keys``, JSON, next to the store) holds it once per user, sealed with AES-256-GCM under a key
derived from that user's password with argon2id (memory-hard, 64 MiB). Any user's log-in opens the store;
removing a user removes their slot; changing a password re-wraps the key. A slot that unwraps *is* the password
check, so the lockout after repeated failures lives here too, and failed attempts wait in ``pending`` until the
next log-in writes them into the audit trail (the store cannot be opened without a good password).

A copy of the key file is kept in ``backups/`` (wrapped keys only): without it no backup could be opened.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fieldapp.errors import AuthenticationFailed, UserFacingError

KEYS_NAME = "fieldapp.keys"
KDF = {"t": 3, "m": 65536, "p": 4}  # argon2id, the parameters of RFC 9106's second recommended profile
LOCK_AFTER = 5  # failed log-ins in a row
LOCK_MINUTES = 5  # doubled for each further failure, at most a day
_AAD = b"fieldapp data key v1"


def keys_path(data_dir: Path) -> Path:
    return Path(data_dir) / KEYS_NAME


def new_data_key() -> bytes:
    return secrets.token_bytes(32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _slot_id(username: str) -> str:
    # Slots are found by a digest of the username, so the file does not list the accounts in clear.
    return hashlib.sha256(b"fieldapp-slot:" + username.encode()).hexdigest()[:32]


def _kek(password: str, salt: bytes, kdf: dict) -> bytes:
    return hash_secret_raw(password.encode(), salt, time_cost=kdf["t"], memory_cost=kdf["m"],
                           parallelism=kdf["p"], hash_len=32, type=Type.ID)


def _seal(kek: bytes, data_key: bytes) -> tuple[bytes, bytes]:
    nonce = secrets.token_bytes(12)
    return nonce, AESGCM(kek).encrypt(nonce, data_key, _AAD)


def make_slot(password: str, data_key: bytes) -> dict:
    salt = secrets.token_bytes(16)
    nonce, sealed = _seal(_kek(password, salt, KDF), data_key)
    return {"kdf": dict(KDF), "salt": _b64(salt), "nonce": _b64(nonce), "sealed": _b64(sealed)}


def slot_from_password_hash(phc: str, data_key: bytes) -> dict:
    """A slot for an account of a store made before encryption, from its argon2id hash (PHC string).

    argon2id(password, salt, parameters) *is* the digest in that hash, so the data key can be sealed under it
    without knowing the password; the slot is re-made with a fresh salt at the account's next log-in.
    """
    parts = phc.split("$")  # ['', 'argon2id', 'v=19', 'm=65536,t=3,p=4', salt, digest]
    if len(parts) != 6 or parts[1] != "argon2id":
        raise ValueError("not an argon2id hash")
    params = dict(p.split("=") for p in parts[3].split(","))
    digest = _unb64(parts[5])
    if len(digest) != 32:
        raise ValueError("unexpected digest length")
    nonce, sealed = _seal(digest, data_key)
    kdf = {"t": int(params["t"]), "m": int(params["m"]), "p": int(params["p"])}
    return {"kdf": kdf, "salt": _b64(_unb64(parts[4])), "nonce": _b64(nonce), "sealed": _b64(sealed), "legacy": True}


@cache
def _dummy_slot() -> dict:
    return make_slot("not-a-real-password", new_data_key())


class AccountLocked(UserFacingError):
    def __init__(self, until: dt.datetime) -> None:
        local = until.astimezone()
        super().__init__(
            f"Akun ini dikunci sementara karena terlalu banyak salah kata sandi. Coba lagi setelah {local:%H:%M}.",
            f"This account is locked for a while after too many wrong passwords. Try again after {local:%H:%M}.",
            code="locked",
        )


@dataclass
class KeyRing:
    """The key file of one data directory."""

    path: Path
    slots: dict[str, dict] = field(default_factory=dict)
    pending: list[dict] = field(default_factory=list)  # audit events that happened while the store was shut

    @classmethod
    def load(cls, data_dir: Path) -> KeyRing | None:
        path = keys_path(data_dir)
        if not path.exists():
            return None
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, dict(raw["slots"]), list(raw.get("pending", [])))
        except (ValueError, KeyError, TypeError) as exc:
            raise UserFacingError(
                f"Berkas kunci {path} rusak. Pulihkan salinannya dari folder backups (fieldapp.keys).",
                f"The key file {path} is damaged. Restore its copy from the backups folder (fieldapp.keys).",
                code="keys_damaged",
            ) from exc

    def save(self) -> None:
        """Atomically, to the data directory and to its copy under backups/."""
        text = json.dumps({"version": 1, "slots": self.slots, "pending": self.pending}, indent=1, sort_keys=True)
        for target in (self.path, self.path.parent / "backups" / KEYS_NAME):
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = target.with_suffix(".saving")
            with staging.open("w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            staging.replace(target)

    def has(self, username: str) -> bool:
        return _slot_id(username) in self.slots

    def unlock(self, username: str, password: str, now: dt.datetime | None = None) -> bytes:
        """The data key, if the password opens this user's slot. Same cost and error for an unknown user."""
        now = now or dt.datetime.now(dt.UTC)
        slot = self.slots.get(_slot_id(username))
        if slot and slot.get("locked_until") and dt.datetime.fromisoformat(slot["locked_until"]) > now:
            self._note(username, "login_locked", now)
            raise AccountLocked(dt.datetime.fromisoformat(slot["locked_until"]))
        try:
            used = slot or _dummy_slot()
            kek = _kek(password, _unb64(used["salt"]), used["kdf"])
            data_key = AESGCM(kek).decrypt(_unb64(used["nonce"]), _unb64(used["sealed"]), _AAD)
            if slot is None:
                raise InvalidTag
        except InvalidTag:
            if slot is not None:
                slot["failed"] = slot.get("failed", 0) + 1
                if slot["failed"] >= LOCK_AFTER:
                    minutes = min(LOCK_MINUTES * 2 ** (slot["failed"] - LOCK_AFTER), 24 * 60)
                    slot["locked_until"] = (now + dt.timedelta(minutes=minutes)).isoformat()
            self._note(username, "login_failed", now)
            raise AuthenticationFailed() from None
        if slot.get("failed") or slot.get("legacy"):
            self.slots[_slot_id(username)] = make_slot(password, data_key)  # fresh salt, counters cleared
            self.save()
        return data_key

    def _note(self, username: str, action: str, now: dt.datetime) -> None:
        self.pending.append({"at": now.isoformat(), "username": username[:64], "action": action})
        self.save()

    def take_pending(self) -> list[dict]:
        """The events waiting for the audit trail; the caller writes them, then calls ``save``."""
        events, self.pending = self.pending, []
        return events

    def set_password(self, username: str, password: str, data_key: bytes) -> None:
        self.slots[_slot_id(username)] = make_slot(password, data_key)
        self.save()

    def remove(self, username: str) -> None:
        self.slots.pop(_slot_id(username), None)
        self.save()

    def adopt(self, username: str, phc: str, data_key: bytes) -> None:
        self.slots[_slot_id(username)] = slot_from_password_hash(phc, data_key)
