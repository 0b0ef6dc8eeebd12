"""Rendering batches: one canvas per batch, so fonts and images are embedded once per document."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from fieldapp.certificates.card import PER_SHEET, SHEET_H, SHEET_W, draw_card, draw_sheet_marks, slot_origin
from fieldapp.certificates.certificate import PAGE_H, PAGE_W, draw_certificate
from fieldapp.certificates.embedded import attach
from fieldapp.certificates.fonts import REGULAR, register_fonts
from fieldapp.certificates.model import CertificateData
from fieldapp.certificates.payload import PayloadFields, sign_payload
from fieldapp.certificates.qrpool import iter_qr_ops
from fieldapp.errors import UserFacingError

Progress = Callable[[int, int], None]


def payload_fields(d: CertificateData) -> PayloadFields:
    """What the QR of this paper vouches for."""
    if d.kpj is not None:
        return PayloadFields(d.serial, d.participant_uuid, d.kpj, "kpj", d.issue_date)
    return PayloadFields(d.serial, d.participant_uuid, d.local_number, "local", d.issue_date)


def _batch(items: Iterable[CertificateData]) -> list[CertificateData]:
    batch = list(items)
    if not batch:
        raise UserFacingError("Tidak ada peserta untuk dicetak.", "There is nothing to print.", code="empty")
    return batch


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise UserFacingError("Pencetakan dibatalkan.", "Printing was cancelled.", code="cancelled")


@contextmanager
def _document(size: tuple[float, float], title: str) -> Iterator[tuple[Canvas, io.BytesIO]]:
    """A canvas for one batch. Streams are Flate-compressed without the ASCII85 layer: binary streams are
    standard PDF, 20 % smaller, and ReportLab's pure-Python ASCII85 would cost about 1 ms per page."""
    register_fonts()
    previous = rl_config.useA85
    rl_config.useA85 = 0  # read by ReportLab while it builds page and font streams, restored after
    try:
        buf = io.BytesIO()
        c = Canvas(buf, pagesize=size, pageCompression=1, initialFontName=REGULAR, initialFontSize=10)
        c.setTitle(title)  # never a person's name: the metadata is readable without opening a page
        c.setAuthor("fieldapp")
        c.setCreator("fieldapp")
        yield c, buf
    finally:
        rl_config.useA85 = previous


def _qr_codes(
    batch: list[CertificateData], signing_key: Ed25519PrivateKey, key_id: str, with_qr: bool, workers: int | None
) -> tuple[list[str], Iterator[tuple[int, str] | None]]:
    """The signed payload texts (also kept in the page data, :mod:`.embedded`) and their QR codes."""
    if not with_qr:
        return [], iter([None] * len(batch))
    # Signing stays in this process: the private key never travels to a helper.
    texts = [sign_payload(payload_fields(d), signing_key, key_id) for d in batch]
    return texts, iter_qr_ops(texts, workers=workers)


def render_certificates(
    items: Iterable[CertificateData],
    *,
    signing_key: Ed25519PrivateKey,
    key_id: str,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    workers: int | None = None,
    _with_qr: bool = True,
) -> bytes:
    """One A4 landscape page per participant, in the order given.

    ``progress(done, total)`` is called after each page; ``cancel`` is checked before each page and, when
    set, raises UserFacingError(code="cancelled"). ``workers``: helper processes for the QR codes (None:
    decide by batch size and cores; 0: none). ``_with_qr`` is for the benchmark only.
    """
    batch = _batch(items)
    total = len(batch)
    with _document((PAGE_W, PAGE_H), "Sertifikat Kepesertaan") as (c, buf):
        texts, codes = _qr_codes(batch, signing_key, key_id, _with_qr, workers)
        try:
            for done, (data, qr) in enumerate(zip(batch, codes, strict=True), start=1):
                _check_cancel(cancel)
                draw_certificate(c, data, qr)
                c.showPage()
                attach(c, texts[done - 1 : done])
                if progress is not None:
                    progress(done, total)
        finally:
            _close(codes)
        _check_cancel(cancel)
        c.save()
        return buf.getvalue()


def render_cards(
    items: Iterable[CertificateData],
    *,
    signing_key: Ed25519PrivateKey,
    key_id: str,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    workers: int | None = None,
    _with_qr: bool = True,
) -> bytes:
    """Participant cards, ten per A4 portrait sheet, filled left to right, top to bottom, in the order
    given. ``progress``, ``cancel`` and ``workers`` as for :func:`render_certificates`, per card."""
    batch = _batch(items)
    total = len(batch)
    sheets = -(-total // PER_SHEET)
    with _document((SHEET_W, SHEET_H), "Kartu Peserta") as (c, buf):
        texts, codes = _qr_codes(batch, signing_key, key_id, _with_qr, workers)
        try:
            for sheet in range(sheets):
                draw_sheet_marks(c, sheet + 1, sheets)
                start = sheet * PER_SHEET
                for slot, data in enumerate(batch[start : start + PER_SHEET]):
                    _check_cancel(cancel)
                    draw_card(c, data, next(codes), *slot_origin(slot))
                    if progress is not None:
                        progress(start + slot + 1, total)
                c.showPage()
                attach(c, texts[start : start + PER_SHEET])
        finally:
            _close(codes)
        _check_cancel(cancel)
        c.save()
        return buf.getvalue()


def _close(codes: Iterator[object]) -> None:
    close = getattr(codes, "close", None)  # a generator: stops the helper process early on cancel/error
    if close is not None:
        close()
