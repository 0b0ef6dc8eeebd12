"""Header matching and cell readers of the list importer (pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp.reports import import_columns as cols

TODAY = dt.date(2026, 11, 21)


@pytest.mark.parametrize(("header", "field"), [
    ("NIK", "nik"), ("No. KTP", "nik"), ("Nomor Induk Kependudukan", "nik"), ("nama", "full_name"),
    ("Nama Lengkap", "full_name"), ("NAMA LENGKAP (SESUAI KTP)", "full_name"), ("Tempat Lahir", "birth_place"),
    ("Tgl Lahir", "birth_date"), ("Tgl. Lahir", "birth_date"), ("tanggal_lahir", "birth_date"),
    ("Tanggal Lahir (dd/mm/yyyy)", "birth_date"), ("TTL", "birth_place_date"),
    ("Tempat, Tanggal Lahir", "birth_place_date"), ("Jenis Kelamin", "sex"), ("L/P", "sex"), ("JK", "sex"),
    ("Alamat", "street"), ("RT", "rt"), ("R.W.", "rw"), ("RT/RW", "rt_rw"), ("Desa", "village"),
    ("Kelurahan", "village"), ("Desa/Kelurahan", "village"), ("Kode Desa", "village"), ("No HP", "phone"),
    ("No. HP/WA", "phone"), ("Telepon", "phone"), ("Pekerjaan", "occupation"), ("Ahli Waris", "heir_name"),
    ("Nama Ahli Waris", "heir_name"), ("Hubungan Ahli Waris", "heir_relationship"), ("Hubungan", "heir_relationship"),
    ("No HP Ahli Waris", "heir_phone"), ("No. KK", "kk_number"), ("Nama Ibu Kandung", "mother_name"),
    ("No.", None), ("Keterangan", None), ("Warna favorit", None), ("", None),
])
def test_headers(header, field):
    assert cols.field_of(header) == field


def test_a_field_named_twice_keeps_its_first_column():
    assert cols.guess_mapping(["NIK", "Nama", "Nama Lengkap", "No KTP"]) == ["nik", "full_name", None, None]


@pytest.mark.parametrize(("value", "expected"), [
    ("12/07/1990", dt.date(1990, 7, 12)), ("12-07-1990", dt.date(1990, 7, 12)), ("12.07.1990", dt.date(1990, 7, 12)),
    ("1990-07-12", dt.date(1990, 7, 12)), ("1990-07-12 00:00:00", dt.date(1990, 7, 12)),
    ("12 Juli 1990", dt.date(1990, 7, 12)), ("12 Agt 1990", dt.date(1990, 8, 12)),
    ("12-Agu-1990", dt.date(1990, 8, 12)),
    ("1 Nopember 1975", dt.date(1975, 11, 1)), ("01 Pebruari 2001", dt.date(2001, 2, 1)),
    ("3 Des 99", dt.date(1999, 12, 3)), ("5/1/05", dt.date(2005, 1, 5)), ("12 July 1990", dt.date(1990, 7, 12)),
    (dt.datetime(1990, 7, 12, 0, 0), dt.date(1990, 7, 12)), (dt.date(1990, 7, 12), dt.date(1990, 7, 12)),
    (33066, dt.date(1990, 7, 12)), (33066.0, dt.date(1990, 7, 12)), ("33066", dt.date(1990, 7, 12)),
])
def test_dates(value, expected):
    assert cols.date(value, TODAY) == (expected, None)


@pytest.mark.parametrize("value", ["31/02/1980", "12/13/1990", "kemarin", "12 Juliii 1990", "1990", 1990, "7/12"])
def test_bad_dates_are_reported_not_guessed(value):
    born, problem = cols.date(value, TODAY)
    assert born is None and problem is not None and problem[0].startswith("Tanggal")


@pytest.mark.parametrize("value", [3216061207900003, 3.216061207900003e15, "3.21606E+15", "3,21606E+15",
                                   "3216061207900003.0", "3.216061E+015"])
def test_a_nik_stored_as_a_number_is_damaged(value):
    nik, problem = cols.identifier(value, cols.NIK_WHAT)
    assert nik == "" and "tersimpan sebagai angka" in problem[0] and "15 digit" in problem[0]


@pytest.mark.parametrize(("value", "nik"), [("3216061207900003", "3216061207900003"),
                                            ("'3216061207900003", "3216061207900003"),
                                            ("3216 0612 0790 0003", "3216061207900003"),
                                            ("3216.0612.0790.0003", "3216061207900003"), (None, ""), ("  ", "")])
def test_nik_text_is_normalised(value, nik):
    assert cols.identifier(value, cols.NIK_WHAT) == (nik, None)


@given(st.integers(min_value=10**15, max_value=10**16 - 1))
def test_no_number_ever_becomes_a_nik(n):
    assert cols.identifier(n, cols.NIK_WHAT)[0] == ""
    assert cols.identifier(float(n), cols.NIK_WHAT)[0] == ""
    assert cols.identifier(f"{float(n):.5E}", cols.NIK_WHAT)[0] == ""


@pytest.mark.parametrize(("value", "expected"), [
    ("L", "L"), ("l", "L"), ("Laki-laki", "L"), ("LAKI LAKI", "L"), ("Pria", "L"), ("P", "P"), ("Perempuan", "P"),
    ("wanita", "P"), ("", ""), (None, ""),
])
def test_sex(value, expected):
    assert cols.sex(value) == (expected, None)


def test_phone_cells():
    assert cols.phone(81234567890) == ("081234567890", None)
    assert cols.phone("0812-3456-7890") == ("0812-3456-7890", None)
    assert cols.phone("8.12346E+10")[1] is not None
    assert cols.phone(None) == ("", None)


def test_place_and_date_and_rt_rw():
    assert cols.place_and_date("Bekasi, 12-07-1990", TODAY) == ("Bekasi", dt.date(1990, 7, 12), None)
    assert cols.place_and_date("Kab. Bekasi, 12 Juli 1990", TODAY) == ("Kab. Bekasi", dt.date(1990, 7, 12), None)
    assert cols.place_and_date("Karawang 02 Nopember 1975", TODAY) == ("Karawang", dt.date(1975, 11, 2), None)
    assert cols.place_and_date("Bekasi", TODAY) == ("Bekasi", None, None)
    assert cols.rt_rw("003/005") == ("003", "005") and cols.rt_rw("3 / 5") == ("3", "5")
    assert cols.rt_rw("03-05") == ("03", "05") and cols.rt_rw("tiga") == ("tiga", "")
