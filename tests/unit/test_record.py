"""The wire format of one record: to_record/from_record round-trip, and garbage in never means a crash."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.domain.enrolment import Enrolment, validate
from fieldapp.domain.record import MalformedRecord, RecordMeta, from_record, to_record

WIB = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 5, 4, 9, 30, tzinfo=WIB)


def enrolment(**changes) -> Enrolment:
    base = dict(
        nik="3216061207900003", full_name="Budi Santoso", birth_place="Bekasi", birth_date=dt.date(1990, 7, 12),
        sex="L", street="Kp. Pulo No. 12", rt="003", rw="005", village_code="3216062002", phone="+6281234567890",
        occupation="petani", income_band=1_000_000, programs=("JKK", "JKM"), funding_source="apbd",
        sector="other", start_month=dt.date(2026, 5, 1), heir_name="Siti Aminah", heir_relationship="istri",
        heir_phone="", consent_given_at=NOW, kk_number="", mother_name="", email="", period_months=1,
    )
    base.update(changes)
    return Enrolment(**base)


META = RecordMeta("0b7c2a8e-5d0e-4d5e-9a55-2f6f7f1c1e01", 2, 1, "budi", "visit-7", NOW, NOW)


def test_round_trip_is_exact():
    e = enrolment(kk_number="3216060101200001", mother_name="Ibu Budi", email="b@x.id", heir_phone="+6281111111")
    record = to_record(e, META)
    assert json.loads(json.dumps(record)) == record  # plain JSON types only
    assert from_record(json.loads(json.dumps(record))) == (e, META)


def test_optional_fields_travel_as_null_and_come_back_empty():
    record = to_record(enrolment(), META)
    assert record["kk_number"] is None and record["heir"]["phone"] is None and record["email"] is None
    e, _ = from_record(record)
    assert e.kk_number == "" and e.heir_phone == "" and e.email == ""


def test_record_passes_the_same_rules_after_the_trip():
    e, _ = from_record(json.loads(json.dumps(to_record(enrolment(), META))))
    assert validate(e, today=dt.date(2026, 5, 4)).ok


@pytest.mark.parametrize("mutate, field", [
    (lambda r: r.pop("nik"), "nik"),
    (lambda r: r.update(revision="2"), "revision"),
    (lambda r: r.update(revision=True), "revision"),
    (lambda r: r.update(base_revision=2), "revision"),
    (lambda r: r.update(address=None), "address"),
    (lambda r: r["address"].update(rt=3), "address.rt"),
    (lambda r: r.update(programs=["JKK", 1]), "programs"),
    (lambda r: r.update(start_month="2026-13"), "birth_date/start_month"),
    (lambda r: r.update(birth_date="12-07-1990"), "birth_date/start_month"),
    (lambda r: r.update(enrolled_at="2026-05-04T09:30:00"), "enrolled_at"),
    (lambda r: r["consent"].update(given_at="kemarin"), "consent.given_at"),
])
def test_structural_faults_name_the_field(mutate, field):
    record = to_record(enrolment(), META)
    mutate(record)
    with pytest.raises(MalformedRecord) as err:
        from_record(record)
    assert err.value.field == field and err.value.code == "malformed"
    assert err.value.indonesian and err.value.english


texts = st.text(max_size=40)
optional_texts = st.none() | texts
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | texts
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(texts, inner, max_size=4), max_leaves=12)


@st.composite
def near_records(draw) -> dict:
    """A valid record with a few fields replaced by random values of random types."""
    record = to_record(enrolment(), META)
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.sampled_from(sorted(record)))
        target = record
        if isinstance(record[key], dict) and record[key] and draw(st.booleans()):
            target, key = record[key], draw(st.sampled_from(sorted(record[key])))
        target[key] = draw(json_values)
    return record


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(near_records())
def test_random_fields_raise_only_malformed(record):
    try:
        e, _meta = from_record(record)
    except MalformedRecord:
        return
    validate(e, today=dt.date(2026, 5, 4))  # whatever got through, the rules can look at it


@settings(max_examples=300)
@given(json_values)
def test_garbage_raises_only_malformed(value):
    with pytest.raises(MalformedRecord):
        from_record(value)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(full_name=texts, birth_place=texts, street=texts, rt=texts, rw=texts, phone=texts,
       revision=st.integers(1, 2**31 - 1), income_band=st.integers(-10**12, 10**12), email=texts,
       kk_number=texts, mother_name=texts, guardian=texts, period=st.integers(1, 10**6))
def test_round_trip_with_random_strings_and_ints(full_name, birth_place, street, rt, rw, phone, revision,
                                                 income_band, email, kk_number, mother_name, guardian, period):
    e = enrolment(full_name=full_name, birth_place=birth_place, street=street, rt=rt, rw=rw, phone=phone,
                  income_band=income_band, email=email, kk_number=kk_number, mother_name=mother_name,
                  guardian_name=guardian, period_months=period)
    meta = RecordMeta(META.uuid, revision, revision - 1, "budi", None, NOW, NOW)
    back, back_meta = from_record(json.loads(json.dumps(to_record(e, meta))))
    assert back == e and back_meta == meta
