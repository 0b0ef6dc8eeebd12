"""The signed QR payload: round trips, tampering, garbage, keys. Pure: no PDF, no Qt."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    version, _fields, key_id, signature = text.split(".")
    assert (version, key_id, len(signature)) == ("FA1", KEY_ID, 86)
    assert text.isascii() and "=" not in text


def test_no_nik_or_name_in_payload():
    text = sign_payload(FIELDS, PRIVATE, KEY_ID)
    decoded = pl._b64decode(text.split(".")[1]).decode()
    assert decoded.split("|")[0] == FIELDS.serial
    assert len(decoded.split("|")) == 4  # serial, uuid, number, date: nothing else travels


def test_every_single_character_change_is_rejected():
    text = sign_payload(FIELDS, PRIVATE, KEY_ID)
    for i, ch in enumerate(text):
        for replacement in {"A", "a", "0", "-", "_", ".", "Z"} - {ch}:
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
    parts = text.split(".")
    other_kid = "X" * len(KEY_ID)
    relabelled = ".".join([parts[0], parts[1], other_kid, parts[3]])
    assert verify_payload(relabelled, {**KEYS, other_kid: PUBLIC}).code == "bad_signature"  # key id is signed


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        b"FA1.x.y.z",
        42,
        "",
        ".",
        "...",
        "FA1...",
        "FA1.a.b.c",
        "https://example.org/",
        "é" * 50,
        "FA1." + "A" * 5000,
        "FA1.!!!.kid.@@@",
        "FA1.AAAA.kid." + "A" * 86,
        "\x00FA1",
    ],
)
def test_garbage_is_invalid_and_never_raises(garbage):
    result = verify_payload(garbage, KEYS)
    assert not result.valid and result.code in pl.REASONS and result.fields is None


def test_non_canonical_base64_is_rejected():
    # The last character of an 86-character signature carries 4 unused bits: flipping them must not verify.
    text = sign_payload(FIELDS, PRIVATE, KEY_ID)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(text[-1])
    sibling = alphabet[last ^ 1]
    assert not verify_payload(text[:-1] + sibling, KEYS).valid


def test_sign_rejects_unencodable_fields():
    with pytest.raises(ValueError):
        sign_payload(PayloadFields("A|B", FIELDS.participant_uuid, "1", "kpj", FIELDS.issue_date), PRIVATE, KEY_ID)
    with pytest.raises(ValueError):
        sign_payload(PayloadFields("", FIELDS.participant_uuid, "1", "kpj", FIELDS.issue_date), PRIVATE, KEY_ID)
    with pytest.raises(ValueError):
        sign_payload(PayloadFields("S", "not-a-uuid", "1", "kpj", FIELDS.issue_date), PRIVATE, KEY_ID)
    with pytest.raises(ValueError):
        sign_payload(PayloadFields("S", FIELDS.participant_uuid, "1", "nik", FIELDS.issue_date), PRIVATE, KEY_ID)
    with pytest.raises(ValueError):
        sign_payload(FIELDS, PRIVATE, "bad.kid")


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
    with pytest.raises(ValueError):
        pl.public_key_from_text("too-short")


# --- properties ---------------------------------------------------------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="|"), min_size=1, max_size=24)
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
