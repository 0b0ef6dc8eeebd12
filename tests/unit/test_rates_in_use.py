"""The rate tables a supervisor imports govern the laptop's work: the live check, enrolling, editing and importing
lists compute with the newest stored table that covers the month (a real reference file from the real
``fieldapp-server export-reference``, on a real store); before the import, with the shipped table."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from fieldapp.errors import ValidationError
from fieldapp.services import enrolment, imports, reference
from fieldapp.services.imports import ImportOptions
from tests.conftest import open_as
from tests.factories import enrolment as make
from tests.factories import nik_for
from tests.unit.test_reference_updates import exported, seal, write  # noqa: F401 (exported: the fixture)

JANUARY = dt.date(2027, 1, 1)  # the month from which the imported table (JKM Rp7.000, one more band) applies
TOP_BAND = 21_200_000  # a band only the imported table has
VILLAGE = "3216062003"  # a village the file's region change leaves alone


@pytest.fixture
def newer(exported, tmp_path):  # noqa: F811 (the imported fixture)
    """The exported reference file, its rate table with a band above the shipped ones."""
    rates = exported["rates"]
    return write(tmp_path, seal({**exported, "rates": {**rates, "income_bands": [*rates["income_bands"], TOP_BAND]}}),
                 "tarif.json")


def january(**changes):
    return make(**{"start_month": JANUARY, "village_code": VILLAGE, **changes})


def test_check_enrol_and_edit_use_the_imported_table(supervisor, newer):
    before = enrolment.check(supervisor, january()).contribution
    assert (before.jkk, before.jkm, before.total) == (10_000, 6_800, 16_800)  # the shipped table
    with pytest.raises(ValidationError) as exc:
        enrolment.enrol(supervisor, january(income_band=TOP_BAND))
    assert "income_band" in exc.value.problems
    first = enrolment.enrol(supervisor, january())

    reference.import_file(supervisor, newer)

    after = enrolment.check(supervisor, january()).contribution
    assert (after.jkk, after.jkm, after.total) == (10_000, 7_000, 17_000)
    december = enrolment.check(supervisor, january(start_month=dt.date(2026, 12, 1))).contribution
    assert december.jkm == 6_800  # before the table's effective month: still the shipped one
    top = enrolment.check(supervisor, january(income_band=TOP_BAND)).contribution
    assert (top.jkk, top.jkm) == (212_000, 7_000)
    second = enrolment.enrol(supervisor, january(income_band=TOP_BAND, nik=nik_for(dt.date(1984, 4, 4), "P", 5)))
    assert second.data.income_band == TOP_BAND
    edited = enrolment.edit(supervisor, first.id, enrolment.draft_from(first, income_band=TOP_BAND),
                            expected_revision=first.revision)
    assert edited.data.income_band == TOP_BAND


def test_the_rate_book_is_kept_per_workspace_until_the_stored_tables_change(data_dir, supervisor, newer,
                                                                         exported):  # noqa: F811
    book = reference.rate_book(supervisor)
    assert reference.rate_book(supervisor) is book and book.received == ()  # kept: not read again per check
    reference.import_file(supervisor, newer)
    imported = reference.rate_book(supervisor)
    assert imported is not book and imported.newest.income_bands[-1] == TOP_BAND
    assert reference.rate_book(supervisor) is imported
    june = dt.date(2027, 6, 1)
    with open_as(data_dir, "petugas") as officer:
        assert enrolment.check(officer, january(start_month=june)).contribution.jkm == 7_000
        rates = exported["rates"]
        later = {**rates, "version": "2027-06-jkm-7500", "effective_from": "2027-06",
                 "rates": [{**rates["rates"][1], "from": "2027-06", "jkm_flat": 7_500}]}
        reference.apply(supervisor, {**exported, "rates": later}, source="test")  # by another workspace
        assert enrolment.check(officer, january(start_month=june)).contribution.jkm == 7_500  # read again


def test_an_imported_list_uses_the_imported_table(officer, supervisor, newer, tmp_path):
    path = tmp_path / "daftar.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([
            ["NIK", "Nama", "Tempat lahir", "Tanggal lahir", "L/P", "Alamat", "RT/RW", "Desa", "Pekerjaan"],
            [nik_for(dt.date(1990, 7, 12), "L", 3), "Budi Santoso", "Bekasi", "12/07/1990", "L", "Kp. Pulo 12",
             "3/5", VILLAGE, "Petani"]])
    options = ImportOptions(village_code=VILLAGE, income_band=TOP_BAND, start_month=JANUARY)
    refused = imports.run(officer, path, options, today=JANUARY)
    assert (refused.imported, refused.rejected) == (0, 1)
    assert [p.english for p in refused.problems if p.kind == "error"] == [
        "Income band Rp21,200,000 is not in the rate table; choose one of the bands."]
    reference.import_file(supervisor, newer)
    done = imports.run(officer, path, options, today=JANUARY)
    assert (done.imported, done.rejected) == (1, 0)
