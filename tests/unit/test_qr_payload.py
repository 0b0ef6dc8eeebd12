"""The signed QR payload: round trips, tampering, garbage, keys. Pure: no PDF, no Qt."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.certificates import base45
from fieldapp.certificates import payload as pl
from fieldapp.certificates.payload import PayloadFields, sign_payload, verify_payload

PRIVATE, PUBLIC = pl.generate_keypair()
KEY_ID = pl.key_id_for(PUBLIC)
KEYS = {KEY_ID: PUBLIC}
OTHER_PRIVATE, OTHER_PUBLIC = pl.generate_keypair()

FIELDS = PayloadFields(
    serial="SRT-3216-2026-000123",
    participant_uuid="6f1c2a4e-8b0d-4c5e-9a7b-1d2e3f405162",
    number="26012345678",
    number_kind="kpj",
    issue_date=dt.date(2026, 11, 21),
)


def test_round_trip_kpj_and_local_number():
    text = sign_payload(FIELDS, PRIVATE, KEY_ID)
    result = verify_payload(text, KEYS)
    assert result.valid and result.code == "ok" and result.fields == FIELDS and result.key_id == KEY_ID
    local = PayloadFields(FIELDS.serial, FIELDS.participant_uuid, "3216062001-A7-000123", "local", FIELDS.issue_date)
    assert verify_payload(sign_payload(local, PRIVATE, KEY_ID), KEYS).fields == local


def test_text_is_compact_and_shaped_as_documented():
    text = sign_payload(
        PayloadFields(FIELDS.serial, FIELDS.participant_uuid, "3216062001-A7-000123", "local", FIELDS.issue_date),
        PRIVATE,
        KEY_ID,
    )
    assert len(text) < 220
    version, key_id, blob = text.split(":", 2)
    assert (version, key_id) == ("FA1", KEY_ID)
    assert len(base45.decode(blob)) == 64 + 21 + len(FIELDS.serial) + len("3216062001-A7-000123")
    assert set(text) <= set(base45.ALPHABET)  # the QR code's alphanumeric mode
    code = segno.make(text, error="m", micro=False, mask=0, boost_error=False)
    assert (code.mode, code.version) == ("alphanumeric", 8)


def test_no_nik_or_name_in_payload():
    text = sign_payload(FIELDS, PRIVATE, KEY_ID)
    raw = base45.decode(text.split(":", 2)[2])[64:]
    # uuid, date, kind, serial length, serial, number: nothing else travels
    assert len(raw) == 21 + len(FIELDS.serial) + len(FIELDS.number)
    assert raw.endswith((FIELDS.serial + FIELDS.number).encode())


def test_every_single_character_change_is_rejected():
    text = sign_payload(FIELDS, PRIVATE, KEY_ID)
    for i, ch in enumerate(text):
        for replacement in {"A", "a", "0", "9", "-", " ", ".", ":", "Z", "%"} - {ch}:
            mutated = text[:i] + replacement + text[i + 1 :]
            result = verify_payload(mutated, KEYS)
            assert not result.valid, (i, replacement)
            assert result.reason_id and result.reason_en


def test_reasons():
    text = sign_payload(FIELDS, PRIVATE, KEY_ID)
    assert verify_payload(text, {}).code == "unknown_key"
    assert verify_payload(text, {KEY_ID: OTHER_PUBLIC}).code == "bad_signature"
    forged = sign_payload(FIELDS, OTHER_PRIVATE, KEY_ID)  # right key id, wrong private key
    assert verify_payload(forged, KEYS).code == "bad_signature"
    assert verify_payload("FA2" + text[3:], KEYS).code == "version"
    parts = text.split(":", 2)
    other_kid = "X" * len(KEY_ID)
    relabelled = ":".join([parts[0], other_kid, parts[2]])
    assert verify_payload(relabelled, {**KEYS, other_kid: PUBLIC}).code == "bad_signature"  # key id is signed


GARBAGE = [None, b"FA1:KID:ABC", 42, "", ":", "::", "FA1::", "FA1:KID:", "FA1:kid:AAA", "https://example.org/"]
GARBAGE += ["é" * 50, "FA1:KID:" + "A" * 5000, "FA1:KID:!!!", "FA1:KID:" + "0" * 150, "\x00FA1", "FA1:KID:A"]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_is_invalid_and_never_raises(garbage):
    result = verify_payload(garbage, KEYS)
    assert not result.valid and result.code in pl.REASONS and result.fields is None


def test_overflowing_base45_group_is_rejected():
    text = sign_payload(FIELDS, PRIVATE, KEY_ID)
    assert len(text.split(":", 2)[2]) % 3 == 0
    assert verify_payload(text[:-3] + ":::", KEYS).code == "malformed"  # 91124 does not fit two bytes


def test_sign_rejects_unencodable_fields():
    day = FIELDS.issue_date
    for bad in (
        PayloadFields("", FIELDS.participant_uuid, "1", "kpj", day),
        PayloadFields("S", FIELDS.participant_uuid, "", "kpj", day),
        PayloadFields("S" * 256, FIELDS.participant_uuid, "1", "kpj", day),
        PayloadFields("S", "not-a-uuid", "1", "kpj", day),
        PayloadFields("S", FIELDS.participant_uuid, "1", "nik", day),
        PayloadFields("S", FIELDS.participant_uuid, "1" * 400, "kpj", day),
    ):
        with pytest.raises(ValueError):
            sign_payload(bad, PRIVATE, KEY_ID)
    for bad_kid in ("bad.kid", "abc", "", "A" * 17):
        with pytest.raises(ValueError):
            sign_payload(FIELDS, PRIVATE, bad_kid)
    # separators are plain data in the length-prefixed fields
    odd = PayloadFields("A|B:C", FIELDS.participant_uuid, "x:y", "local", day)
    assert verify_payload(sign_payload(odd, PRIVATE, KEY_ID), KEYS).fields == odd


def test_key_serialisation_round_trips():
    raw = pl.private_key_to_bytes(PRIVATE)
    assert len(raw) == 32
    restored = pl.private_key_from_bytes(raw)
    assert pl.public_key_to_bytes(restored.public_key()) == pl.public_key_to_bytes(PUBLIC)
    assert pl.private_key_to_bytes(pl.private_key_from_text(pl.private_key_to_text(PRIVATE))) == raw
    published = pl.public_key_to_text(PUBLIC)
    assert len(published) == 43
    key = pl.public_key_from_text(published)
    assert verify_payload(sign_payload(FIELDS, restored, KEY_ID), {KEY_ID: key}).valid
    assert pl.key_id_for(key) == KEY_ID and len(KEY_ID) == 8
    assert set(KEY_ID) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    with pytest.raises(ValueError):
        pl.public_key_from_text("too-short")


# --- properties ---------------------------------------------------------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=24)
fields_strategy = st.builds(
    PayloadFields,
    serial=_text,
    participant_uuid=st.uuids().map(str),
    number=_text,
    number_kind=st.sampled_from(["kpj", "local"]),
    issue_date=st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)


@given(fields_strategy)
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_property_round_trip(fields):
    result = verify_payload(sign_payload(fields, PRIVATE, KEY_ID), KEYS)
    assert result.valid
    assert result.fields == PayloadFields(
        fields.serial, str(uuid.UUID(fields.participant_uuid)), fields.number, fields.number_kind, fields.issue_date
    )


@st.composite
def mutated(draw):
    fields = draw(fields_strategy)
    text = sign_payload(fields, PRIVATE, KEY_ID)
    kind = draw(st.sampled_from(["replace", "insert", "delete", "swap"]))
    i = draw(st.integers(0, len(text) - 1))
    if kind == "replace":
        ch = draw(st.characters(blacklist_categories=("Cs",)).filter(lambda c: c != text[i]))
        return text[:i] + ch + text[i + 1 :]
    if kind == "insert":
        return text[:i] + draw(st.characters(blacklist_categories=("Cs",))) + text[i:]
    if kind == "delete":
        return text[:i] + text[i + 1 :]
    j = draw(st.integers(0, len(text) - 1).filter(lambda j: text[j] != text[i]))
    chars = list(text)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


@given(mutated())
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_property_mutations_never_verify(text):
    result = verify_payload(text, KEYS)
    assert not result.valid
    assert result.fields is None


@given(st.one_of(st.text(max_size=400), st.binary(max_size=50), st.integers(), st.none()))
@settings(max_examples=300)
def test_property_arbitrary_input_never_raises(value):
    assert not verify_payload(value, KEYS).valid


def test_base45_rfc9285_vectors_and_strictness():
    assert base45.encode(b"AB") == "BB8"
    assert base45.encode(b"Hello!!") == "%69 VD92EX0"
    assert base45.encode(b"base-45") == "UJCLQE7W581"
    assert base45.decode("QED8WEX0") == b"ietf!"
    assert base45.decode("GGW") is None  # 65536: does not fit two bytes
    assert base45.decode("AAAA") is None  # a lone trailing character
    assert base45.decode("aBC") is None  # lower case is not in the alphabet


@given(st.binary(max_size=200))
def test_property_base45_round_trip(data):
    assert base45.decode(base45.encode(data)) == data
