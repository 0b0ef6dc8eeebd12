import datetime as dt

import pytest

from fieldapp.domain.contributions import RateTable, default_rates, monthly_contribution
from fieldapp.errors import UserFacingError

BASIC = ("JKK", "JKM")
FULL = ("JKK", "JKM", "JHT")


def total(band=1_000_000, programs=BASIC, month=(2025, 6), sector="other", funding="self", **kw):
    return monthly_contribution(band, programs, dt.date(*month, 1), sector, funding, **kw)


def test_minimum_package_before_relief():
    c = total()
    assert (c.jkk, c.jkm, c.jht, c.total) == (10_000, 6_800, 0, 16_800)
    assert c.discount is None


def test_with_jht():
    assert total(programs=FULL).total == 36_800


def test_jkk_and_jht_follow_the_band():
    c = total(band=2_500_000, programs=FULL)
    assert (c.jkk, c.jkm, c.jht) == (25_000, 6_800, 50_000)


def test_top_band():
    assert total(band=20_700_000).jkk == 207_000


@pytest.mark.parametrize(
    ("month", "sector", "halved"),
    [
        ((2025, 12), "transport", False),
        ((2026, 1), "transport", True),
        ((2027, 3), "transport", True),
        ((2027, 4), "transport", False),
        ((2026, 3), "other", False),
        ((2026, 4), "other", True),
        ((2026, 12), "other", True),
        ((2027, 1), "other", False),
    ],
)
def test_pp_50_2025_windows(month, sector, halved):
    c = total(month=month, sector=sector, programs=FULL)
    assert (c.jkk, c.jkm) == ((5_000, 3_400) if halved else (10_000, 6_800))
    assert c.jht == 20_000  # JHT is never halved
    assert (c.discount is not None) == halved


@pytest.mark.parametrize(("funding", "halved"), [("apbn", False), ("apbd", False), ("donor", True), ("self", True)])
def test_apbn_and_apbd_are_excluded_from_relief(funding, halved):
    assert total(month=(2026, 6), funding=funding).total == (8_400 if halved else 16_800)


def test_dana_desa_counts_as_apbd_unless_the_setting_says_otherwise():
    assert total(month=(2026, 6), funding="dana_desa").total == 16_800
    assert total(month=(2026, 6), funding="dana_desa", dana_desa_counts_as_apbd=False).total == 8_400


@pytest.mark.parametrize("band", [999_999, 1_200_000, 50_000_000, 0])
def test_band_outside_the_table_is_an_error(band):
    with pytest.raises(UserFacingError) as exc:
        total(band=band)
    assert exc.value.field == "income_band"


def test_programs_must_include_jkk_and_jkm():
    with pytest.raises(UserFacingError) as exc:
        total(programs=("JKK",))
    assert exc.value.field == "programs"
    with pytest.raises(UserFacingError):
        total(programs=("JKK", "JKM", "XYZ"))


def test_unknown_sector_and_funding():
    with pytest.raises(UserFacingError):
        total(sector="fishing")
    with pytest.raises(UserFacingError):
        total(funding="bank")


def test_rate_table_is_data():
    rates = default_rates()
    assert rates.income_bands[0] == 1_000_000
    custom = RateTable(rates.version, rates.income_bands, ({**rates.rates[0], "jkm_flat": 7_000},), ())
    assert total(rates=custom).jkm == 7_000


def test_month_before_any_rate():
    with pytest.raises(UserFacingError):
        total(month=(2010, 1))
