"""Accounts and bearer tokens: argon2id password hashes, random tokens stored only as SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from fieldapp.errors import UserFacingError
from fieldapp.server.db import as_utc, utcnow, write_transaction
from fieldapp.server.models import ROLES, tokens, users

_hasher = PasswordHasher()  # argon2id, the library's RFC 9106 low-memory profile


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so a wrong name costs as long as a wrong password."""
    return _hasher.hash("not a real password")


MIN_PASSWORD = 8
_USERNAME = re.compile(r"[A-Za-z0-9._@-]{1,64}\Z")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    role: str
    transfer_key_id: str
    transfer_key: bytes


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: dt.datetime
    user: User


class AccountError(UserFacingError):
    pass


class TokenRejected(UserFacingError):
    def __init__(self, expired: bool):
        if expired:
            super().__init__("Sesi sudah berakhir; silakan masuk lagi.", "The session has expired; log in again.",
                             code="token_expired")
        else:
            super().__init__("Token tidak sah; silakan masuk lagi.", "Invalid token; log in again.",
                             code="token_invalid")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _user(row) -> User:
    return User(row.id, row.username, row.role, row.transfer_key_id, bytes(row.transfer_key))


def add_user(engine: Engine, username: str, role: str, password: str) -> User:
    username = username.strip()
    if not _USERNAME.match(username):
        raise AccountError("Nama pengguna 1-64 karakter: huruf, angka, titik, garis bawah, @ atau tanda hubung.",
                           "A username is 1-64 characters: letters, digits, dot, underscore, @ or hyphen.",
                           code="bad_username")
    if role not in ROLES:
        raise AccountError(f"Peran harus salah satu dari: {', '.join(ROLES)}.",
                           f"The role must be one of: {', '.join(ROLES)}.", code="bad_role")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Kata sandi minimal {MIN_PASSWORD} karakter.",
                           f"A password has at least {MIN_PASSWORD} characters.", code="weak_password")
    values = dict(username=username, role=role, password_hash=_hasher.hash(password),
                  transfer_key_id=secrets.token_hex(8), transfer_key=secrets.token_bytes(32), active=True,
                  created_at=utcnow())
    try:
        with write_transaction(engine) as conn:
            new_id = conn.execute(insert(users).values(**values).returning(users.c.id)).scalar_one()
    except IntegrityError:
        raise AccountError(f"Pengguna {username!r} sudah ada.", f"User {username!r} already exists.",
                           code="user_exists") from None
    return User(new_id, username, role, values["transfer_key_id"], values["transfer_key"])


def get_user(engine: Engine, username: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username, users.c.active)).first()
    return _user(row) if row else None


def user_by_transfer_key(engine: Engine, key_id: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.transfer_key_id == key_id, users.c.active)).first()
    return _user(row) if row else None


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username, users.c.active)).first()
    try:
        _hasher.verify(row.password_hash if row else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        with write_transaction(engine) as conn:
            conn.execute(update(users).where(users.c.id == row.id).values(password_hash=_hasher.hash(password)))
    return _user(row)


def issue_token(engine: Engine, user: User, device_id: str, ttl: dt.timedelta) -> IssuedToken:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + ttl
    with write_transaction(engine) as conn:
        conn.execute(tokens.delete().where(tokens.c.expires_at < now - dt.timedelta(days=7)))  # housekeeping
        conn.execute(insert(tokens).values(token_hash=_token_hash(token), user_id=user.id, device_id=device_id,
                                           created_at=now, expires_at=expires))
    return IssuedToken(token, expires, user)


def user_for_token(engine: Engine, token: str) -> tuple[User, str]:
    """The user and device a bearer token belongs to; ``TokenRejected`` when unknown or expired."""
    with engine.connect() as conn:
        row = conn.execute(
            select(users, tokens.c.expires_at, tokens.c.device_id)
            .join(tokens, tokens.c.user_id == users.c.id)
            .where(tokens.c.token_hash == _token_hash(token), users.c.active)
        ).first()
    if row is None:
        raise TokenRejected(expired=False)
    if as_utc(row.expires_at) <= utcnow():
        raise TokenRejected(expired=True)
    return _user(row), row.device_id
