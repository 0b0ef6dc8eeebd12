import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp.domain.nik import InvalidNik, mask_nik, normalize_nik, parse_nik

TODAY = dt.date(2026, 11, 21)


def reasons(text: str) -> tuple[str, ...]:
    with pytest.raises(InvalidNik) as exc:
        parse_nik(text, today=TODAY)
    return exc.value.reasons


def test_man_parsed_into_parts():
    info = parse_nik("3216061207900003", today=TODAY)
    assert (info.province_code, info.regency_code, info.district_code) == ("32", "32.16", "32.16.06")
    assert info.birth_date == dt.date(1990, 7, 12)
    assert info.sex == "L"
    assert info.serial == "0003"
    assert info.warnings == ()


def test_woman_day_plus_40():
    info = parse_nik("3216065207900003", today=TODAY)
    assert info.sex == "P"
    assert info.birth_date == dt.date(1990, 7, 12)


@pytest.mark.parametrize(("dd", "sex", "day"), [("01", "L", 1), ("31", "L", 31), ("41", "P", 1), ("71", "P", 31)])
def test_day_bounds(dd, sex, day):
    info = parse_nik(f"321606{dd}0190" + "0001", today=TODAY)
    assert (info.sex, info.birth_date.day) == (sex, day)


@pytest.mark.parametrize("dd", ["00", "32", "40", "72", "99"])
def test_impossible_day(dd):
    assert reasons(f"321606{dd}01900001") == ("day_invalid",)


@pytest.mark.parametrize("mm", ["00", "13", "99"])
def test_impossible_month(mm):
    assert reasons(f"32160612{mm}900001") == ("month_invalid",)


def test_31_february_is_not_a_date():
    assert reasons("3216063102900001") == ("date_invalid",)


def test_leap_day_only_in_leap_years():
    assert parse_nik("3216062902960001", today=TODAY).birth_date == dt.date(1996, 2, 29)
    assert parse_nik("3216066902960001", today=TODAY).birth_date == dt.date(1996, 2, 29)  # a woman
    assert reasons("3216062902970001") == ("date_invalid",)


def test_leap_day_of_2000():
    assert parse_nik("3216062902000001", today=TODAY).birth_date == dt.date(2000, 2, 29)


def test_century_follows_the_reference_date():
    # 20YY unless that date would be after the reference date.
    assert parse_nik("3216062111260001", today=TODAY).birth_date == dt.date(2026, 11, 21)
    assert parse_nik("3216062211260001", today=TODAY).birth_date == dt.date(1926, 11, 22)
    assert parse_nik("3216061207050001", today=TODAY).birth_date == dt.date(2005, 7, 12)
    assert parse_nik("3216061207050001", today=dt.date(2004, 1, 1)).birth_date == dt.date(1905, 7, 12)


def test_today_defaults_to_the_real_date():
    assert parse_nik("3216061207900003").birth_date == dt.date(1990, 7, 12)


def test_serial_0000_is_invalid():
    assert reasons("3216061207900000") == ("serial_zero",)


@pytest.mark.parametrize(
    "pp", ["10", "20", "22", "30", "37", "50", "54", "60", "66", "70", "77", "80", "83", "90", "97", "00"]
)
def test_unknown_province(pp):
    assert reasons(f"{pp}16061207900003") == ("province_unknown",)


def test_regency_and_kecamatan_00_are_hard_errors():
    assert reasons("3200061207900003") == ("regency_zero",)
    assert reasons("3216001207900003") == ("district_zero",)


def test_unknown_regency_or_kecamatan_in_known_province_are_warnings():
    assert parse_nik("3269061207900003", today=TODAY).warnings == ("regency_unknown",)
    assert parse_nik("3216991207900003", today=TODAY).warnings == ("district_unknown",)


@pytest.mark.parametrize("text", ["321606120790000", "32160612079000031", "1"])
def test_wrong_length(text):
    assert "length" in reasons(text)


def test_letters_are_reported_not_guessed():
    assert reasons("32160612O7900003") == ("not_digits",)  # letter O, not zero
    assert set(reasons("32160612O790000")) == {"length", "not_digits"}


def test_non_ascii_digits_are_refused_by_the_strict_parser():
    assert reasons("３２１６０６１２０７９０００03") == ("not_digits",)


def test_empty():
    assert reasons("") == ("empty",)


def test_every_reason_is_reported_at_once():
    assert set(reasons("9900003202000000")) == {
        "province_unknown",
        "regency_zero",
        "district_zero",
        "day_invalid",
        "serial_zero",
    }


def test_message_in_both_languages():
    with pytest.raises(InvalidNik) as exc:
        parse_nik("32160612079000", today=TODAY)
    assert "16 digit" in exc.value.indonesian and "sekarang 14" in exc.value.indonesian
    assert "16 digits" in exc.value.english
    assert isinstance(exc.value, ValueError)
    assert exc.value.text("en") == exc.value.english


def test_normalize_strips_spaces_dots_dashes_and_fullwidth():
    assert normalize_nik(" 3216.0612-0790 0003 ") == "3216061207900003"
    assert normalize_nik("３２１６０６１２０７９００００３") == "3216061207900003"
    assert normalize_nik("32160612O7900003") == "32160612O7900003"  # letters stay in
    assert normalize_nik("3216\t0612\u00a007900003") == "3216061207900003"


def test_mask():
    assert mask_nik("3216061207909003") == "3216********9003"


@given(st.text(max_size=24))
def test_parse_never_fails_except_with_invalid_nik(text):
    try:
        info = parse_nik(text, today=TODAY)
    except InvalidNik as exc:
        assert exc.reasons
    else:
        assert len(info.nik) == 16 and info.nik.isdigit()


@given(
    st.dates(min_value=dt.date(1927, 1, 1), max_value=TODAY),
    st.sampled_from("LP"),
    st.integers(1, 9999),
    st.sampled_from(["321606", "320101", "110101", "960101"]),
)
def test_generated_niks_round_trip(birth, sex, serial, district):
    day = birth.day + (40 if sex == "P" else 0)
    info = parse_nik(f"{district}{day:02d}{birth:%m%y}{serial:04d}", today=TODAY)
    assert (info.birth_date, info.sex, int(info.serial)) == (birth, sex, serial)
