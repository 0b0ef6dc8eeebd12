"""Checking papers: a scanned QR text, or every code kept inside a PDF printed by this app.

Needs only public keys: those of a store (``certificates.public_keys``) or published ones. A PDF is read with
pypdf, without decoding any image.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from fieldapp.certificates import VerifyResult, embedded, verify_payload
from fieldapp.errors import UserFacingError


@dataclass(frozen=True, slots=True)
class PdfCheck:
    """One signed payload found in a PDF page, and what it is worth."""

    page: int  # 1-based
    text: str
    result: VerifyResult
    on_page: bool  # the signed serial and number are printed on that page too


def verify_text(text: str, keys: dict[str, Ed25519PublicKey]) -> VerifyResult:
    """A scanned QR text (surrounding spaces ignored). Never raises."""
    return verify_payload(text.strip() if isinstance(text, str) else text, keys)


def verify_pdf(pdf: bytes, keys: dict[str, Ed25519PublicKey]) -> list[PdfCheck]:
    """Every payload kept inside a PDF made by this app (no image decoding), each verified and compared with
    the text printed on its page. Raises UserFacingError when the file is no readable PDF."""
    try:
        pages = embedded.read(pdf, with_text=True)
    except ImportError as exc:
        raise UserFacingError(
            "Pemeriksaan berkas PDF memerlukan paket pypdf.",
            "Checking a PDF file needs the pypdf package.",
            code="missing_pypdf",
        ) from exc
    except ValueError as exc:
        raise UserFacingError(
            "Berkas ini bukan PDF yang dapat dibaca.", "This file is not a readable PDF.", field="pdf", code="bad_pdf"
        ) from exc
    checks = []
    for number, (texts, page_text) in enumerate(pages, start=1):
        flat = "".join(page_text.split())
        for text in texts:
            result = verify_text(text, keys)
            f = result.fields
            on_page = bool(f) and "".join(f.serial.split()) in flat and "".join(f.number.split()) in flat
            checks.append(PdfCheck(number, text, result, on_page))
    return checks
