"""Every service call, called for real by every role: refused with PermissionDenied exactly for the roles the
table does not name (issue 7: officers enrol and edit their own records in their area; clerks search and print;
supervisors do everything in their area, export and send back; admins keep accounts and settings).

A public function of ``fieldapp.services.*`` whose first argument is a Workspace and that is missing from the
table fails ``test_every_service_call_is_in_the_table``: a new service call needs its roles written down here.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import itertools
import json
import pkgutil
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

import fieldapp.services
from fieldapp.db import models as m
from fieldapp.db.reports import ReportFilter
from fieldapp.domain.nik import mask_nik
from fieldapp.errors import PermissionDenied, UserFacingError
from fieldapp.services import accounts, certificates, enrolment, exports, participants, sync_view, visits
from fieldapp.services.certificates import Selection
from fieldapp.services.imports import ImportOptions
from fieldapp.services.workspace import Workspace
from fieldapp.sync.client import SyncClient
from tests.conftest import PASSWORD, open_as
from tests.factories import TODAY, nik_for, open_visit
from tests.factories import enrolment as make
from tests.unit.test_exports import unsealed

ROLE_USERS = {"officer": "petugas", "clerk": "kerani", "supervisor": "sup", "admin": "admin"}
OFFICER, CLERK, SUPERVISOR, ADMIN = ROLE_USERS
EVERYONE = frozenset(ROLE_USERS)
ENROLLERS = frozenset({OFFICER, SUPERVISOR})  # enrol, edit (officers: their own), visits, imports
SEARCHERS = frozenset({OFFICER, CLERK, SUPERVISOR})
PRINTERS = frozenset({CLERK, SUPERVISOR})
SUPERVISORS = frozenset({SUPERVISOR})
SUPERVISORS_ADMINS = frozenset({SUPERVISOR, ADMIN})
VILLAGE = "3216062002"
DEAD_SERVER = "http://127.0.0.1:9"  # nothing listens on the discard port: every request fails at once


@dataclass
class World:
    """One store for the whole module, with a workspace per role and a participant and visit of the officer."""

    data_dir: Path
    tmp: Path
    ws: dict[str, Workspace]
    participant_id: int = 0
    serials: itertools.count = field(default_factory=lambda: itertools.count(100))

    def new_enrolment(self):
        birth = dt.date(1980, 1, 1) + dt.timedelta(days=next(self.serials))
        return make(nik=nik_for(birth, "L", 7), birth_date=birth)

    def officer_revision(self) -> int:
        with self.ws[SUPERVISOR].store.sessions() as s:
            return s.get(m.Participant, self.participant_id).revision

    def officer_visit(self) -> int:
        return open_visit(self.ws[OFFICER]).id

    def plan(self):
        return certificates.prepare(self.ws[SUPERVISOR], Selection(participant_ids=(self.participant_id,)), "card",
                                    reason="Kartu rusak", today=TODAY)

    def new_user(self) -> str:
        """A clerk made by the supervisor, as the one whose account is changed."""
        name = f"warga{next(self.serials)}"
        accounts.create_user(self.ws[SUPERVISOR].store, "sup", name, PASSWORD, "clerk", area_code="3216")
        return name

    def client(self) -> SyncClient:
        return SyncClient(DEAD_SERVER, retries=0, backoff=0.0, timeout=(0.5, 0.5))

    def list_file(self) -> Path:
        path = self.tmp / "daftar.csv"
        path.write_text(f"NIK,Nama\n{self.new_enrolment().nik},Budi Santoso\n", encoding="utf-8")
        return path


@pytest.fixture(scope="module")
def world(template_store, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("roles") / "data"
    shutil.copytree(template_store, data_dir)
    ws = {role: open_as(data_dir, user) for role, user in ROLE_USERS.items()}
    w = World(data_dir, tmp_path_factory.mktemp("roles-files"), ws)
    w.participant_id = enrolment.enrol(ws[OFFICER], w.new_enrolment()).id
    yield w
    for one in ws.values():
        one.close()


Call = Callable[[Callable, World, Workspace], object]
#: "module.function" → (roles allowed, how to call it with reasonable arguments).
TABLE: dict[str, tuple[frozenset[str], Call]] = {
    # Admins manage every account, supervisors their officers and clerks (here: a clerk's account).
    "accounts.add_user": (SUPERVISORS_ADMINS, lambda f, w, ws: f(ws, f"baru{next(w.serials)}", PASSWORD, "clerk")),
    "accounts.list_users": (SUPERVISORS_ADMINS, lambda f, w, ws: f(ws)),
    "accounts.remove_user": (SUPERVISORS_ADMINS, lambda f, w, ws: f(ws, w.new_user())),
    "accounts.set_password": (SUPERVISORS_ADMINS, lambda f, w, ws: f(ws, w.new_user(), "sandi-baru-123")),
    "certificates.draft": (PRINTERS, lambda f, w, ws: f(ws, Selection(village_code=VILLAGE), "card", today=TODAY)),
    "certificates.issue": (PRINTERS, lambda f, w, ws: f(ws, Selection(participant_ids=(w.participant_id,)), "card",
                                                        reason="Kartu rusak", today=TODAY)),
    "certificates.issue_count": (EVERYONE, lambda f, w, ws: f(ws, w.participant_id)),
    "certificates.prepare": (PRINTERS, lambda f, w, ws: f(ws, Selection(participant_ids=(w.participant_id,)), "card",
                                                          reason="Kartu rusak", today=TODAY)),
    "certificates.preview": (PRINTERS, lambda f, w, ws: f(ws, Selection(village_code=VILLAGE))),
    "certificates.public_keys": (EVERYONE, lambda f, w, ws: f(ws)),
    "certificates.record": (PRINTERS, lambda f, w, ws: f(ws, w.plan())),
    "certificates.selected_ids": (PRINTERS, lambda f, w, ws: f(ws, Selection(everyone=True))),
    "conflicts.fetch_copies": (EVERYONE, lambda f, w, ws: f(ws, w.client())),
    "conflicts.resolve": (ENROLLERS, lambda f, w, ws: f(ws, w.participant_id, "mine")),
    "conflicts.view": (ENROLLERS, lambda f, w, ws: f(ws, w.participant_id)),
    "enrolment.check": (EVERYONE, lambda f, w, ws: f(ws, w.new_enrolment(), today=TODAY)),
    "enrolment.edit": (ENROLLERS, lambda f, w, ws: f(ws, w.participant_id, make(full_name=f"Budi {ws.user.username}"),
                                                     expected_revision=w.officer_revision())),
    "enrolment.enrol": (ENROLLERS, lambda f, w, ws: f(ws, w.new_enrolment())),
    "enrolment.find_duplicate": (SEARCHERS, lambda f, w, ws: f(ws, make().nik)),
    "enrolment.get": (SEARCHERS, lambda f, w, ws: f(ws, w.participant_id)),
    "exports.build_report": (SUPERVISORS, lambda f, w, ws: f(ws, "coverage", ReportFilter(), masked=True)),
    "exports.check_request": (SUPERVISORS, lambda f, w, ws: f(ws, "participants", "csv", False)),
    "exports.export": (SUPERVISORS, lambda f, w, ws: f(ws, "participants", "csv", w.tmp / "peserta.csv")),
    "imports.preview": (ENROLLERS, lambda f, w, ws: f(ws, w.list_file())),
    "imports.run": (ENROLLERS, lambda f, w, ws: f(ws, w.list_file(), ImportOptions(village_code=VILLAGE),
                                                  today=TODAY)),
    "incident.incident_report": (SUPERVISORS_ADMINS, lambda f, w, ws: f(ws, w.tmp / "insiden.csv")),
    "participants.by_uuid": (SEARCHERS, lambda f, w, ws: f(ws, "7c9e6679-7425-40de-944b-e07fc1f90ae7")),
    "participants.count": (SEARCHERS, lambda f, w, ws: f(ws, participants.SearchQuery())),
    "participants.find_by_nik": (SEARCHERS, lambda f, w, ws: f(ws, make().nik)),
    "participants.rows_for_ids": (SEARCHERS, lambda f, w, ws: f(ws, [w.participant_id])),
    "participants.search": (SEARCHERS, lambda f, w, ws: f(ws, participants.SearchQuery(text="budi"))),
    "participants.search_ids": (SEARCHERS, lambda f, w, ws: f(ws, participants.SearchQuery())),
    "reference.apply": (EVERYONE, lambda f, w, ws: f(ws, {}, source="test")),  # a sync applies it for anyone
    "reference.import_file": (SUPERVISORS_ADMINS, lambda f, w, ws: f(ws, w.tmp / "tidak-ada.json")),
    "reference.rate_book": (EVERYONE, lambda f, w, ws: f(ws)),
    "reference.known_regions": (EVERYONE, lambda f, w, ws: f(ws)(VILLAGE)),
    "regions.name_of": (EVERYONE, lambda f, w, ws: f(ws, VILLAGE)),
    "regions.search_villages": (EVERYONE, lambda f, w, ws: f(ws, "lambang")),
    "reports_data.batch_results": (SUPERVISORS, lambda f, w, ws: f(ws, 1)),
    "reports_data.choices": (SUPERVISORS, lambda f, w, ws: f(ws)),
    "reports_data.coverage": (SUPERVISORS, lambda f, w, ws: f(ws)),
    "reports_data.device_health": (SUPERVISORS, lambda f, w, ws: f(ws)),
    "reports_data.may_view": (EVERYONE, lambda f, w, ws: f(ws)),
    "reports_data.overview": (SUPERVISORS, lambda f, w, ws: f(ws)),
    "reports_data.sync_log": (SUPERVISORS, lambda f, w, ws: f(ws)),
    "reports_data.warning_hours": (EVERYONE, lambda f, w, ws: f(ws)),
    "stats.counts": (EVERYONE, lambda f, w, ws: f(ws)),
    "stats.enrolled_today": (EVERYONE, lambda f, w, ws: f(ws, TODAY)),
    "stats.last_sync": (EVERYONE, lambda f, w, ws: f(ws)),
    "stats.village_progress": (EVERYONE, lambda f, w, ws: f(ws)),
    # Sending and receiving is everyone's: a clerk's sync brings the KPJ numbers that make certificates final.
    "sync.apply_receipt": (EVERYONE, lambda f, w, ws: f(ws, "tidak-ada", {"batch_id": "tidak-ada", "results": []})),
    "sync.connect": (EVERYONE, lambda f, w, ws: f(ws, w.client(), ws.user.username, PASSWORD)),
    "sync.log": (EVERYONE, lambda f, w, ws: f(ws)),
    "sync.prepare_batches": (EVERYONE, lambda f, w, ws: f(ws, DEAD_SERVER)),
    "sync.pull_status_updates": (EVERYONE, lambda f, w, ws: f(ws, w.client())),
    "sync.refresh_digests": (EVERYONE, lambda f, w, ws: f(ws, w.client())),
    "sync.refresh_reference": (EVERYONE, lambda f, w, ws: f(ws, w.client())),
    "sync.send_pending": (EVERYONE, lambda f, w, ws: f(ws, w.client(), DEAD_SERVER)),
    "sync.sync_now": (EVERYONE, lambda f, w, ws: f(ws, "ftp://127.0.0.1:9", ws.user.username, PASSWORD)),
    "sync_view.attention": (EVERYONE, lambda f, w, ws: f(ws)),
    "sync_view.batch_results": (EVERYONE, lambda f, w, ws: f(ws, 1)),
    "sync_view.import_receipts": (EVERYONE, lambda f, w, ws: f(ws, [w.tmp / "tidak-ada.json"])),
    "sync_view.overview": (EVERYONE, lambda f, w, ws: f(ws)),
    "sync_view.receipted_since": (EVERYONE, lambda f, w, ws: f(ws, dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))),
    "transfer.export_batches": (EVERYONE, lambda f, w, ws: f(ws, w.tmp / "kiriman.json")),
    "transfer.import_receipt": (EVERYONE, lambda f, w, ws: f(ws, w.tmp / "tidak-ada.json")),
    "transfer.transfer_key": (EVERYONE, lambda f, w, ws: f(ws)),
    "visits.close_visit": (ENROLLERS, lambda f, w, ws: f(ws, w.officer_visit())),
    "visits.current_visit": (EVERYONE, lambda f, w, ws: f(ws)),
    "visits.list_visits": (EVERYONE, lambda f, w, ws: f(ws)),
    "visits.open_visit": (ENROLLERS, lambda f, w, ws: open_visit(ws)),
}


def service_calls() -> dict[str, Callable]:
    """Every public function of fieldapp.services.* whose first parameter is a Workspace (``access`` is the
    checking itself, not a call anyone makes)."""
    found = {}
    for info in pkgutil.iter_modules(fieldapp.services.__path__):
        if info.name == "access":
            continue
        module = importlib.import_module(f"fieldapp.services.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters.values())
            if params and _names_workspace(params[0].annotation):
                found[f"{info.name}.{name}"] = fn
    return found


def _names_workspace(annotation: object) -> bool:
    """The annotation as written (a string under ``from __future__ import annotations``, perhaps only imported
    for type checking) names Workspace."""
    return annotation is Workspace or (isinstance(annotation, str) and annotation.split(".")[-1] == "Workspace")


CALLS = service_calls()


def test_every_service_call_is_in_the_table():
    assert sorted(set(CALLS) - set(TABLE)) == [], "service calls without roles in TABLE"
    assert sorted(set(TABLE) - set(CALLS)) == [], "TABLE rows for calls that no longer exist"


def _cases():
    for name in sorted(TABLE):
        for role in ROLE_USERS:
            yield pytest.param(name, role, id=f"{name}-{role}")


@pytest.mark.parametrize(("name", "role"), list(_cases()))
def test_role(world, name, role):
    allowed, call = TABLE[name]
    fn = CALLS.get(name)
    if fn is None:
        pytest.fail(f"{name} is not a service call any more")
    ws = world.ws[role]
    if role not in allowed:
        with pytest.raises(PermissionDenied):
            call(fn, world, ws)
        return
    try:
        call(fn, world, ws)
    except PermissionDenied as exc:
        pytest.fail(f"{role} was refused {name}: {exc.english}")
    except UserFacingError:
        pass  # refused for another reason (nothing pending, no server, …): the role was let through


# -- ownership, area, masking and the audit of full NIKs ----------------------------------------------------------

@pytest.fixture
def second_officer(data_dir):
    with open_as(data_dir, "sup") as sup:
        accounts.add_user(sup, "petugas2", PASSWORD, "officer", full_name="Petugas Dua", area_code="3216")
    ws = open_as(data_dir, "petugas2")
    yield ws
    ws.close()


def test_an_officer_edits_and_closes_only_their_own(officer, supervisor, second_officer):
    mine = enrolment.enrol(officer, make())
    visit = open_visit(officer)
    with pytest.raises(PermissionDenied):
        enrolment.edit(second_officer, mine.id, make(full_name="Orang Lain"), expected_revision=mine.revision)
    with pytest.raises(PermissionDenied):
        visits.close_visit(second_officer, visit.id)
    assert enrolment.get(officer, mine.id).data.full_name == "Budi Santoso"
    edited = enrolment.edit(officer, mine.id, make(full_name="Budi Santosa"), expected_revision=mine.revision)
    by_supervisor = enrolment.edit(supervisor, mine.id, make(full_name="Budi Santoso"),
                                   expected_revision=edited.revision)
    assert by_supervisor.revision == mine.revision + 2
    visits.close_visit(officer, visit.id)


def test_an_officer_works_only_in_their_area(officer):
    outside = make(village_code="3275011001")  # Kota Bekasi: area 3275, the officer's is 3216
    with pytest.raises(PermissionDenied) as refused:
        enrolment.enrol(officer, outside)
    assert "3275011001" in refused.value.indonesian and "3216" in refused.value.english
    with pytest.raises(PermissionDenied):
        open_visit(officer, village_code="3275011001")


def _views(ws) -> list[m.AuditEvent]:
    with ws.store.sessions() as s:
        return list(s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == "view_nik")
                              .order_by(m.AuditEvent.id)))


def test_full_niks_shown_are_audited_and_masked_for_clerks(data_dir, officer, supervisor):
    p = enrolment.enrol(officer, make())
    before = len(_views(supervisor))
    assert enrolment.get(supervisor, p.id).data.nik == p.data.nik
    rows = participants.search(officer, participants.SearchQuery(text="budi"))
    assert [r.nik for r in rows] == [p.data.nik]
    views = _views(supervisor)[before:]
    assert [(v.username, v.entity, v.entity_id) for v in views] == [("sup", "participant", p.uuid),
                                                                    ("petugas", "participants", p.local_number)]
    assert json.loads(views[1].detail) == {"records": [p.local_number]}
    assert not any(p.data.nik in v.detail for v in views)  # the trail names records, never a NIK
    with open_as(data_dir, "kerani") as clerk:
        assert enrolment.get(clerk, p.id).data.nik == mask_nik(p.data.nik)
        assert participants.find_by_nik(clerk, p.data.nik).data.nik == mask_nik(p.data.nik)
        assert [r.nik for r in participants.search(clerk, participants.SearchQuery())] == [mask_nik(p.data.nik)]
    assert len(_views(supervisor)) == before + 2  # masked views are not views of a NIK


def test_sync_attention_with_full_niks_is_audited(officer):
    p = enrolment.enrol(officer, make())
    with officer.store.sessions.begin() as s:
        s.get(m.Participant, p.id).sync_state = "rejected"
    rows = sync_view.attention(officer)
    assert [r.nik for r in rows] == [p.data.nik]
    assert [(v.entity, json.loads(v.detail)) for v in _views(officer)] == [
        ("participants", {"records": [p.uuid], "list": "sync_attention"})]


@pytest.mark.parametrize("unmasked", [True, False])
def test_an_export_says_whether_niks_were_unmasked(officer, supervisor, tmp_path, unmasked):
    p = enrolment.enrol(officer, make())
    out = exports.export(supervisor, "participants", "xlsx", tmp_path / "p.xlsx", unmasked=unmasked,
                         file_password="kunci-berkas-123" if unmasked else "")
    book = unsealed(out.path, "kunci-berkas-123") if unmasked else openpyxl.load_workbook(out.path)
    niks = [row[1] for row in book["Peserta"].iter_rows(min_row=2, values_only=True)]
    assert niks == [p.data.nik if unmasked else mask_nik(p.data.nik)]
    with supervisor.store.sessions() as s:
        event = s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == "export")).one()
    assert event.username == "sup" and json.loads(event.detail)["masked"] is (not unmasked)
    assert p.data.nik not in event.detail
