"""Accounts of the local store: creating the (encrypted) store and its first supervisor, users, log-in.

A log-in is the opening of the user's key slot (``fieldapp.db.keyring``): the password that unwraps the data key
is the right one, so there is one password check, done before the store can even be read.
"""

from __future__ import annotations

import platform
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select, true

from fieldapp.db import models as m
from fieldapp.db import regions as region_repo
from fieldapp.db.engine import (
    Store,
    StoreError,
    connect,
    is_plain,
    open_store,
    refuse_newer_plain,
    require_store,
    store_path,
)
from fieldapp.db.keyring import KeyRing, keys_path, new_data_key
from fieldapp.db.timeutil import utcnow
from fieldapp.domain import regions
from fieldapp.domain.participant import ROLES, UserInfo
from fieldapp.errors import AuthenticationFailed, PermissionDenied, UserFacingError
from fieldapp.services import audit

if TYPE_CHECKING:
    from fieldapp.services.workspace import Workspace

MIN_PASSWORD = 8
IN_KEY_FILE = "(keyring)"  # users.password_hash: passwords are checked by their key slot, not stored here


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
    """Create a new encrypted store with its region list, this device and the first supervisor."""
    if store_path(data_dir).exists():
        raise StoreError(
            f"Sudah ada penyimpanan data di {data_dir}.",
            f"A data store already exists in {data_dir}.",
            code="store_exists",
        )
    _check_new_account(username, password, "supervisor")
    key = new_data_key()
    KeyRing(keys_path(data_dir)).set_password(username, password, key)
    store = open_store(data_dir, key, create=True)
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
                password_hash=IN_KEY_FILE,
                created_at=utcnow(),
            )
        )
        audit.record(session, username, "init_store")
    return store


def create_user(
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
            password_hash=IN_KEY_FILE,
            created_at=utcnow(),
        )
        session.add(user)
        session.flush()
        audit.record(session, actor, "add_user", "user", user.id, role=role)
        _ring(store.data_dir).set_password(username, password, store.key)  # before the commit: both or neither
        return _info(user)


def _info(user: m.User) -> UserInfo:
    return UserInfo(user.id, user.username, user.full_name, user.role, user.area_code)


def _ring(data_dir: Path) -> KeyRing:
    ring = KeyRing.load(data_dir)
    if ring is None:
        ring = _adopt_plain_store(data_dir)
    return ring


def _adopt_plain_store(data_dir: Path) -> KeyRing:
    """The key file for a store made before encryption: a new data key, sealed for every account under its
    existing password hash; the store itself is encrypted by ``open_store`` right after."""
    path = require_store(data_dir)
    if not is_plain(path):
        raise StoreError(
            f"Berkas kunci {keys_path(data_dir).name} hilang dari {data_dir}. Salin kembali dari folder backups.",
            f"The key file {keys_path(data_dir).name} is missing from {data_dir}. Copy it back from the backups "
            "folder.",
            code="keys_missing",
        )
    import sqlcipher3.dbapi2 as sqlcipher

    refuse_newer_plain(path)  # no key file beside a store this app will not open
    conn = sqlcipher.connect(str(path))
    try:
        users = conn.execute("SELECT username, password_hash FROM users WHERE active = 1").fetchall()
    finally:
        conn.close()
    ring, key = KeyRing(keys_path(data_dir)), new_data_key()
    for username, phc in users:
        ring.adopt(username, phc, key)
    ring.save()
    return ring


def unlock(data_dir: Path, username: str, password: str) -> bytes:
    """The store's data key, if ``password`` is ``username``'s (failures count towards the lockout)."""
    return _ring(data_dir).unlock(username, password)


def log_in(data_dir: Path, username: str, password: str) -> tuple[Store, UserInfo]:
    """Open the store as ``username``. The same error whether the name or the password was wrong; after
    repeated failures the account is locked for a while, longer each time."""
    ring = _ring(data_dir)
    store = open_store(Path(data_dir), ring.unlock(username, password))
    try:
        with store.sessions.begin() as session:
            written = _write_pending(session, ring)
            user = session.scalar(select(m.User).where(m.User.username == username, m.User.active == true()))
            if user is None:
                raise AuthenticationFailed()
            audit.record(session, username, "login")
            info = _info(user)
        if written:
            ring.save()
        return store, info
    except BaseException:
        store.close()
        raise


def confirm_password(store: Store, username: str, password: str) -> None:
    """Check a logged-in user's password again (the idle lock); failures count towards the lockout."""
    ring = _ring(store.data_dir)
    if ring.unlock(username, password) != store.key:
        raise AuthenticationFailed()
    with store.sessions.begin() as session:
        written = _write_pending(session, ring)
        audit.record(session, username, "unlock")
    if written:
        ring.save()


def _write_pending(session, ring: KeyRing) -> bool:
    """Write what happened while the store was shut (failed log-ins, lockouts) into the audit trail; the caller
    saves the key file after the commit when there was anything."""
    events = ring.take_pending()
    for event in events:
        audit.record(session, event["username"], event["action"], at=event["at"])
    return bool(events)


# --- account management, for supervisors (officers and clerks) and admins (everyone) ------------------------------

MANAGED_BY = {"admin": set(ROLES), "supervisor": {"officer", "clerk"}}


def _may_manage(ws: Workspace, role: str, action: tuple[str, str]) -> None:
    if role not in MANAGED_BY.get(ws.user.role, ()):
        raise PermissionDenied(*action)


def _active(session, username: str) -> m.User:
    user = session.scalar(select(m.User).where(m.User.username == username, m.User.active == true()))
    if user is None:
        raise UserFacingError(f"Pengguna {username} tidak ada.", f"No user {username}.", field="username")
    return user


def list_users(ws: Workspace) -> list[UserInfo]:
    ws.require("supervisor", "admin", action=("melihat daftar pengguna", "list the users"))
    with ws.store.sessions() as session:
        query = select(m.User).where(m.User.active == true()).order_by(m.User.username)
        return [_info(u) for u in session.scalars(query)]


def add_user(ws: Workspace, username: str, password: str, role: str, *, full_name: str = "",
             area_code: str | None = None) -> UserInfo:
    """A new account with its own key slot: an admin adds anyone, a supervisor officers and clerks."""
    _may_manage(ws, role, (f"menambah pengguna berperan {role}", f"add a user with the role {role}"))
    area_code = regions.compact(area_code or "").strip() or None
    if area_code and not regions.is_known(area_code):
        raise UserFacingError(f"Kode wilayah {area_code} tidak dikenal; isi kode provinsi, kabupaten/kota, kecamatan "
                              "atau desa (mis. 3216), atau kosongkan untuk semua wilayah.",
                              f"Unknown region code {area_code}; give a province, regency/city, district or village "
                              "code (e.g. 3216), or leave it empty for every area.", field="area_code")
    return create_user(ws.store, ws.user.username, username, password, role, full_name=full_name,
                       area_code=area_code)


def set_password(ws: Workspace, username: str, password: str, *, current: str = "") -> None:
    """Change a password: one's own (with the current one), or that of an account one manages. The data key is
    re-sealed under the new password; the old one no longer opens the store."""
    _check_new_account(username, password, "officer")  # before the current password: no argon2 for nothing
    if username == ws.user.username:
        confirm_password(ws.store, username, current)
    with ws.store.sessions.begin() as session:
        user = _active(session, username)
        if username != ws.user.username:
            _may_manage(ws, user.role, ("mengganti kata sandi pengguna ini", "change this user's password"))
        audit.record(session, ws.user.username, "set_password", "user", user.id)
        _ring(ws.data_dir).set_password(username, password, ws.store.key)  # before the commit: both or neither


def remove_user(ws: Workspace, username: str) -> None:
    """Deactivate an account and remove its key slot: that password no longer opens the store."""
    if username == ws.user.username:
        raise UserFacingError("Anda tidak dapat menghapus akun sendiri.", "You cannot remove your own account.",
                              field="username")
    with ws.store.sessions.begin() as session:
        user = _active(session, username)
        _may_manage(ws, user.role, ("menghapus pengguna ini", "remove this user"))
        user.active = False
        audit.record(session, ws.user.username, "remove_user", "user", user.id)
        _ring(ws.data_dir).remove(username)


def role_in_file(path: Path, key: bytes, username: str) -> str | None:
    """The user's role in another store file opened with the data key (a backup, before it is restored)."""
    conn = connect(path, key, pragmas=False, readonly=True)
    try:
        row = conn.execute("SELECT role FROM users WHERE username = ? AND active = 1", (username,)).fetchone()
    finally:
        conn.close()
    return row[0] if row else None
