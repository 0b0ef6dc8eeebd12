"""Property tests of the domain rules: whatever they are given, they answer or raise our own errors, and the
round trips hold (a generated NIK parses back to what made it, its mask hides what DOMAIN.md says, a record
survives ``to_record``/``from_record``)."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import replace

from hypothesis import event, given
from hypothesis import strategies as st

from fieldapp.domain import contributions, eligibility, enrolment, regions
from fieldapp.domain.kk import InvalidKk, normalize_kk, parse_kk
from fieldapp.domain.nik import InvalidNik, mask_nik, normalize_nik, parse_nik
from fieldapp.domain.phone import normalize_phone
from fieldapp.domain.record import MalformedRecord, RecordMeta, from_record, to_record
from fieldapp.errors import UserFacingError
from tests.factories import enrolment as make_enrolment
from tests.unit.test_properties_support import run, size, tried

__all__ = ["size"]  # the fixture, imported for pytest

TODAY = dt.date(2026, 11, 21)
WIB = dt.timezone(dt.timedelta(hours=7))
PROVINCES = sorted(regions.PROVINCE_CODES)
DIGITS = "0123456789"
# Characters that look like digits or separators and that forms and imports really meet.
LOOKALIKES = "０１２３４５６７８９٠١٢٣٤٥٦٧٨٩²³¹Oo lI.-‐–— \t\u00a0\u200b'"

digit_texts = st.text(alphabet=DIGITS, min_size=14, max_size=18)
nik_like = st.one_of(
    digit_texts,
    st.text(alphabet=DIGITS + LOOKALIKES, min_size=12, max_size=20),
    st.text(max_size=24),
)


@st.composite
def valid_niks(draw) -> tuple[str, dt.date, str, int]:
    """(NIK, birth date, sex, serial): any province, any non-zero regency and kecamatan, any real date."""
    birth = draw(st.dates(min_value=dt.date(TODAY.year - 99, TODAY.month, TODAY.day) + dt.timedelta(days=1),
                          max_value=TODAY))
    sex = draw(st.sampled_from("LP"))
    serial = draw(st.integers(1, 9999))
    region = f"{draw(st.sampled_from(PROVINCES))}{draw(st.integers(1, 99)):02d}{draw(st.integers(1, 99)):02d}"
    day = birth.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth:%m%y}{serial:04d}", birth, sex, serial


# -- NIK ----------------------------------------------------------------------------------------------------------

def test_parse_nik_raises_only_invalid_nik(size):
    @given(nik_like)
    def prop(text):
        tried("parse_nik")
        try:
            info = parse_nik(text, today=TODAY)
        except InvalidNik as exc:
            assert exc.reasons and exc.indonesian and exc.english and exc.field == "nik"
            event(f"invalid: {exc.reasons[0]}")
            return
        event("valid")
        assert len(info.nik) == 16 and info.nik.isascii() and info.nik.isdigit()
        assert info.birth_date <= TODAY and info.sex in "LP" and info.serial != "0000"

    run("parse_nik", prop, size, 600)


def test_generated_nik_parses_back_and_its_mask_hides_region_and_birth(size):
    @given(valid_niks())
    def prop(generated):
        tried("nik_round_trip")
        nik, birth, sex, serial = generated
        info = parse_nik(nik, today=TODAY)
        event("warning" if info.warnings else "known region")
        assert (info.birth_date, info.sex, int(info.serial)) == (birth, sex, serial)
        assert info.district_code == f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}"
        masked = mask_nik(nik)
        # DOMAIN.md: 3216********9003: kecamatan, birth date and sex are hidden, province+regency and serial shown.
        assert masked == nik[:4] + "*" * 8 + nik[12:]
        assert nik[4:12] not in masked.replace("*", "")

    run("nik_round_trip", prop, size, 400)


def test_mask_never_shows_more_than_eight_characters(size):
    @given(st.text(max_size=40))
    def prop(text):
        tried("mask_nik")
        masked = mask_nik(text)
        assert len(masked) == len(text)
        assert sum(1 for a, b in zip(masked, text, strict=True) if a == b and a != "*") <= 8

    run("mask_nik", prop, size, 300)


def test_normalize_nik_undoes_what_forms_and_lists_add(size):
    separators = st.text(alphabet=" .-‐‑–—\t\u00a0\u3000", max_size=2)

    @given(valid_niks(), st.lists(separators, min_size=17, max_size=17), st.booleans())
    def prop(generated, seps, full_width):
        tried("normalize_nik")
        nik = generated[0]
        digits = [chr(ord(c) + 0xFEE0) for c in nik] if full_width else list(nik)  # full-width ０-９
        written = "".join(s + d for s, d in zip(seps, [*digits, ""], strict=True))
        assert normalize_nik(written) == nik
        assert normalize_nik(normalize_nik(written)) == nik
        assert parse_nik(normalize_nik(written), today=TODAY).nik == nik

    run("normalize_nik", prop, size, 300)


def test_normalize_nik_is_total_idempotent_and_keeps_letters(size):
    @given(st.one_of(st.none(), st.text(max_size=30)))
    def prop(text):
        tried("normalize_nik_any")
        once = normalize_nik(text)
        assert normalize_nik(once) == once
        assert not any(c.isspace() or c in ".-" for c in once)
        assert once.count("0") == unicodedata.normalize("NFKC", text or "").count("0")  # a letter O never becomes 0

    run("normalize_nik_any", prop, size, 300)


# -- KK, phone, regions -------------------------------------------------------------------------------------------

def test_parse_kk_raises_only_invalid_kk_and_parses_generated_numbers(size):
    @given(nik_like, valid_niks())
    def prop(text, generated):
        tried("parse_kk")
        try:
            info = parse_kk(normalize_kk(text), today=TODAY)
            event("valid")
            assert len(info.number) == 16 and info.issue_date <= TODAY
        except InvalidKk as exc:
            assert exc.reasons and exc.field == "kk_number"
            event(f"invalid: {exc.reasons[0]}")
        nik, birth, _sex, _serial = generated
        kk = nik[:6] + f"{birth:%d%m%y}" + nik[12:]  # a KK carries its issue date without the +40
        assert parse_kk(kk, today=TODAY).issue_date == birth

    run("parse_kk", prop, size, 400)


MOBILE_PREFIXES = ["0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0858", "0877", "0878", "0896"]
phone_like = st.one_of(
    st.text(max_size=24),
    st.text(alphabet=DIGITS + "+() -.", max_size=20),
    st.builds(lambda p, rest: p + rest, st.sampled_from(["0", "62", "+62", "+62 ", "08", "8", "(021) "]),
              st.text(alphabet=DIGITS, max_size=13)),
)


def test_phone_raises_only_user_facing_errors_and_normalising_is_stable(size):
    @given(phone_like, st.sampled_from(MOBILE_PREFIXES), st.text(alphabet=DIGITS, min_size=7, max_size=8))
    def prop(text, prefix, rest):
        tried("phone")
        try:
            phone = normalize_phone(text)
        except UserFacingError as exc:
            assert exc.field == "phone" and exc.code == "invalid_phone"
            event("invalid")
        else:
            event("valid")
            assert phone.e164.startswith("+62") and phone.e164[1:].isdigit()
            assert normalize_phone(phone.e164) == phone == normalize_phone(phone.national)
        mobile = normalize_phone(prefix + rest)
        assert mobile.mobile and mobile.e164 == "+62" + (prefix + rest)[1:]

    run("phone", prop, size, 400)


region_like = st.one_of(
    st.text(max_size=16),
    st.text(alphabet=DIGITS + ".", max_size=16),
    st.sampled_from(["32", "32.16", "3216", "32.16.06", "321606", "3216062002", "32.16.06.2002", "9999999999"]),
)


def test_region_lookups_never_raise_and_codes_convert_both_ways(size):
    @given(region_like)
    def prop(code):
        tried("regions")
        known = regions.is_known(code)
        region = regions.get(code)
        name = regions.name_of(code)
        assert (region is None) == (name is None)
        event("known" if known else "unknown")
        if region is not None:
            assert known and region.name == name
            assert regions.dotted(region.compact) == region.code
            assert regions.is_known(region.compact) and regions.is_known(region.code)
            if region.parent_code:
                assert regions.is_known(region.parent_code)

    run("regions", prop, size, 300)


# -- the whole enrolment --------------------------------------------------------------------------------------------

any_text = st.text(max_size=30)
field_text = st.one_of(any_text, st.text(alphabet=DIGITS + " .-/", max_size=20))
enrolment_changes = st.fixed_dictionaries({}, optional={
    "nik": nik_like,
    "full_name": any_text,
    "birth_place": any_text,
    "birth_date": st.one_of(st.none(), st.dates()),
    "sex": st.sampled_from(["L", "P", "", "l", "X"]),
    "street": any_text,
    "rt": field_text,
    "rw": field_text,
    "village_code": st.one_of(field_text, st.sampled_from(["3216062002", "3216061001", "3275011001"])),
    "phone": phone_like,
    "occupation": st.one_of(any_text, st.sampled_from(["petani", "ojek", "lainnya"])),
    "income_band": st.one_of(st.integers(), st.sampled_from([1_000_000, 1_500_000, 20_700_000])),
    "programs": st.lists(st.sampled_from(["JKK", "JKM", "JHT", "JKP", ""]), max_size=4).map(tuple),
    "funding_source": st.one_of(any_text, st.sampled_from(contributions.FUNDING_SOURCES)),
    "sector": st.one_of(any_text, st.sampled_from(contributions.SECTORS)),
    "start_month": st.dates().map(lambda d: d.replace(day=1)),
    "heir_name": any_text,
    "heir_relationship": st.one_of(any_text, st.sampled_from(list(enrolment.HEIR_RELATIONSHIPS))),
    "heir_phone": phone_like,
    "consent_given_at": st.one_of(st.none(), st.datetimes(timezones=st.just(WIB))),
    "guardian_name": any_text,
    "kk_number": nik_like,
    "period_months": st.integers(-10, 10**6),
})


def test_validate_never_raises_and_a_valid_result_is_normalised(size):
    @given(enrolment_changes)
    def prop(changes):
        tried("validate")
        e = replace(make_enrolment(), **changes)
        findings = enrolment.validate(e, today=TODAY)
        for problems in (findings.errors, findings.warnings):
            assert all(isinstance(i, str) and isinstance(en, str) and i and en for i, en in problems.values())
        event("ok" if findings.ok else "refused: " + ",".join(sorted(findings.errors)))
        if findings.ok:
            n = findings.normalized
            assert n is not None and findings.contribution is not None and findings.nik_info is not None
            assert len(n.rt) == 3 and len(n.rw) == 3
            assert n.phone == "" or n.phone.startswith("+62")
            assert enrolment.validate(n, today=TODAY).ok  # normalising keeps it valid
        else:
            assert findings.normalized is None

    run("validate", prop, size, 400)


def test_every_generated_valid_person_validates(size):
    @given(valid_niks(), st.sampled_from([b for b in contributions.default_rates().income_bands]))
    def prop(generated, band):
        tried("validate_valid")
        nik, birth, sex, _serial = generated
        e = make_enrolment(nik=nik, birth_date=birth, sex=sex, income_band=band, guardian_name="Ibu Wali")
        findings = enrolment.validate(e, today=TODAY)
        assert findings.ok, findings.errors
        assert "sex" not in findings.warnings
        within = eligibility.check_age(birth, TODAY).within_limits
        assert ("birth_date" in findings.warnings) == (not within)  # only the age can be wrong here

    run("validate_valid", prop, size, 200)


# -- the wire record ------------------------------------------------------------------------------------------------

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                         st.floats(allow_nan=False), st.text(max_size=12))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                                 st.dictionaries(st.text(max_size=8), inner,
                                                                                 max_size=3)), max_leaves=8)
date_texts = st.one_of(st.text(max_size=12), st.text(alphabet=DIGITS + "-:T+Z.", max_size=32),
                       st.builds(lambda y, m: f"{y}-{m}", st.integers(-5, 10**25), st.integers(-3, 20)),
                       st.dates().map(dt.date.isoformat))
NOW = dt.datetime(2026, 11, 21, 9, 30, tzinfo=WIB)
META = RecordMeta("7c9e6679-7425-40de-944b-e07fc1f90ae7", 2, 1, "budi", None, NOW, NOW)
BASE_RECORD = to_record(make_enrolment(), META)
NESTED = {"address": ("street", "rt", "rw", "village_code"), "heir": ("name", "relationship", "phone"),
          "consent": ("given_at", "method", "guardian_name")}


@st.composite
def damaged_records(draw) -> object:
    """A valid record with some fields (top-level or nested) replaced by anything, or dropped."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    record = json.loads(json.dumps(BASE_RECORD))
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.sampled_from(sorted(record)))
        value = draw(st.one_of(json_values, date_texts))
        if key in NESTED and isinstance(record[key], dict) and draw(st.booleans()):
            record[key][draw(st.sampled_from(NESTED[key]))] = value
        elif draw(st.integers(0, 4)) == 0:
            record.pop(key)
        else:
            record[key] = value
    return record


def test_from_record_raises_only_malformed_record(size):
    @given(damaged_records())
    def prop(record):
        tried("from_record")
        try:
            e, meta = from_record(record)
        except MalformedRecord as exc:
            assert exc.field and exc.code == "malformed"
            event(f"malformed: {exc.field}")
            return
        event("parsed")
        assert meta.revision >= 1 and 0 <= meta.base_revision < meta.revision
        assert e.consent_given_at is None or e.consent_given_at.tzinfo is not None
        enrolment.validate(e, today=TODAY)  # whatever got through, the rules can look at

    run("from_record", prop, size, 500)


valid_enrolments = st.builds(
    lambda generated, band, programs, start, consent, phone, kk, period, method, names: make_enrolment(
        nik=generated[0], birth_date=generated[1], sex=generated[2], income_band=band, programs=programs,
        start_month=start, consent_given_at=consent, phone=phone, kk_number=kk, period_months=period,
        consent_method=method, full_name=names[0], heir_name=names[1], mother_name=names[2]),
    valid_niks(), st.sampled_from(contributions.default_rates().income_bands),
    st.sampled_from([("JKK", "JKM"), ("JKK", "JKM", "JHT")]),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 1)).map(lambda d: d.replace(day=1)),
    st.one_of(st.none(), st.datetimes(timezones=st.sampled_from([WIB, dt.timezone.utc,
                                                                 dt.timezone(dt.timedelta(hours=9))]))),
    st.one_of(st.just(""), st.just("+6281234567890")), st.one_of(st.just(""), valid_niks().map(lambda g: g[0])),
    st.integers(1, 12), st.sampled_from(enrolment.CONSENT_METHODS), st.tuples(any_text, any_text, any_text),
)


def test_to_record_from_record_round_trip(size):
    @given(valid_enrolments, st.integers(1, 2**31 - 1), st.one_of(st.none(), st.uuids().map(str)))
    def prop(e, revision, visit):
        tried("record_round_trip")
        meta = replace(META, revision=revision, base_revision=revision - 1, visit_id=visit)
        wire = json.loads(json.dumps(to_record(e, meta)))
        back, back_meta = from_record(wire)
        assert back == e and back_meta == meta
        assert to_record(back, back_meta) == wire

    run("record_round_trip", prop, size, 300)


