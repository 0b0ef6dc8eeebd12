"""Importing messy participant lists made here, as villages make them: every row imported or reported."""

from __future__ import annotations

import csv
import datetime as dt
import json
import threading

import openpyxl
import pytest
from sqlalchemy import func, select

from fieldapp.db import models as m
from fieldapp.domain.nik import mask_nik
from fieldapp.errors import PermissionDenied, UserFacingError
from fieldapp.services import enrolment, imports, visits
from fieldapp.services.imports import ImportOptions
from tests.conftest import open_as
from tests.factories import enrolment as make
from tests.factories import nik_for

TODAY = dt.date(2026, 11, 21)
BUDI = nik_for(dt.date(1990, 7, 12), "L", 3)
SITI = nik_for(dt.date(1988, 3, 14), "P", 21)
ANI = nik_for(dt.date(1985, 8, 12), "P", 4)
DADANG = nik_for(dt.date(1975, 11, 2), "L", 7)
RIZKY = nik_for(dt.date(1999, 6, 30), "L", 415)
EUIS = nik_for(dt.date(1992, 1, 5), "P", 88)
ASEP = nik_for(dt.date(1980, 12, 1), "L", 9)
KID = nik_for(dt.date(2012, 2, 2), "L", 12)
OLD = nik_for(dt.date(1970, 4, 4), "L", 33)  # enrolled before the import


def count(ws) -> int:
    with ws.store.sessions() as s:
        return s.scalar(select(func.count()).select_from(m.Participant))


def stored(ws) -> dict[str, m.Participant]:
    with ws.store.sessions() as s:
        return {p.nik: p for p in s.scalars(select(m.Participant))}


def write_csv(path, lines: list[list[str]], delimiter=",", encoding="utf-8") -> None:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(lines)


MESSY_HEADER = ["No.", " N I K ", "Nama Lengkap (sesuai KTP)", "Tempat Lahir", "TGL. LAHIR", "L/P", "Alamat",
                "RT/RW", "Desa / Kelurahan", "No. HP", "Pekerjaan", "Nama Ahli Waris", "Hubungan Ahli Waris",
                "Keterangan"]


def messy_rows() -> list[list[str]]:
    """Row numbers in the file: title 1, blank 2, header 3, then data from 4 (blank rows keep their numbers)."""
    return [
        ["DAFTAR CALON PESERTA BPU DESA LAMBANGSARI TAHUN 2026"],                                            # 1
        [],                                                                                                  # 2
        MESSY_HEADER,                                                                                        # 3
        ["1", BUDI, "Budi Santoso", "Bekasi", "12/07/1990", "L", "Kp. Pulo No. 12", "003/005", "Lambangsari",
         "0812-3456-7890", "Petani", "Siti Aminah", "Istri", ""],                                            # 4 ok
        ["2", "3.21606E+15", "Nunung", "Bekasi", "01-01-1980", "P", "Kp. Rawa", "1/2", "Lambangsari", "", "Pedagang",
         "", "", "NIK diketik sebagai angka"],                                                               # 5 damaged
        ["3", SITI, "Siti Rohmah", "Bekasi", "14 Maret 1988", "Perempuan", "Kp. Rawa No. 3", "2/4", "Desa Lambangsari",
         "081298765432", "pedagang", "Ahmad Fauzi", "suami", ""],                                            # 6 ok
        ["", "", "", "", "", "", "", "", "", "", "", "", "", ""],                                            # 7 blank
        ["4", ANI, "Ani Suryani", "Bekasi", "12 Agt 1985", "P", "Gg. Mawar 7", "11/2", "Tambun", "", "Wiraswasta",
         "", "", ""],                                                                                        # 8 ok+warn
        ["5", BUDI, "Budi Lagi", "Bekasi", "1990-07-12", "L", "Kp. Pulo", "3/5", "Lambangsari", "", "Petani", "", "",
         "dobel"],                                                                                           # 9 dup
        ["6", DADANG, "Dadang Suryana", "Karawang", "27700", "L", "Kp. Pulo", "3/5", "3216062002", "0813-1111-2222",
         "Buruh tani", "Euis", "Istri", ""],                                                                 # 10 serial
        ["7", RIZKY, "Rizky Maulana", "Bekasi", "30-06-99", "L", "Gg. Mawar 7", "11/2", "Sukamaju", "", "Ojek", "",
         "", ""],  # 11 village?
        ["8", EUIS, "Euis Komariah", "Bekasi", "05.01.1992", "P", "Kp. Babakan", "4/1", "Mekarsari", "0812-abc",
         "Kader", "", "", ""],  # 12 phone
        ["9", KID, "Anak Muda", "Bekasi", "02/02/2012", "L", "Kp. Babakan", "4/1", "Mekarsari", "", "Pedagang", "", "",
         ""],                                                                                                # 13 minor
        ["10", OLD, "Sudah Terdaftar", "Bekasi", "04/04/1970", "L", "Kp. Babakan", "4/1", "Mekarsari", "", "Petani",
         "", "", ""],  # 14 in store
        ["11", ASEP, "Asep Sunandar", "Garut", "31/02/1980", "L", "Kp. Babakan", "4/1", "Tambun", "", "Petani", "", "",
         ""],  # 15 bad date
    ]


@pytest.fixture
def officer_with_record(officer):
    enrolment.enrol(officer, make(nik=OLD, birth_date=dt.date(1970, 4, 4), full_name="Sudah Terdaftar"))
    return officer


def by_row(report) -> dict[int, list]:
    out: dict[int, list] = {}
    for p in report.problems:
        out.setdefault(p.row, []).append(p)
    return out


def test_messy_csv_every_row_imported_or_reported(officer_with_record, tmp_path):
    ws = officer_with_record
    path = tmp_path / "daftar.csv"
    write_csv(path, messy_rows())
    before = count(ws)
    report = imports.run(ws, path, ImportOptions(village_code="3216062002"), today=TODAY)
    assert (report.rows, report.imported, report.duplicates, report.rejected) == (11, 4, 2, 5)
    assert count(ws) == before + 4
    problems = by_row(report)
    kinds = {row: {p.kind for p in ps} for row, ps in problems.items()}
    assert kinds[5] == {"error"} and "tersimpan sebagai angka" in problems[5][0].indonesian
    assert problems[5][0].field == "N I K" and "3.21606E+15" in problems[5][0].english
    assert kinds[9] == {"duplicate"} and "baris 4" in problems[9][0].indonesian
    assert kinds[14] == {"duplicate"} and "sudah terdaftar di laptop ini" in problems[14][0].indonesian
    assert kinds[11] == {"error"} and "Sukamaju" in problems[11][0].indonesian  # not in Tambun Selatan
    assert kinds[12] == {"error"} and problems[12][0].field == "No. HP"
    assert kinds[13] == {"error"} and any(p.field == "Orang tua/wali" for p in problems[13])  # under 18: guardian
    assert kinds[15] == {"error"} and "31/02/1980" in problems[15][0].indonesian
    assert "warning" in kinds[8] and any("Wiraswasta" in p.indonesian for p in problems[8])
    assert 4 not in kinds or kinds[4] == {"warning"}
    people = stored(ws)
    budi, siti, ani, dadang = people[BUDI], people[SITI], people[ANI], people[DADANG]
    assert (budi.full_name, budi.birth_date, budi.rt, budi.rw) == ("Budi Santoso", dt.date(1990, 7, 12), "003", "005")
    assert budi.phone == "+6281234567890" and budi.heir_relationship == "istri" and budi.occupation == "petani"
    assert (siti.sex, siti.birth_date, siti.heir_relationship) == ("P", dt.date(1988, 3, 14), "suami")
    assert ani.village_code == "3216062004" and ani.occupation == "lainnya" and ani.birth_date == dt.date(1985, 8, 12)
    assert dadang.birth_date == dt.date(1975, 11, 2)  # Excel serial 27700
    for p in (budi, siti, ani, dadang):
        assert p.sync_state == "pending" and p.consent_method == "daftar_kolektif" and p.officer_id == ws.user.id
        assert p.income_band == 1_000_000 and p.programs == "JKK,JKM" and p.funding_source == "apbd"


def test_same_file_twice_adds_nothing(officer, tmp_path):
    path = tmp_path / "daftar.csv"
    write_csv(path, messy_rows())
    first = imports.run(officer, path, ImportOptions(village_code="3216062002"), today=TODAY)
    n = count(officer)
    second = imports.run(officer, path, ImportOptions(village_code="3216062002"), today=TODAY)
    assert count(officer) == n
    assert second.imported == 0 and second.duplicates == first.imported + first.duplicates
    assert second.rejected == first.rejected


def test_dry_run_saves_nothing_and_json_counts(officer, tmp_path):
    path = tmp_path / "daftar.csv"
    write_csv(path, messy_rows())
    report = imports.run(officer, path, ImportOptions(village_code="3216062002", dry_run=True), today=TODAY)
    assert count(officer) == 0
    assert report.as_json() == {"rows": 11, "imported": 5, "duplicates": 1, "rejected": 5, "dry_run": True}


def test_problem_report_csv(officer_with_record, tmp_path):
    path = tmp_path / "daftar.csv"
    write_csv(path, messy_rows())
    report = imports.run(officer_with_record, path, ImportOptions(village_code="3216062002"), today=TODAY)
    out = imports.write_problems(report, tmp_path / "masalah.csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(report.problems)
    damaged = next(r for r in rows if r["Baris"] == "5")
    assert damaged["Jenis"] == "ditolak" and damaged["Kolom"] == "N I K" and damaged["Problem"].startswith("NIK was")
    dup = next(r for r in rows if r["Baris"] == "9")
    assert dup["NIK"] == mask_nik(BUDI) and BUDI not in out.read_text(encoding="utf-8-sig")


def test_import_is_audited_without_niks(officer, tmp_path):
    path = tmp_path / "daftar.csv"
    write_csv(path, messy_rows())
    imports.run(officer, path, ImportOptions(village_code="3216062002"), today=TODAY)
    with officer.store.sessions() as s:
        event = s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == "import")).one()
    detail = json.loads(event.detail)
    assert event.entity_id == "daftar.csv" and detail["imported"] == 5 and detail["rows"] == 11
    assert detail["consent"] == "daftar_kolektif" and detail["first"].startswith("3216062002-")
    assert not any(nik in event.detail for nik in (BUDI, SITI, ANI, DADANG))


def xlsx(path, rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_messy_xlsx_numbers_dates_and_text_cells(officer, tmp_path):
    header = ["NIK", "Nama", "Tempat, Tanggal Lahir", "Jenis Kelamin", "Alamat", "RT", "RW", "Kelurahan", "Telepon",
              "Jenis Pekerjaan", "No KK", "Ahli Waris", "Hubungan"]
    rows = [
        header,
        [BUDI, "Budi Santoso", "Bekasi, 12-07-1990", "Laki-laki", "Kp. Pulo", 3, 5, "Lambangsari", 81234567890,
         "Petani", "", "Siti", "Istri"],  # 2: phone as number
        [int(SITI), "Siti Rohmah", "Bekasi, 14-03-1988", "P", "Kp. Rawa", 2, 4, "Lambangsari", "", "Pedagang", "",
         "", ""],                                                                                    # 3: NIK int
        [float(ANI), "Ani Suryani", "Bekasi, 12-08-1985", "P", "Kp. Rawa", 2, 4, "Lambangsari", "", "Pedagang", "",
         "", ""],                                                                                    # 4: NIK float
        [DADANG, "Dadang Suryana", "Karawang 02 Nopember 1975", "L", "Kp. Pulo", 1, 1, "Tambun", "", "Ojek",
         3216060211750001, "", ""],                                                                  # 5: KK number
        [RIZKY, "Rizky Maulana", "Bekasi", "L", "Gg. Mawar", "011", "002", "Tambun", "0857 1111 2222", "Nelayan", "",
         "", ""],                                                                                    # 6: no TTL
        [None] * len(header),                                                                        # 7: blank
    ]
    path = tmp_path / "daftar.xlsx"
    xlsx(path, rows)
    wb = openpyxl.load_workbook(path)
    ws_ = wb.active
    ws_.cell(row=8, column=1, value=EUIS)
    euis = ["Euis Komariah", "Bekasi", "P", "Kp. Babakan", 4, 1, "Tambun", "", "Kader Posyandu"]
    for col, value in enumerate(euis, 2):
        ws_.cell(row=8, column=col, value=value)
    wb.save(path)
    report = imports.run(officer, path, ImportOptions(village_code="3216062002"), today=TODAY)
    problems = by_row(report)
    assert (report.rows, report.imported, report.rejected) == (6, 3, 3)
    assert {p.kind for p in problems[3]} == {"error"} and "angka" in problems[3][0].indonesian
    assert {p.kind for p in problems[4]} == {"error"}
    assert {p.kind for p in problems[5]} == {"error"} and problems[5][0].field == "No KK"
    people = stored(officer)
    assert SITI not in people and ANI not in people and DADANG not in people
    assert people[BUDI].phone == "+6281234567890" and people[BUDI].rt == "003"
    assert people[BUDI].birth_date == dt.date(1990, 7, 12) and people[BUDI].sex == "L"
    assert people[RIZKY].birth_date == dt.date(1999, 6, 30)  # from the NIK, like the form
    assert people[EUIS].occupation == "kader_posyandu" and people[EUIS].village_code == "3216062004"


def test_xlsx_real_date_cells_and_serials(officer, tmp_path):
    rows = [["NIK", "Nama", "Tempat Lahir", "Tanggal Lahir", "Alamat", "RT", "RW", "No HP", "Pekerjaan"],
            [BUDI, "Budi Santoso", "Bekasi", dt.datetime(1990, 7, 12), "Kp. Pulo", 3, 5, "", "Petani"],
            [SITI, "Siti Rohmah", "Bekasi", 32216, "Kp. Rawa", 2, 4, "", "Pedagang"]]
    path = tmp_path / "tanggal.xlsx"
    xlsx(path, rows)
    report = imports.run(officer, path, ImportOptions(village_code="3216062002"), today=TODAY)
    assert report.imported == 2 and report.rejected == 0
    people = stored(officer)
    assert people[BUDI].birth_date == dt.date(1990, 7, 12) and people[SITI].birth_date == dt.date(1988, 3, 14)


def test_semicolon_cp1252_csv_and_names_ambiguous_in_a_wide_area(officer, tmp_path):
    path = tmp_path / "excel-id.csv"
    write_csv(path, [["NIK", "Nama", "Tempat Lahir", "Tgl Lahir", "Alamat", "RT", "RW", "Desa", "Pekerjaan"],
                     [BUDI, "André Wijaya", "Bekasi", "12/07/1990", "Kp. Pulo", "3", "5", "Mekarsari", "Petani"],
                     [SITI, "Siti Rohmah", "Bekasi", "14/03/1988", "Kp. Rawa", "2", "4", "3216062002", "Pedagang"]],
              delimiter=";", encoding="cp1252")
    report = imports.run(officer, path, ImportOptions(village_code="32"), today=TODAY)  # all of Jawa Barat
    assert report.imported == 1 and report.rejected == 1
    assert "lebih dari satu" in report.problems[0].indonesian  # Mekarsari: many in Jawa Barat
    kecamatan = imports.run(officer, path, ImportOptions(village_code="321606"), today=TODAY)
    assert kecamatan.imported == 1 and stored(officer)[BUDI].full_name == "André Wijaya"
    assert stored(officer)[BUDI].village_code == "3216062007"


def test_open_visit_fills_the_visit_fields(officer, tmp_path):
    visits.open_visit(officer, village_code="3216062002", visit_date=TODAY, funding_source="dana_desa",
                      programs="JKK,JKM,JHT", sector="other", start_month=dt.date(2026, 12, 1))
    path = tmp_path / "d.csv"
    write_csv(path, [["NIK", "Nama", "Tempat Lahir", "Tanggal Lahir", "Alamat", "RT", "RW", "Pekerjaan"],
                     [BUDI, "Budi Santoso", "Bekasi", "12/07/1990", "Kp. Pulo", "3", "5", "Ojek"]])
    report = imports.run(officer, path, today=TODAY)
    assert report.imported == 1
    p = stored(officer)[BUDI]
    assert (p.village_code, p.funding_source, p.programs) == ("3216062002", "dana_desa", "JKK,JKM,JHT")
    assert p.start_month == dt.date(2026, 12, 1) and p.sector == "transport" and p.visit_id is not None
    assert dict(report.defaults)["Sumber isian"] == "kunjungan yang sedang dibuka"


def test_missing_columns_mapping_override_and_roles(data_dir, officer, tmp_path):
    path = tmp_path / "x.csv"
    write_csv(path, [["Nomor", "Siapa", "Lahir"], ["1", "Budi", "12/07/1990"]])
    with pytest.raises(UserFacingError, match="Kolom NIK, Nama lengkap tidak ditemukan"):
        imports.run(officer, path, today=TODAY)
    write_csv(path, [["Identitas", "Siapa", "Lahir", "Tempat", "Jalan", "RT", "RW", "Kerja"],
                     [BUDI, "Budi Santoso", "12/07/1990", "Bekasi", "Kp. Pulo", "3", "5", "Petani"]])
    mapping = ("nik", "full_name", "birth_date", "birth_place", "street", "rt", "rw", "occupation")
    report = imports.run(officer, path, ImportOptions(village_code="3216062002", mapping=mapping), today=TODAY)
    assert report.imported == 1
    clerk = open_as(data_dir, "kerani")
    try:
        with pytest.raises(PermissionDenied):
            imports.run(clerk, path, today=TODAY)
    finally:
        clerk.close()


def test_cancel_saves_nothing(officer, tmp_path):
    path = tmp_path / "big.csv"
    lines = [["NIK", "Nama", "Tempat Lahir", "Tanggal Lahir", "Alamat", "RT", "RW", "Pekerjaan"]]
    for i in range(2_500):
        born = dt.date(1970, 1, 1) + dt.timedelta(days=i)
        lines.append([nik_for(born, "L", i + 1), "Warga Uji", "Bekasi", f"{born:%d/%m/%Y}", "Kp. Uji", "1", "1",
                      "Petani"])
    write_csv(path, lines)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(UserFacingError) as err:
        imports.run(officer, path, ImportOptions(village_code="3216062002"), cancel=cancel, today=TODAY)
    assert err.value.code == "cancelled" and count(officer) == 0
    seen = []
    report = imports.run(officer, path, ImportOptions(village_code="3216062002"), today=TODAY,
                         progress=lambda d, t: seen.append((d, t)))
    assert report.imported == 2_500 and count(officer) == 2_500 and seen[-1] == (2_500, 2_500)
    with officer.store.sessions() as s:
        numbers = sorted(s.scalars(select(m.Participant.local_number)))
    assert len(set(numbers)) == 2_500


def test_preview_shows_the_mapping_and_first_rows(officer, tmp_path):
    path = tmp_path / "daftar.csv"
    write_csv(path, messy_rows())
    pv = imports.preview(officer, path)
    assert pv.header_row == 3 and pv.rows == 11
    assert dict(zip(pv.headers, pv.mapping, strict=True)) == {
        "No.": None, "N I K": "nik", "Nama Lengkap (sesuai KTP)": "full_name", "Tempat Lahir": "birth_place",
        "TGL. LAHIR": "birth_date", "L/P": "sex", "Alamat": "street", "RT/RW": "rt_rw", "Desa / Kelurahan": "village",
        "No. HP": "phone", "Pekerjaan": "occupation", "Nama Ahli Waris": "heir_name",
        "Hubungan Ahli Waris": "heir_relationship", "Keterangan": None}
    assert pv.sample[0][0] == 4 and pv.sample[0][1][2] == "Budi Santoso"


def test_unreadable_files(officer, tmp_path):
    bad = tmp_path / "rusak.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(UserFacingError, match="tidak dapat dibaca"):
        imports.run(officer, bad)
    old = tmp_path / "lama.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(UserFacingError, match=r"\.xls lama"):
        imports.run(officer, old)
    with pytest.raises(UserFacingError, match="tidak ditemukan"):
        imports.run(officer, tmp_path / "tidak-ada.csv")


def test_imported_rows_are_stored_exactly_like_enrolled_ones(officer, tmp_path):
    """The import writes with one driver-level executemany: every column must read back like an ORM save."""
    from sqlalchemy import text

    from fieldapp.services import participants

    form = enrolment.enrol(officer, make(nik=OLD, birth_date=dt.date(1970, 4, 4)))
    path = tmp_path / "d.csv"
    write_csv(path, [["NIK", "Nama", "Tempat Lahir", "Tanggal Lahir", "Alamat", "RT", "RW", "No HP", "Pekerjaan",
                      "Ahli Waris", "Hubungan"],
                     [BUDI, "Budi Santoso", "Bekasi", "12/07/1990", "Kp. Pulo No. 12", "3", "5", "0812-3456-7890",
                      "Petani", "Siti Aminah", "Istri"]])
    imports.run(officer, path, ImportOptions(village_code="3216062002"), today=TODAY)
    with officer.store.engine.connect() as conn:
        shapes = [tuple(conn.execute(text(f"SELECT typeof({c}), length({c}) FROM participants WHERE nik = :n"),
                                     {"n": nik}).one() for c in ("birth_date", "start_month", "consent_given_at",
                                                                 "enrolled_at", "updated_at", "active", "income_band"))
                  for nik in (OLD, BUDI)]
    assert shapes[0] == shapes[1]
    imported = participants.find_by_nik(officer, BUDI)  # read back through the ORM into the domain view
    assert imported.data.birth_date == dt.date(1990, 7, 12) and imported.enrolled_at.tzinfo is not None
    assert imported.data.consent_given_at.tzinfo is not None and imported.data.programs == ("JKK", "JKM")
    assert imported.revision == 1 and imported.sync_state == "pending" and form.sync_state == "pending"
