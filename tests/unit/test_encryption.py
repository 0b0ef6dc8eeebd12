"""Encryption at rest: nothing under the data directory in clear, key slots per user, the plain-store migration,
a full disk. All on real files."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import event

from fieldapp.db.engine import is_plain, store_path
from fieldapp.db.keyring import LOCK_AFTER, keys_path
from fieldapp.domain.participant import SearchQuery
from fieldapp.errors import AuthenticationFailed, PermissionDenied, UserFacingError
from fieldapp.services import accounts, audit, backup, enrolment, participants
from fieldapp.services.workspace import Workspace
from tests.conftest import PASSWORD, open_as, raw_connect
from tests.factories import enrolment as make
from tests.factories import nik_for
from tests.unit.test_cli import run

DATA = Path(__file__).resolve().parent.parent / "data"
GIVEN = ("Wulandari", "Kusnadi", "Sumarni", "Darsono", "Rohimah", "Jumadi", "Lestiani", "Tarmuji")


def letters(i: int) -> str:
    return chr(65 + i // 26 % 26) + chr(97 + i % 26) + chr(97 + i // 676 % 26)


def enrol_known_people(ws: Workspace, n: int = 24) -> list[tuple[str, str]]:
    people = []
    for i in range(1, n + 1):
        name = f"{GIVEN[i % len(GIVEN)]} Pratiwisari{letters(i)}"
        nik = nik_for(dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28), "LP"[i % 2], 100 + i)
        p = enrolment.enrol(ws, replace(make(), full_name=name, nik=nik, sex="LP"[i % 2],
                                        birth_date=dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28),
                                        heir_name=f"Ahli Waris{letters(i)} Sukmajaya"))
        if i % 3 == 0:  # edits leave old versions in the WAL and free pages too
            enrolment.edit(ws, p.id, replace(p.data, street=f"Kp. Baru No. {i}"), expected_revision=p.revision)
        people.append((nik, name))
    return people


def scan(data_dir: Path, needles: list[bytes]) -> tuple[int, int, list[str]]:
    """(files, bytes scanned, 'file: needle' for every needle found in clear)."""
    files, size, found = 0, 0, []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        data = path.read_bytes()
        files, size = files + 1, size + len(data)
        found += [f"{path.name}: {n.decode()}" for n in needles if n in data]
    return files, size, found


def test_no_nik_or_name_in_clear_anywhere_under_the_data_directory(data_dir, tmp_path):
    ws = open_as(data_dir, "sup")
    people = enrol_known_people(ws)
    backup.backup_now(ws.store)
    backup.rolling_backup(ws.store)
    needles = [nik.encode() for nik, _ in people] + [name.encode() for _, name in people]
    needles += [name.split()[1].encode() for _, name in people] + [b"Sukmajaya"]
    open_files, open_bytes, found = scan(data_dir, needles)  # while the store is open: the WAL is there
    assert Path(f"{store_path(data_dir)}-wal").exists()
    assert found == []
    ws.close()
    files, size, found = scan(data_dir, needles)
    assert found == []
    assert files >= 5 and size > 100_000, (files, size)  # store, backups, key file and its copy were read
    # The same scan finds them in an unencrypted copy: the check can fail.
    plain = tmp_path / "plain.sqlite"
    with raw_connect(data_dir) as conn:
        conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain),))
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    assert is_plain(plain) and people[0][0].encode() in plain.read_bytes()
    print(f"scanned {open_files + files} files, {open_bytes + size:,} bytes, {len(needles)} needles: none found")


def test_each_user_has_a_key_slot_and_a_removed_user_has_none(data_dir):
    admin = open_as(data_dir, "admin")
    for name in ("sup", "petugas", "kerani"):
        open_as(data_dir, name).close()  # any user's log-in opens the store
    slots = keys_path(data_dir).read_text()
    assert "kerani" not in slots and "sealed" in slots  # slots are found by a digest, not the name
    accounts.remove_user(admin, "kerani")
    assert keys_path(data_dir).read_text().count('"sealed"') == slots.count('"sealed"') - 1
    with pytest.raises(AuthenticationFailed):
        open_as(data_dir, "kerani")
    assert [u.username for u in accounts.list_users(admin)] == ["admin", "petugas", "sup"]
    with open_as(data_dir, "sup") as sup, pytest.raises(PermissionDenied):
        accounts.remove_user(sup, "admin")  # a supervisor manages officers and clerks only
    with open_as(data_dir, "petugas") as officer, pytest.raises(PermissionDenied):
        accounts.add_user(officer, "baru.sekali", PASSWORD, "officer")
    with pytest.raises(UserFacingError) as exc:
        accounts.add_user(admin, "baru.sekali", PASSWORD, "officer", area_code="9999")
    assert exc.value.field == "area_code"
    admin.close()


def test_changing_a_password_reseals_the_key(data_dir):
    ws = open_as(data_dir, "petugas")
    with pytest.raises(AuthenticationFailed):
        accounts.set_password(ws, "petugas", "kata-sandi-baru", current="salah-sekali")
    accounts.set_password(ws, "petugas", "kata-sandi-baru", current=PASSWORD)
    with pytest.raises(PermissionDenied):
        accounts.set_password(ws, "kerani", "kata-sandi-baru")
    ws.close()
    with pytest.raises(AuthenticationFailed):
        open_as(data_dir, "petugas")
    Workspace.open(data_dir, "petugas", "kata-sandi-baru").close()
    with open_as(data_dir, "sup") as sup:  # a supervisor resets an officer's password without knowing it
        accounts.set_password(sup, "petugas", "diganti-kepala")
        new = accounts.add_user(sup, "petugas.tiga", "sandi-awal-123", "officer", area_code="3216")
    assert new.role == "officer"
    Workspace.open(data_dir, "petugas", "diganti-kepala").close()
    Workspace.open(data_dir, "petugas.tiga", "sandi-awal-123").close()


def test_failed_log_ins_lock_the_slot_and_reach_the_audit_trail_later(data_dir):
    for _ in range(LOCK_AFTER):
        with pytest.raises(AuthenticationFailed):
            Workspace.open(data_dir, "petugas", "salah-salah")
    with pytest.raises(UserFacingError) as exc:
        open_as(data_dir, "petugas")  # the right password, but locked
    assert exc.value.code == "locked"
    with pytest.raises(AuthenticationFailed):
        Workspace.open(data_dir, "nobody", "salah-salah")
    ws = open_as(data_dir, "sup")  # the next log-in writes what happened while the store was shut
    with ws.store.sessions() as s:
        actions = [(e.username, e.action) for e in s.scalars(audit.select(audit.m.AuditEvent))]
        assert audit.verify(s) is None
    assert actions.count(("petugas", "login_failed")) == LOCK_AFTER
    assert ("petugas", "login_locked") in actions and ("nobody", "login_failed") in actions
    ws.close()


def test_a_plain_store_is_encrypted_in_place_and_its_users_keep_their_passwords(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(DATA / "store-0005.sqlite", store_path(data_dir))
    (data_dir / "backups").mkdir()
    shutil.copy(DATA / "store-0005.sqlite", data_dir / "backups" / "fieldapp-daily-20260101-000000.sqlite")
    ws = Workspace.open(data_dir, "petugas", PASSWORD)
    assert participants.count(ws, SearchQuery()) == 3
    ws.close()
    Workspace.open(data_dir, "sup", PASSWORD).close()  # the other account's slot came from its password hash
    _files, _size, found = scan(data_dir, [b"Siti Aminah", b"3216065304850011", b"Budi Santoso"])
    assert found == []
    names = " ".join(p.name for p in backup.list_backups(data_dir))
    assert "-daily-" in names and "-pre-encrypt-" in names, names  # the old plain backup, encrypted too
    assert all(backup.check(p, accounts.unlock(data_dir, "sup", PASSWORD)) == "ok"
               for p in backup.list_backups(data_dir))


def test_key_file_missing_or_damaged_is_a_clear_message(data_dir):
    keys = keys_path(data_dir)
    keys.write_text("{not json")
    with pytest.raises(UserFacingError) as exc:
        open_as(data_dir, "sup")
    assert exc.value.code == "keys_damaged" and "backups" in exc.value.indonesian
    keys.unlink()
    with pytest.raises(UserFacingError) as exc:
        open_as(data_dir, "sup")
    assert exc.value.code == "keys_missing"
    shutil.copy(data_dir / "backups" / keys.name, keys)  # the copy kept with the backups opens it again
    open_as(data_dir, "sup").close()


def test_a_full_disk_is_a_clear_message_and_loses_nothing_saved(officer, data_dir):
    engine = officer.store.engine
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    engine.pool.dispose()  # from now on the "disk" holds only a few more pages
    event.listen(engine, "connect", lambda dbapi, _r: dbapi.execute(f"PRAGMA max_page_count = {pages + 3}"))
    saved = []
    with pytest.raises(UserFacingError) as exc:
        for i in range(1, 500):
            e = replace(make(), full_name=f"Warga Penuh{letters(i)}", nik=nik_for(dt.date(1980, 1, 1 + i % 28), "L", i))
            saved.append(enrolment.enrol(officer, e))
    assert exc.value.code == "disk_full" and "BELUM tersimpan" in exc.value.indonesian
    assert "disk is full" in exc.value.english
    assert saved, "the disk filled before any save: the test proves nothing"
    with raw_connect(data_dir) as conn:  # every confirmed save is there, and nothing of the refused one
        assert {n for (n,) in conn.execute("SELECT nik FROM participants")} == {p.data.nik for p in saved}


def test_users_command_adds_repasswords_and_removes_accounts(data_dir):
    d = ["--data-dir", str(data_dir)]
    r = run("users", "add", "ojek.satu", "--role", "officer", "--area", "3216", "--new-password-stdin", *d,
            "--user", "sup", "--password-stdin", stdin=f"{PASSWORD}\nsandi-ojek-satu\n")
    assert r.returncode == 0, r.stderr
    Workspace.open(data_dir, "ojek.satu", "sandi-ojek-satu").close()
    r = run("users", "add", "raja", "--role", "admin", "--new-password-stdin", *d, "--user", "sup",
            "--password-stdin", stdin=f"{PASSWORD}\nsandi-raja-123\n")
    assert r.returncode == 2 and "menambah pengguna berperan admin" in r.stderr  # supervisors: officers, clerks
    env = {"FIELDAPP_USER": "ojek.satu", "FIELDAPP_PASSWORD": "sandi-ojek-satu",
           "FIELDAPP_NEW_PASSWORD": "lebih-panjang"}
    assert run("users", "password", "ojek.satu", *d, env=env).returncode == 0
    Workspace.open(data_dir, "ojek.satu", "lebih-panjang").close()
    admin = {"FIELDAPP_USER": "admin", "FIELDAPP_PASSWORD": PASSWORD}
    r = run("users", "list", *d, env=admin)
    assert r.returncode == 0 and "ojek.satu\tofficer\t3216" in r.stdout
    assert run("users", "remove", "ojek.satu", *d, env=admin).returncode == 0
    with pytest.raises(AuthenticationFailed):
        Workspace.open(data_dir, "ojek.satu", "lebih-panjang")


def test_logs_under_the_data_directory_hold_no_nik(officer, data_dir):
    import logging

    from sqlalchemy.exc import IntegrityError

    from fieldapp import buildinfo

    path = buildinfo.start_file_log(data_dir)
    person = enrolment.enrol(officer, make())
    try:
        with officer.store.engine.begin() as conn, pytest.raises(IntegrityError) as exc:
            conn.exec_driver_sql("INSERT INTO participants (uuid, nik) VALUES ('x', ?)", (person.data.nik,))
        assert person.data.nik not in str(exc.value)  # the engine hides statement parameters
        logging.getLogger("fieldapp.test").error("saving %s failed: %s", person.data.nik, exc.value)
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "baseFilename", None) == str(path):
                logging.getLogger().removeHandler(handler)
                handler.close()
    text = path.read_text(encoding="utf-8")
    assert "saving 3216********0003 failed" in text and person.data.nik not in text
