"""Certificates and participant cards as PDF: data in, bytes out. No database, no Qt.

    render_certificates(items, signing_key=key, key_id=kid)   # one A4 landscape page per participant
    render_cards(items, signing_key=key, key_id=kid)          # ID-1 cards, ten per A4 sheet

Each paper carries a QR code with a signed payload (:mod:`fieldapp.certificates.payload`); verifying one
needs only ``verify_payload`` and the published public keys.

Names are loaded on first use (PEP 562), so that a helper process making QR codes imports segno alone,
not ReportLab and the domain package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "CertificateData": "model",
    "PayloadFields": "payload",
    "VerifyResult": "payload",
    "generate_keypair": "payload",
    "key_id_for": "payload",
    "private_key_from_bytes": "payload",
    "private_key_from_text": "payload",
    "private_key_to_bytes": "payload",
    "private_key_to_text": "payload",
    "public_key_from_bytes": "payload",
    "public_key_from_text": "payload",
    "public_key_to_bytes": "payload",
    "public_key_to_text": "payload",
    "sign_payload": "payload",
    "verify_payload": "payload",
    "payload_fields": "render",
    "render_cards": "render",
    "render_certificates": "render",
    "date_id": "wording",
}
__all__ = [
    "CertificateData",
    "PayloadFields",
    "VerifyResult",
    "date_id",
    "generate_keypair",
    "key_id_for",
    "payload_fields",
    "private_key_from_bytes",
    "private_key_from_text",
    "private_key_to_bytes",
    "private_key_to_text",
    "public_key_from_bytes",
    "public_key_from_text",
    "public_key_to_bytes",
    "public_key_to_text",
    "render_cards",
    "render_certificates",
    "sign_payload",
    "verify_payload",
]

if TYPE_CHECKING:
    from fieldapp.certificates.model import CertificateData
    from fieldapp.certificates.payload import (
        PayloadFields,
        VerifyResult,
        generate_keypair,
        key_id_for,
        private_key_from_bytes,
        private_key_from_text,
        private_key_to_bytes,
        private_key_to_text,
        public_key_from_bytes,
        public_key_from_text,
        public_key_to_bytes,
        public_key_to_text,
        sign_payload,
        verify_payload,
    )
    from fieldapp.certificates.render import payload_fields, render_cards, render_certificates
    from fieldapp.certificates.wording import date_id


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
