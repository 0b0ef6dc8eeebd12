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
from fieldapp.server.models import ROLES, revoked_tokens, tokens, users

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


_REJECTIONS = {
    "expired": ("Sesi sudah berakhir; silakan masuk lagi.", "The session has expired; log in again."),
    "invalid": ("Token tidak sah; silakan masuk lagi.", "Invalid token; log in again."),
    "revoked": ("Sesi ini sudah diakhiri (keluar atau dicabut admin); silakan masuk lagi.",
                "This session was ended (logged out or revoked by the administrator); log in again."),
}


class TokenRejected(UserFacingError):
    def __init__(self, reason: str):
        super().__init__(*_REJECTIONS[reason], code=f"token_{reason}")


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
        for table in (tokens, revoked_tokens):  # housekeeping
            conn.execute(table.delete().where(table.c.expires_at < now - dt.timedelta(days=7)))
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
        with engine.connect() as conn:
            revoked = conn.execute(select(revoked_tokens.c.token_hash)
                                   .where(revoked_tokens.c.token_hash == _token_hash(token))).first()
        raise TokenRejected("revoked" if revoked else "invalid")
    if as_utc(row.expires_at) <= utcnow():
        raise TokenRejected("expired")
    return _user(row), row.device_id


def _revoke(conn, where, reason: str) -> int:
    """Move the matching tokens to ``revoked_tokens``: from now on they are answered with ``token_revoked``."""
    rows = conn.execute(select(tokens.c.token_hash, tokens.c.user_id, tokens.c.expires_at).where(where)).all()
    if rows:
        now = utcnow()
        conn.execute(insert(revoked_tokens), [dict(token_hash=r.token_hash, user_id=r.user_id, revoked_at=now,
                                                   expires_at=r.expires_at, reason=reason) for r in rows])
        conn.execute(tokens.delete().where(tokens.c.token_hash.in_([r.token_hash for r in rows])))
    return len(rows)


def revoke_token(engine: Engine, token: str) -> bool:
    """Log-out: this one token stops working at once."""
    with write_transaction(engine) as conn:
        return _revoke(conn, tokens.c.token_hash == _token_hash(token), "logout") == 1


def _account(conn, username: str):
    row = conn.execute(select(users.c.id, users.c.active).where(users.c.username == username)).first()
    if row is None:
        raise AccountError(f"Pengguna {username!r} tidak ada.", f"No user {username!r}.", code="no_user")
    return row


def revoke_user_tokens(engine: Engine, username: str) -> int:
    """Every token of this account stops working (a lost laptop, a password that leaked); returns how many."""
    with write_transaction(engine) as conn:
        return _revoke(conn, tokens.c.user_id == _account(conn, username).id, "revoked")


def deactivate_user(engine: Engine, username: str) -> int:
    """The account can no longer log in and its tokens are revoked; returns how many tokens were live."""
    with write_transaction(engine) as conn:
        account = _account(conn, username)
        conn.execute(update(users).where(users.c.id == account.id).values(active=False))
        return _revoke(conn, tokens.c.user_id == account.id, "deactivated")
