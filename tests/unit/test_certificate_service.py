"""The certificate service on a real store: selection, issue log, serials, reprints, KPJ, audit, roles, keys."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from fieldapp.certificates import embedded, generate_keypair, key_id_for, public_key_to_text, verify_payload
from fieldapp.db import models as m
from fieldapp.errors import PermissionDenied, UserFacingError
from fieldapp.services import audit, enrolment
from fieldapp.services import certificate_checks as checking
from fieldapp.services import certificates as cert
from fieldapp.services.certificates import Selection
from tests.conftest import open_as
from tests.factories import enrolment as make
from tests.factories import nik_for, open_visit

TODAY = dt.date(2026, 11, 21)
VILLAGE = "3216062002"  # Lambangsari, Tambun Selatan, Kabupaten Bekasi
OTHER_VILLAGE = "3216061001"  # Jatimulya
PEOPLE = [  # name, sex, funding
    ("Siti Aminah", "P", "apbd"),
    ("budi Santoso", "L", "dana_desa"),
    ("Élisabet Nuraini", "P", "apbn"),
    ("Agus Salim", "L", "self"),
    ("Dewi Lestari", "P", "donor"),
]


def _texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def people(officer):
    """Five participants in Lambangsari (one visit), one in another village; returns {name: participant}."""
    visit = open_visit(officer, village_code=VILLAGE, visit_date=TODAY)
    made = {}
    for n, (name, sex, funding) in enumerate(PEOPLE, start=1):
        birth = dt.date(1980 + n, n, 10 + n)
        e = make(full_name=name, sex=sex, birth_date=birth, funding_source=funding, nik=nik_for(birth, sex, n))
        made[name] = enrolment.enrol(officer, e, visit_id=visit.id)
    birth = dt.date(1975, 3, 3)
    other = make(full_name="Zaenal Abidin", birth_date=birth, nik=nik_for(birth, "L", 9), village_code=OTHER_VILLAGE)
    made["Zaenal Abidin"] = enrolment.enrol(officer, other)
    made["_visit"] = visit
    return made


@pytest.fixture
def clerk(data_dir):
    ws = open_as(data_dir, "kerani")
    yield ws
    ws.close()


def issues_of(ws) -> list[m.CertificateIssue]:
    with ws.store.sessions() as session:
        return list(session.scalars(select(m.CertificateIssue).order_by(m.CertificateIssue.id)))


def _audit(ws, action: str = "print") -> list[m.AuditEvent]:
    with ws.store.sessions() as session:
        return list(session.scalars(select(m.AuditEvent).where(m.AuditEvent.action == action)))


def _set_kpj(ws, participant_id: int, kpj: str) -> None:
    with ws.store.sessions.begin() as session:
        session.execute(update(m.Participant).where(m.Participant.id == participant_id).values(kpj=kpj))


# --- selection and preview -------------------------------------------------------------------------------------


def test_selection_by_village_visit_ids_and_all_sorted_by_name(clerk, people):
    expected = ["Agus Salim", "budi Santoso", "Dewi Lestari", "Élisabet Nuraini", "Siti Aminah"]
    rows = cert.preview(clerk, Selection(village_code=VILLAGE))
    assert [r.full_name for r in rows] == expected  # case and accents do not push a name to the end
    assert [r.full_name for r in cert.preview(clerk, Selection(visit_id=people["_visit"].id))] == expected
    assert [r.full_name for r in cert.preview(clerk, Selection(everyone=True))] == [*expected, "Zaenal Abidin"]
    chosen = (people["Siti Aminah"].id, people["Zaenal Abidin"].id, people["Agus Salim"].id, 999_999)
    assert [r.full_name for r in cert.preview(clerk, Selection(participant_ids=chosen))] == [
        "Agus Salim",
        "Siti Aminah",
        "Zaenal Abidin",
    ]
    assert [r.full_name for r in cert.preview(clerk, Selection(village_code=VILLAGE, text="siti"))] == ["Siti Aminah"]
    with pytest.raises(UserFacingError) as exc:
        cert.preview(clerk, Selection())
    assert exc.value.code == "no_selection"


def test_preview_rows_mask_the_nik_and_count_prints(clerk, people):
    siti = people["Siti Aminah"]
    _set_kpj(clerk, siti.id, "26012345678")
    row = next(r for r in cert.preview(clerk, Selection(village_code=VILLAGE)) if r.participant_id == siti.id)
    assert row.masked_nik == siti.masked_nik and siti.data.nik not in row.masked_nik
    assert row.local_number == siti.local_number and row.kpj == "26012345678" and row.final
    assert (row.certificates_printed, row.cards_printed) == (0, 0)
    cert.issue(clerk, Selection(participant_ids=(siti.id,)), "card", today=TODAY)
    row = cert.preview(clerk, Selection(participant_ids=(siti.id,)))[0]
    assert (row.certificates_printed, row.cards_printed, row.printed("card")) == (0, 1, 1)
    assert cert.issue_count(clerk, siti.id) == {"certificate": 0, "card": 1}
    assert cert.issue_count(clerk, people["Agus Salim"].id) == {"certificate": 0, "card": 0}


# --- issuing ---------------------------------------------------------------------------------------------------


def test_issue_writes_one_log_row_per_paper_with_unique_readable_serials(clerk, people):
    pdf = cert.issue(clerk, Selection(village_code=VILLAGE), "certificate", today=TODAY)
    pages = _texts(pdf)
    assert len(pages) == 5
    issues = issues_of(clerk)
    assert len(issues) == 5 and {i.kind for i in issues} == {"certificate"}
    device = clerk.device.code
    assert [i.serial for i in issues] == [f"SRT-{device}-2026-{n:06d}" for n in range(1, 6)]
    by_id = {p.id: name for name, p in people.items() if name != "_visit"}
    assert [by_id[i.participant_id] for i in issues] == [
        "Agus Salim",
        "budi Santoso",
        "Dewi Lestari",
        "Élisabet Nuraini",
        "Siti Aminah",
    ]
    for issue, page in zip(issues, pages, strict=True):
        assert issue.serial in page and by_id[issue.participant_id] in page
        assert issue.user_id == clerk.user.id and issue.reprint_reason is None and not issue.final
    cards = cert.issue(clerk, Selection(village_code=VILLAGE), "card", today=TODAY)
    assert len(_texts(cards)) == 1  # five cards on one sheet
    serials = [i.serial for i in issues_of(clerk)]
    assert len(set(serials)) == 10 and serials[5] == f"KRT-{device}-2026-000001"
    cert.issue(clerk, Selection(participant_ids=(people["Zaenal Abidin"].id,)), "certificate", today=TODAY)
    assert issues_of(clerk)[-1].serial == f"SRT-{device}-2026-000006"


def test_papers_carry_regions_occupation_payer_and_no_full_nik(clerk, people):
    clerk.set_setting("certificate_signer_name", "Drs. Ahmad Fauzi")
    clerk.set_setting("certificate_donor_name", "Yayasan Sejahtera")
    pdf = cert.issue(clerk, Selection(village_code=VILLAGE), "certificate", today=TODAY)
    pages = dict(
        zip(["Agus Salim", "budi Santoso", "Dewi Lestari", "Élisabet Nuraini", "Siti Aminah"], _texts(pdf), strict=True)
    )
    for text in pages.values():
        assert "Lambangsari" in text and "Tambun Selatan" in text and "Kabupaten Bekasi, Jawa Barat" in text
        assert "Petani / pekebun" in text and "1 Desember 2026" in text and "21 November 2026" in text
        assert "Drs. Ahmad Fauzi" in text and "Kepala Dinas Tenaga Kerja Kabupaten Bekasi" in text
    assert "Pemerintah Kabupaten Bekasi (APBD)" in pages["Siti Aminah"]
    assert "Pemerintah Desa Lambangsari (Dana Desa)" in pages["budi Santoso"]
    assert "Pemerintah Pusat (APBN)" in pages["Élisabet Nuraini"]
    assert "Peserta (mandiri)" in pages["Agus Salim"]
    assert "Yayasan Sejahtera (donatur/CSR)" in pages["Dewi Lestari"]
    for name, p in people.items():
        if name != "_visit":
            assert p.data.nik.encode() not in pdf
            assert all(p.data.nik not in text for text in pages.values())


def test_final_or_provisional_follows_the_kpj(clerk, people):
    siti, agus = people["Siti Aminah"], people["Agus Salim"]
    _set_kpj(clerk, siti.id, "26012345678")
    pdf = cert.issue(clerk, Selection(participant_ids=(siti.id, agus.id)), "certificate", today=TODAY)
    agus_page, siti_page = _texts(pdf)
    assert "Bukti Pendaftaran" in agus_page and agus.local_number in agus_page
    assert "Sertifikat Kepesertaan" in siti_page and "26012345678" in siti_page
    assert {i.participant_id: i.final for i in issues_of(clerk)} == {siti.id: True, agus.id: False}
    keys = cert.public_keys(clerk)
    payloads = [t for page in embedded.read(pdf) for t in page]
    fields = [verify_payload(t, keys).fields for t in payloads]
    assert [(f.number_kind, f.number) for f in fields] == [("local", agus.local_number), ("kpj", "26012345678")]
    assert [f.participant_uuid for f in fields] == [agus.uuid, siti.uuid]


def test_reprint_is_refused_without_a_reason_and_marked_with_one(clerk, people):
    siti, agus = people["Siti Aminah"], people["Agus Salim"]
    cert.issue(clerk, Selection(participant_ids=(siti.id,)), "card", today=TODAY)
    with pytest.raises(UserFacingError) as exc:
        cert.issue(clerk, Selection(participant_ids=(siti.id, agus.id)), "card", reason="  ", today=TODAY)
    assert exc.value.code == "reprint_needs_reason" and exc.value.field == "reason"
    assert "Siti Aminah" in exc.value.indonesian and siti.local_number in exc.value.english
    assert "Agus Salim" not in exc.value.indonesian
    assert len(issues_of(clerk)) == 1  # nothing recorded by the refused run
    cert.issue(clerk, Selection(participant_ids=(siti.id,)), "certificate", today=TODAY)  # another kind: first
    pdf = cert.issue(clerk, Selection(participant_ids=(siti.id, agus.id)), "card", reason="Kartu hilang", today=TODAY)
    text = _texts(pdf)[0]
    assert text.count("CETAK ULANG") == 1  # Siti's card only; Agus gets his first card
    rows = issues_of(clerk)[-2:]
    assert {r.participant_id: r.reprint_reason for r in rows} == {agus.id: None, siti.id: "Kartu hilang"}
    entry = _audit(clerk)[-1]
    detail = json.loads(entry.detail)
    assert (entry.entity, detail["count"], detail["reprints"], detail["reprint"]) == ("card", 2, 1, True)
    assert "Kartu hilang" not in entry.detail  # free text may name someone: it stays in the issue log only


def test_audit_entry_in_the_same_run_without_names_or_niks(clerk, people):
    cert.issue(clerk, Selection(village_code=VILLAGE), "certificate", today=TODAY)
    (entry,) = _audit(clerk)
    detail = json.loads(entry.detail)
    assert entry.username == "kerani" and entry.action == "print" and entry.entity == "certificate"
    assert detail["count"] == 5 and detail["provisional"] == 5 and detail["final"] == 0
    assert detail["reprint"] is False and detail["selection"] == {"village": VILLAGE}
    assert entry.entity_id == issues_of(clerk)[0].serial and detail["last_serial"] == issues_of(clerk)[-1].serial
    for name, p in people.items():
        if name != "_visit":
            assert p.data.nik not in entry.detail and p.data.full_name not in entry.detail
    with clerk.store.sessions() as session:
        assert audit.verify(session) is None


def test_cancelled_run_records_nothing_and_its_serials_are_never_reused(clerk, people):
    cancel = threading.Event()
    seen = []

    def progress(done, total):
        seen.append(done)
        if done == 2:
            cancel.set()

    with pytest.raises(UserFacingError) as exc:
        cert.issue(clerk, Selection(village_code=VILLAGE), "certificate", progress=progress, cancel=cancel, today=TODAY)
    assert exc.value.code == "cancelled" and seen == [1, 2]
    assert issues_of(clerk) == [] and _audit(clerk) == []
    cert.issue(clerk, Selection(village_code=VILLAGE), "certificate", today=TODAY)
    assert issues_of(clerk)[0].serial.endswith("-000006")  # the cancelled run's numbers stay unused


def test_serial_counter_starts_above_recorded_serials(clerk, people):
    cert.issue(clerk, Selection(village_code=VILLAGE), "card", today=TODAY)
    clerk.set_setting(f"certificate_serial:KRT-{clerk.device.code}-2026", "0")  # a counter lost or reset
    cert.issue(clerk, Selection(everyone=True), "card", reason="uji", today=TODAY)
    serials = [i.serial for i in issues_of(clerk)]
    assert len(serials) == len(set(serials)) == 11


def test_nobody_to_print(clerk, people):
    with pytest.raises(UserFacingError) as exc:
        cert.issue(clerk, Selection(village_code="3216062003"), "certificate")
    assert exc.value.code == "empty"
    with pytest.raises(UserFacingError):
        cert.issue(clerk, Selection(village_code=VILLAGE), "poster")


@pytest.mark.parametrize("username", ["kerani", "sup"])
def test_clerks_and_supervisors_print(data_dir, people, username):
    ws = open_as(data_dir, username)
    try:
        assert cert.issue(ws, Selection(participant_ids=(people["Agus Salim"].id,)), "card").startswith(b"%PDF")
    finally:
        ws.close()


def test_a_role_outside_the_print_roles_is_refused(clerk, people, monkeypatch):
    monkeypatch.setattr(cert, "PRINT_ROLES", ("supervisor",))
    with pytest.raises(PermissionDenied):
        cert.issue(clerk, Selection(village_code=VILLAGE), "certificate")
    with pytest.raises(PermissionDenied):
        cert.preview(clerk, Selection(village_code=VILLAGE))
    assert issues_of(clerk) == []


# --- preview drafts, keys, verification ------------------------------------------------------------------------


def test_draft_records_nothing_and_never_verifies(clerk, people):
    cert.issue(clerk, Selection(participant_ids=(people["Siti Aminah"].id,)), "certificate", today=TODAY)
    before = (len(issues_of(clerk)), len(_audit(clerk)))
    pdf = cert.draft(clerk, Selection(village_code=VILLAGE), "certificate", limit=3, today=TODAY)
    pages = _texts(pdf)
    assert len(pages) == 3 and all("PRATINJAU" in t for t in pages)
    assert (len(issues_of(clerk)), len(_audit(clerk))) == before
    keys = cert.public_keys(clerk)
    assert all(c.result.code == "unknown_key" for c in checking.verify_pdf(pdf, keys))
    siti = cert.draft(clerk, Selection(participant_ids=(people["Siti Aminah"].id,)), "certificate")
    assert "CETAK ULANG" in _texts(siti)[0]  # the preview shows what the reprint will look like


def test_signing_key_made_once_and_published_keys_added(clerk, people, data_dir):
    assert cert.public_keys(clerk) == {}
    cert.issue(clerk, Selection(participant_ids=(people["Agus Salim"].id,)), "card")
    key_text, key_id = clerk.setting("certificate_signing_key"), clerk.setting("certificate_key_id")
    assert key_text and list(cert.public_keys(clerk)) == [key_id]
    cert.issue(clerk, Selection(participant_ids=(people["Siti Aminah"].id,)), "card")
    assert clerk.setting("certificate_signing_key") == key_text  # kept, never replaced
    _private, public = generate_keypair()
    other_id = key_id_for(public)
    clerk.set_setting(
        "reference_json",
        json.dumps({"certificate_keys": {other_id: public_key_to_text(public), "BROKEN": "not a key"}}),
    )
    assert set(cert.public_keys(clerk)) == {key_id, other_id}


def test_verify_pdf_checks_every_payload_against_its_page(clerk, people):
    pdf = cert.issue(clerk, Selection(everyone=True), "card", today=TODAY)
    checks = checking.verify_pdf(pdf, cert.public_keys(clerk))
    assert len(checks) == 6 and all(c.result.valid and c.on_page for c in checks)
    assert {c.page for c in checks} == {1}
    assert checking.verify_pdf(pdf, {}) and all(c.result.code == "unknown_key" for c in checking.verify_pdf(pdf, {}))
    with pytest.raises(UserFacingError) as exc:
        checking.verify_pdf(b"not a pdf at all", {})
    assert exc.value.code == "bad_pdf"
