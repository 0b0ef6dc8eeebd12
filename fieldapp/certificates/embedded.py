"""The signed QR payloads of a page, also kept as data inside the PDF, so that a PDF file can be checked
without rendering its pages and decoding images.

Each page that carries QR codes gets a ``/PieceInfo`` entry (PDF 1.3+, the place the standard gives an
application for its private page data)::

    /PieceInfo << /Fieldapp << /LastModified (D:20261121000000Z) /Private << /Payloads [(FA1:...) ...] >> >> >>

in the order the codes are drawn (one per certificate page, up to ten per card sheet). Viewers ignore it.
The payloads are the very texts in the QR codes: signed, and never holding a NIK or a name.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFString
from reportlab.pdfgen.canvas import Canvas

APP_KEY = "Fieldapp"


def attach(canvas: Canvas, payloads: Sequence[str]) -> None:
    """Keep ``payloads`` in the page just finished (call right after ``canvas.showPage()``)."""
    if not payloads:
        return
    page = canvas._doc.Pages.pages[-1]  # ReportLab has no public hook for extra page-dictionary entries
    stamp = dt.datetime.now(dt.timezone.utc).strftime("D:%Y%m%d%H%M%SZ")
    private = PDFDictionary({"Payloads": PDFArray([PDFString(text) for text in payloads])})
    page.PieceInfo = PDFDictionary({APP_KEY: PDFDictionary({"LastModified": PDFString(stamp), "Private": private})})


def read(pdf: bytes, *, with_text: bool = False) -> list:
    """The payloads kept in each page of ``pdf``, page by page ([] for a page without any); with
    ``with_text``, (payloads, the page's extracted text) per page.

    Needs pypdf. Raises ValueError when the bytes are not a readable PDF.
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(pdf))
        pages = list(reader.pages)
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not a readable PDF: {exc}") from exc
    found: list = []
    for page in pages:
        texts: list[str] = []
        try:
            info = page.get("/PieceInfo")
            ours = info.get_object().get(f"/{APP_KEY}") if info is not None else None
            private = ours.get_object().get("/Private") if ours is not None else None
            items = private.get_object().get("/Payloads") if private is not None else None
            for item in items.get_object() if items is not None else ():
                value = item.get_object()
                texts.append(value.decode("latin-1") if isinstance(value, bytes) else str(value))
        except (AttributeError, TypeError, ValueError):
            texts = []  # a damaged or foreign entry: this page carries nothing we can read
        found.append((texts, _text(page)) if with_text else texts)
    return found


def _text(page) -> str:
    try:
        return page.extract_text() or ""
    except Exception:  # pypdf can fail on a damaged content stream: then nothing is printed there for us
        return ""
