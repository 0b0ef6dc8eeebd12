"""Backups, restore, the audit trail and the incident report, on real files."""

import csv
import datetime as dt
from dataclasses import replace

import pytest

from fieldapp.domain.participant import SearchQuery
from fieldapp.errors import UserFacingError
from fieldapp.services import audit, backup, enrolment, incident, participants
from tests.conftest import open_as, raw_connect
from tests.factories import enrolment as make
from tests.factories import nik_for
from tests.unit.test_cli import run


def _enrol(ws, n, start=1):
    return [
        enrolment.enrol(ws, replace(make(), full_name=f"Warga {chr(64 + i)}", nik=nik_for(dt.date(1980, 1, i), "L", i)))
        for i in range(start, start + n)
    ]


def test_rolling_backups_keep_seven_days_and_four_weeks(supervisor, data_dir):
    start = dt.date(2026, 1, 1)
    for day in range(40):
        backup.rolling_backup(supervisor.store, today=start + dt.timedelta(days=day))
    names = [p.name for p in backup.list_backups(data_dir)]
    assert sum("-daily-" in n for n in names) == 7
    assert sum("-weekly-" in n for n in names) == 4
    assert backup.rolling_backup(supervisor.store, today=start + dt.timedelta(days=39)) is None  # made today


def test_restore_checks_the_backup_and_keeps_the_replaced_store(officer, data_dir):
    _enrol(officer, 2)
    copy = backup.backup_now(officer.store)
    _enrol(officer, 1, start=3)
    key = officer.store.key
    officer.close()
    replaced = backup.restore(data_dir, copy, key)
    ws = open_as(data_dir, "petugas")
    assert participants.count(ws, SearchQuery()) == 2
    ws.close()
    with raw_connect(data_dir, replaced) as c:
        assert c.execute("SELECT count(*) FROM participants").fetchone() == (3,)
    damaged = data_dir / "damaged.sqlite"
    damaged.write_bytes(copy.read_bytes()[:8192] + b"\0garbage" * 1000)
    with pytest.raises(UserFacingError) as exc:
        backup.restore(data_dir, damaged, key)
    assert exc.value.code == "backup_damaged"


def test_audit_verify_finds_edited_deleted_and_reordered_entries(officer):
    _enrol(officer, 3)
    with officer.store.sessions() as s:
        ids = [e.id for e in s.scalars(audit.select(audit.m.AuditEvent).order_by(audit.m.AuditEvent.id))]
        assert audit.verify(s) is None
    engine = officer.store.engine
    with engine.begin() as c:  # delete one entry: the next one's link breaks
        c.exec_driver_sql("DELETE FROM audit_events WHERE id = ?", (ids[3],))
    with officer.store.sessions() as s:
        assert audit.verify(s) == ids[4]
    with engine.begin() as c:  # swap two entries: re-ordered
        c.exec_driver_sql("UPDATE audit_events SET id = -1 WHERE id = ?", (ids[1],))
        c.exec_driver_sql("UPDATE audit_events SET id = ? WHERE id = ?", (ids[1], ids[2]))
        c.exec_driver_sql("UPDATE audit_events SET id = ? WHERE id = -1", (ids[2],))
    with officer.store.sessions() as s:
        assert audit.verify(s) == ids[1]


def test_audit_and_backup_commands(data_dir, tmp_path):
    env = {"FIELDAPP_USER": "sup", "FIELDAPP_PASSWORD": "rahasia123"}
    r = run("audit", "verify", "--data-dir", str(data_dir), env=env)
    assert r.returncode == 0 and "utuh" in r.stdout
    out = tmp_path / "audit.csv"
    assert run("audit", "export", "--out", str(out), "--data-dir", str(data_dir), env=env).returncode == 0
    assert next(csv.reader(out.open(encoding="utf-8-sig")))[:4] == ["id", "at", "username", "action"]
    with raw_connect(data_dir) as c:
        c.execute("UPDATE audit_events SET action = 'nothing' WHERE id = 2")
    r = run("audit", "verify", "--data-dir", str(data_dir), env=env)
    assert r.returncode == 1 and "#2" in r.stderr
    assert run("backup", "--data-dir", str(data_dir), env=env).returncode == 0
    r = run("restore", "--data-dir", str(data_dir), env={**env, "FIELDAPP_USER": "petugas"})
    assert r.returncode == 2 and "supervisor" in r.stderr
    assert run("restore", "--data-dir", str(data_dir), env=env).returncode == 0


def test_incident_report_lists_everyone_the_device_held_masked(supervisor, data_dir, tmp_path):
    people = _enrol(supervisor, 3)
    backup.backup_now(supervisor.store)
    with supervisor.store.engine.begin() as c:  # gone from the store, still in the backup on this disk
        c.exec_driver_sql("DELETE FROM participants WHERE uuid = ?", (people[0].uuid,))
    summary = incident.incident_report(supervisor, tmp_path / "insiden.csv")
    assert summary.people == 3
    text = (tmp_path / "insiden.csv").read_text(encoding="utf-8-sig")
    for p in people:
        assert p.masked_nik in text and p.data.full_name in text
        assert p.data.nik not in text
