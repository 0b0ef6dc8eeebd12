"""Accounts of the local store: creating the store and its first supervisor, users, log-in."""

from __future__ import annotations

import datetime as dt
import platform
import uuid
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, true

from fieldapp.db import models as m
from fieldapp.db import regions as region_repo
from fieldapp.db.engine import Store, StoreError, open_store, store_path
from fieldapp.db.timeutil import aware, utcnow
from fieldapp.domain.participant import ROLES, UserInfo
from fieldapp.errors import AuthenticationFailed, UserFacingError
from fieldapp.services import audit

# argon2id, memory-hard (64 MiB, 3 passes): the library's recommended profile (RFC 9106 "second choice").
_hasher = PasswordHasher()
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_new_account(username: str, password: str, role: str) -> None:
    if not username or not username.replace("_", "").replace(".", "").isalnum() or len(username) > 64:
        raise UserFacingError(
            "Nama pengguna hanya huruf/angka (boleh . dan _).",
            "A username holds letters and digits only (. and _ allowed).",
            field="username",
        )
    if len(password) < MIN_PASSWORD:
        raise UserFacingError(
            f"Kata sandi minimal {MIN_PASSWORD} karakter.",
            f"A password has at least {MIN_PASSWORD} characters.",
            field="password",
        )
    if role not in ROLES:
        raise UserFacingError(f"Peran tidak dikenal: {role}.", f"Unknown role: {role}.", field="role")


def init_store(
    data_dir: Path, username: str, password: str, *, full_name: str = "", device_name: str | None = None
) -> Store:
    """Create a new store with its region list, this device and the first supervisor."""
    if store_path(data_dir).exists():
        raise StoreError(
            f"Sudah ada penyimpanan data di {data_dir}.",
            f"A data store already exists in {data_dir}.",
            code="store_exists",
        )
    _check_new_account(username, password, "supervisor")
    store = open_store(data_dir, create=True)
    with store.sessions.begin() as session:
        region_repo.load(session.connection())
        device_uuid = str(uuid.uuid4())
        session.add(
            m.Device(
                device_uuid=device_uuid,
                code=device_uuid[:4].upper(),
                name=device_name or platform.node() or "laptop",
                is_this_device=True,
            )
        )
        session.add(
            m.User(
                username=username,
                full_name=full_name or username,
                role="supervisor",
                password_hash=hash_password(password),
                created_at=utcnow(),
            )
        )
        audit.record(session, username, "init_store")
    return store


def add_user(
    store: Store,
    actor: str,
    username: str,
    password: str,
    role: str,
    *,
    full_name: str = "",
    area_code: str | None = None,
) -> UserInfo:
    _check_new_account(username, password, role)
    with store.sessions.begin() as session:
        if session.scalar(select(func.count()).where(m.User.username == username)):
            raise UserFacingError(
                f"Nama pengguna {username} sudah dipakai.", f"Username {username} is taken.", field="username"
            )
        user = m.User(
            username=username,
            full_name=full_name or username,
            role=role,
            area_code=area_code,
            password_hash=hash_password(password),
            created_at=utcnow(),
        )
        session.add(user)
        session.flush()
        audit.record(session, actor, "add_user", "user", user.id, role=role)
        return _info(user)


def _info(user: m.User) -> UserInfo:
    return UserInfo(user.id, user.username, user.full_name, user.role, user.area_code)


LOCK_AFTER = 5  # failed log-ins in a row
LOCK_MINUTES = 5  # doubled for each further failure, at most a day


def authenticate(store: Store, username: str, password: str) -> UserInfo:
    """The user, if the password is right; the same error whether the name or the password was wrong.

    After LOCK_AFTER failures in a row the account is locked for a while, longer each time.
    """
    now = utcnow()
    with store.sessions() as session:
        user = session.scalar(select(m.User).where(m.User.username == username, m.User.active == true()))
        if user is not None and user.locked_until is not None and aware(user.locked_until) > now:
            audit.record(session, username, "login_locked")
            session.commit()
            until = aware(user.locked_until).astimezone()
            raise UserFacingError(
                f"Akun ini dikunci sementara karena terlalu banyak salah kata sandi. Coba lagi setelah {until:%H:%M}.",
                f"This account is locked for a while after too many wrong passwords. Try again after {until:%H:%M}.",
                code="locked",
            )
        try:
            _hasher.verify(user.password_hash if user else _dummy_hash(), password)  # same cost either way
            if user is None:
                raise VerificationError
        except (VerificationError, InvalidHashError):
            if user is not None:
                user.failed_logins += 1
                if user.failed_logins >= LOCK_AFTER:
                    minutes = min(LOCK_MINUTES * 2 ** (user.failed_logins - LOCK_AFTER), 24 * 60)
                    user.locked_until = now + dt.timedelta(minutes=minutes)
            audit.record(session, username[:64], "login_failed")
            session.commit()
            raise AuthenticationFailed() from None
        user.failed_logins, user.locked_until = 0, None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        audit.record(session, username, "login")
        session.commit()
        return _info(user)


def confirm_password(store: Store, username: str, password: str) -> None:
    """Check a logged-in user's password again (the idle lock); failures count towards the lockout."""
    authenticate(store, username, password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password")


def list_users(store: Store) -> list[UserInfo]:
    with store.sessions() as session:
        return [_info(u) for u in session.scalars(select(m.User).order_by(m.User.username))]


def role_in_file(path: Path, username: str, password: str) -> str:
    """The user's role in a store file (a backup, before it is restored), if the password is right."""
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT password_hash, role FROM users WHERE username = ? AND active = 1",
                           (username,)).fetchone()
    finally:
        conn.close()
    try:
        _hasher.verify(row[0] if row else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        raise AuthenticationFailed() from None
    if row is None:
        raise AuthenticationFailed()
    return row[1]
