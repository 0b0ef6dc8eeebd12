"""Services on a real SQLite file: enrol, duplicates, edit, search, visits, accounts, audit."""

import datetime as dt
import threading
from dataclasses import replace

import pytest

from fieldapp.domain.participant import SearchQuery
from fieldapp.errors import AuthenticationFailed, DuplicateNik, PermissionDenied, UserFacingError, ValidationError
from fieldapp.services import accounts, audit, enrolment, participants, stats, visits
from fieldapp.services.workspace import Workspace
from tests.conftest import PASSWORD, open_as
from tests.factories import enrolment as make
from tests.factories import nik_for, open_visit


def test_enrol_stores_and_returns_the_participant(officer):
    p = enrolment.enrol(officer, make())
    assert p.revision == 1 and p.sync_state == "pending"
    assert p.local_number.startswith("3216062002-") and p.local_number.endswith("-000001")
    assert p.data.phone == "+6281234567890" and p.data.rt == "003"
    assert p.officer == "petugas" and p.village_name
    assert p.data.consent_given_at.tzinfo is not None
    again = participants.by_uuid(officer, p.uuid)
    assert again == p


def test_saved_enrolment_is_on_disk_for_a_new_connection(officer, data_dir):
    p = enrolment.enrol(officer, make())
    other = open_as(data_dir, "sup")
    assert participants.find_by_nik(other, p.data.nik).uuid == p.uuid
    other.close()


def test_hard_errors_refuse_the_save_and_name_the_field(officer):
    with pytest.raises(ValidationError) as exc:
        enrolment.enrol(officer, replace(make(), nik="32160612O7900003"))
    assert "nik" in exc.value.problems
    assert participants.count(officer, SearchQuery()) == 0


def test_second_active_enrolment_of_a_nik_is_refused(officer):
    first = enrolment.enrol(officer, make())
    with pytest.raises(DuplicateNik) as exc:
        enrolment.enrol(officer, replace(make(), full_name="Budi Lain"))
    assert exc.value.existing.uuid == first.uuid
    assert enrolment.find_duplicate(officer, first.data.nik).id == first.id


def test_concurrent_same_nik_gives_one_enrolment(data_dir):
    results, spaces = [], [open_as(data_dir, "petugas") for _ in range(4)]
    barrier = threading.Barrier(len(spaces))

    def enrol(ws):
        barrier.wait()
        try:
            results.append(enrolment.enrol(ws, make()).uuid)
        except DuplicateNik:
            results.append("duplicate")

    threads = [threading.Thread(target=enrol, args=(ws,)) for ws in spaces]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r == "duplicate" for r in results) == [False, True, True, True]
    assert participants.count(spaces[0], SearchQuery()) == 1
    for ws in spaces:
        ws.close()


def test_edit_bumps_revision_and_goes_back_to_pending(officer):
    p = enrolment.enrol(officer, make())
    edited = enrolment.edit(
        officer, p.id, enrolment.draft_from(p, full_name="Budi Santosa"), expected_revision=p.revision
    )
    assert (edited.revision, edited.sync_state, edited.data.full_name) == (2, "pending", "Budi Santosa")
    assert [r.full_name for r in participants.search(officer, SearchQuery("santosa"))] == ["Budi Santosa"]
    assert participants.search(officer, SearchQuery("santoso")) == []
    with pytest.raises(UserFacingError) as exc:
        enrolment.edit(officer, p.id, p.data, expected_revision=1)
    assert exc.value.code == "stale_revision"


def test_officer_cannot_edit_another_officers_record(data_dir):
    sup = open_as(data_dir, "sup")
    p = enrolment.enrol(sup, make())
    officer = open_as(data_dir, "petugas")
    with pytest.raises(PermissionDenied):
        enrolment.edit(officer, p.id, p.data, expected_revision=1)
    clerk = open_as(data_dir, "kerani")
    with pytest.raises(PermissionDenied):
        enrolment.enrol(clerk, replace(make(), nik="3216061207900004"))
    for ws in (sup, officer, clerk):
        ws.close()


def _three(ws):
    people = [
        ("Siti Aminah", "P", dt.date(1985, 4, 13), 11),
        ("Budi Santoso", "L", dt.date(1990, 7, 12), 3),
        ("Siti Rohmah", "P", dt.date(1979, 1, 2), 7),
    ]
    return [
        enrolment.enrol(ws, replace(make(birth_date=b, sex=s), full_name=n, nik=nik_for(b, s, serial)))
        for n, s, b, serial in people
    ]


def test_search_by_name_words_nik_prefix_and_filters(officer):
    siti, budi, rohmah = _three(officer)
    assert [r.full_name for r in participants.search(officer, SearchQuery("siti"))] == ["Siti Rohmah", "Siti Aminah"]
    assert [r.full_name for r in participants.search(officer, SearchQuery("sit ami"))] == ["Siti Aminah"]
    assert [r.full_name for r in participants.search(officer, SearchQuery("SITI", sort="name"))] == [
        "Siti Aminah",
        "Siti Rohmah",
    ]
    assert [r.id for r in participants.search(officer, SearchQuery("3216 0612"))] == [budi.id]
    assert participants.count(officer, SearchQuery("321606")) == 3
    assert participants.count(officer, SearchQuery(village_code="3216062002")) == 3
    assert participants.count(officer, SearchQuery(village_code="3216062003")) == 0
    assert participants.count(officer, SearchQuery(sync_state="pending")) == 3
    today = dt.date.today()
    assert (
        participants.count(
            officer, SearchQuery(enrolled_from=today - dt.timedelta(days=1), enrolled_to=today + dt.timedelta(days=1))
        )
        == 3
    )
    assert participants.count(officer, SearchQuery(enrolled_to=today - dt.timedelta(days=2))) == 0
    ids = participants.search_ids(officer, SearchQuery(sort="name", limit=None))
    assert [r.full_name for r in participants.rows_for_ids(officer, ids)] == [
        "Budi Santoso",
        "Siti Aminah",
        "Siti Rohmah",
    ]
    assert participants.search(officer, SearchQuery("!!")) == participants.search(officer, SearchQuery(""))
    assert siti.id and rohmah.id


def test_visit_opens_and_replaces_the_previous_one(officer):
    first = open_visit(officer, location_note="Balai desa")
    assert visits.current_visit(officer) == first
    second = visits.open_visit(
        officer,
        village_code="3216062003",
        visit_date=dt.date(2026, 11, 22),
        funding_source="dana_desa",
        programs="JKK,JKM,JHT",
        sector="other",
        start_month=dt.date(2026, 12, 1),
    )
    assert visits.current_visit(officer).id == second.id
    assert [v.closed for v in visits.list_visits(officer)] == [False, True]
    with pytest.raises(ValidationError) as exc:
        visits.open_visit(
            officer,
            village_code="1",
            visit_date=dt.date.today(),
            funding_source="x",
            programs="JKK",
            sector="x",
            start_month=dt.date.today(),
        )
    assert set(exc.value.problems) == {"village", "funding_source", "programs", "sector"}


def test_stats_and_village_progress(officer):
    _three(officer)
    c = stats.counts(officer)
    assert c["participants"] == {"total": 3, "by_sync_state": {"pending": 3}}
    assert (c["villages"], c["users"], c["villages_known"]) == (1, 4, 83762)
    progress = stats.village_progress(officer)
    assert [(p.village_code, p.target, p.enrolled) for p in progress] == [("3216062002", 100, 3)]
    assert stats.enrolled_today(officer) == 3


def test_wrong_password_gives_no_hint_and_locks_after_five(data_dir):
    with pytest.raises(AuthenticationFailed) as unknown_user:
        open_as(data_dir, "nobody")
    with pytest.raises(AuthenticationFailed) as wrong_password:
        Workspace.open(data_dir, "petugas", "salah-sekali")
    assert str(unknown_user.value) == str(wrong_password.value)
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            Workspace.open(data_dir, "petugas", "salah-sekali")
    with pytest.raises(UserFacingError) as locked:
        Workspace.open(data_dir, "petugas", PASSWORD)  # even the right password, while locked
    assert locked.value.code == "locked"


def test_audit_chain_records_and_detects_tampering(officer):
    enrolment.enrol(officer, make())
    with officer.store.sessions() as session:
        assert audit.verify(session) is None
        actions = [a for (a,) in session.execute(audit.select(audit.m.AuditEvent.action))]
    assert "create" in actions and "login" in actions
    with officer.store.engine.begin() as conn:
        victim = conn.exec_driver_sql("SELECT id FROM audit_events WHERE action='create'").scalar()
        conn.exec_driver_sql("UPDATE audit_events SET username='someone' WHERE id=?", (victim,))
    with officer.store.sessions() as session:
        assert audit.verify(session) == victim


def test_accounts_validate_new_users(supervisor):
    with pytest.raises(UserFacingError) as exc:
        accounts.create_user(supervisor.store, "sup", "baru", "short", "officer")
    assert exc.value.field == "password"
    with pytest.raises(UserFacingError):
        accounts.create_user(supervisor.store, "sup", "petugas", PASSWORD, "officer")
    with pytest.raises(UserFacingError):
        accounts.create_user(supervisor.store, "sup", "baru", PASSWORD, "raja")


def test_a_record_another_account_owns_gets_its_own_advice():
    import datetime as dt

    from fieldapp.db.sync_view import AttentionRow
    from fieldapp.services.sync_view import detail_text

    def row(code: str) -> AttentionRow:
        return AttentionRow(1, "u", "3216-0001", "Budi Santoso", "3216********0003", "Lambangsari", "rejected",
                            "Data ini dikirim pertama kali oleh akun lain / Another account sent this record first",
                            code, 2, 1, dt.datetime(2026, 11, 21, tzinfo=dt.timezone.utc), "petugas")

    assert "Minta supervisor mengirimkannya" in detail_text(row("not_owner"))
    assert "Perbaiki isian yang disebut" in detail_text(row("invalid"))
