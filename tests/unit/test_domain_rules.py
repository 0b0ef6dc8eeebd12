import datetime as dt
from dataclasses import replace

import pytest

from fieldapp.domain import eligibility, occupations, regions
from fieldapp.domain.enrolment import validate
from fieldapp.domain.kk import InvalidKk, parse_kk
from fieldapp.domain.phone import normalize_phone
from fieldapp.errors import UserFacingError
from tests.factories import TODAY, enrolment


def test_kk_parsed():
    kk = parse_kk("3216061503150007", today=TODAY)
    assert kk.district_code == "32.16.06"
    assert kk.issue_date == dt.date(2015, 3, 15)
    assert kk.serial == "0007"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("321606150315000", "format"),
        ("3216065503150007", "date_invalid"),
        ("3216061503150000", "serial_zero"),
        ("9916061503150007", "province_unknown"),
        ("3200061503150007", "region_zero"),
    ],
)
def test_kk_errors(text, reason):
    with pytest.raises(InvalidKk) as exc:
        parse_kk(text, today=TODAY)
    assert reason in exc.value.reasons


@pytest.mark.parametrize("text", ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "081234567890"])
def test_phone_normalized_to_e164(text):
    phone = normalize_phone(text)
    assert phone.e164 == "+6281234567890"
    assert phone.national == "0812-3456-7890"
    assert phone.mobile


@pytest.mark.parametrize("text", ["12345", "0812", "hello", ""])
def test_bad_phone_names_the_field(text):
    with pytest.raises(UserFacingError) as exc:
        normalize_phone(text, field="heir_phone")
    assert exc.value.field == "heir_phone"


def test_occupations_have_both_labels():
    codes = [o.code for o in occupations.OCCUPATIONS]
    assert codes == [
        "petani",
        "nelayan",
        "guru_mengaji",
        "marbot",
        "pedagang",
        "ojek",
        "kader_posyandu",
        "ketua_rt_rw",
        "honorer",
        "buruh_harian",
        "pekerja_rumah_tangga",
        "lainnya",
    ]
    assert all(o.label_id and o.label_en for o in occupations.OCCUPATIONS)
    assert occupations.get("ojek").sector == "transport"


def test_age_and_limits():
    assert eligibility.age_on(dt.date(2000, 11, 22), TODAY) == 25
    assert eligibility.age_on(dt.date(2000, 11, 21), TODAY) == 26
    e = eligibility.check_age(dt.date(2010, 1, 1), TODAY)
    assert (e.age, e.within_limits, e.needs_guardian_consent) == (16, True, True)
    assert not eligibility.check_age(dt.date(1950, 1, 1), TODAY).within_limits
    assert eligibility.check_age(dt.date(1950, 1, 1), TODAY, eligibility.AgeLimits(15, 80)).within_limits


def test_regions_from_lokal():
    assert regions.get("32.16").name == "Kabupaten Bekasi"
    assert regions.is_known("3216062002")
    assert regions.dotted("3216062002") == "32.16.06.2002"
    bekasi = [r for r in regions.all_regions() if r.code.startswith("32.16.")]
    assert sum(r.level == 3 for r in bekasi) == 23
    assert sum(r.level == 4 for r in bekasi) == 187
    assert "kepmendagri-2025" in regions.DATA_VERSION


def test_valid_enrolment_is_normalized():
    f = validate(enrolment(), today=TODAY)
    assert f.ok, f.errors
    assert (f.normalized.rt, f.normalized.rw, f.normalized.phone) == ("003", "005", "+6281234567890")
    assert f.contribution.total == 16_800
    assert f.nik_info.sex == "L"


def test_each_hard_error_names_its_field():
    bad = replace(
        enrolment(),
        nik="123",
        full_name="",
        birth_place="",
        rt="12a",
        village_code="3216069999",
        occupation="astronot",
        income_band=1_234_567,
        consent_given_at=None,
        phone="12",
    )
    f = validate(bad, today=TODAY)
    assert set(f.errors) == {
        "nik",
        "full_name",
        "birth_place",
        "rt",
        "village",
        "occupation",
        "income_band",
        "consent",
        "phone",
    }
    assert all(len(pair) == 2 and pair[0] and pair[1] for pair in f.errors.values())


def test_nik_mismatch_is_only_a_warning():
    f = validate(replace(enrolment(), birth_date=dt.date(1990, 7, 13), sex="P"), today=TODAY)
    assert f.ok
    assert {"birth_date", "sex"} <= set(f.warnings)


def test_missing_phone_and_heir_are_warnings():
    f = validate(replace(enrolment(), phone="", heir_name=""), today=TODAY)
    assert f.ok
    assert {"phone", "heir_name"} <= set(f.warnings)


def test_minor_needs_a_guardian():
    minor = enrolment(birth_date=dt.date(2010, 3, 4))
    assert "guardian_name" in validate(minor, today=TODAY).errors
    assert validate(replace(minor, guardian_name="Siti Aminah"), today=TODAY).ok


def test_age_outside_limits_warns():
    f = validate(enrolment(birth_date=dt.date(1950, 3, 4)), today=TODAY)
    assert f.ok and "birth_date" in f.warnings
