"""Pydantic models of the protocol, for request checking and the OpenAPI document."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

USERNAME_PATTERN = r"^[A-Za-z0-9._@-]+$"
DEVICE_ID_PATTERN = r"^[\x20-\x7e]+$"  # printable ASCII


class Health(BaseModel):
    status: Literal["ok"]
    server_time: str
    version: str


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64, pattern=USERNAME_PATTERN)
    password: str = Field(min_length=1, max_length=1024)
    device_id: str = Field(min_length=1, max_length=128, pattern=DEVICE_ID_PATTERN)


class UserOut(BaseModel):
    username: str
    role: str


class TransferKey(BaseModel):
    key_id: str
    key: str = Field(description="hex; signs offline transfer files (HMAC-SHA256)")


class TokenOut(BaseModel):
    token: str
    expires_at: str
    user: UserOut
    transfer_key: TransferKey


class ResultOut(BaseModel):
    uuid: str | None
    status: Literal["accepted", "updated", "unchanged", "duplicate_person", "rejected", "conflict"]
    code: str
    message: str


class Receipt(BaseModel):
    batch_id: str
    server_time: str
    results: list[ResultOut]
    counts: dict[str, int]


class StoredRecord(BaseModel):
    uuid: str
    revision: int
    updated_at: str
    record: dict


class StatusUpdate(BaseModel):
    cursor: str
    uuid: str
    kind: Literal["kpj_issued", "bpjs_rejected"]
    kpj: str | None
    reason: str | None
    at: str


class StatusUpdates(BaseModel):
    items: list[StatusUpdate]
    next: str
    more: bool


class Enrolled(BaseModel):
    village_code: str
    algorithm: Literal["HMAC-SHA256"]
    key_id: str
    key: str = Field(description="hex; digest = HMAC-SHA256(key, NIK as ASCII), hex")
    count: int
    digests: dict[str, str] = Field(description="digest → uuid of the record holding that NIK")


class Reference(BaseModel):
    regions_version: str
    rates: dict
    occupations: list[dict]
    default_village_target: int
    village_targets: list[dict]


BATCH_SCHEMA = {
    "type": "object",
    "required": ["batch_id", "device_id", "created_at", "records"],
    "properties": {
        "batch_id": {"type": "string", "format": "uuid"},
        "device_id": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": DEVICE_ID_PATTERN},
        "created_at": {"type": "string", "format": "date-time"},
        "records": {"type": "array", "maxItems": 500, "items": {"type": "object"}},
    },
}
