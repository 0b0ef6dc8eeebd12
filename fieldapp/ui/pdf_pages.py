"""PDF pages as images: for previews (``PagesView``) and for printing through Qt's print dialog.

PySide6-Essentials has no QtPdf module (it is in PySide6-Addons). Pages are drawn by pypdfium2 when it is
installed (a small wheel with PDFium inside, on Windows and Linux alike), else by poppler's ``pdftoppm``
when it is on the PATH (most Linux desktops). With neither, ``rasterizer()`` is None and callers fall back
to the system's PDF viewer.

Everything here may run off the GUI thread: QImage, and QPainter on a QPrinter, are safe in worker threads.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRect, Qt, QTimer
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from fieldapp.errors import UserFacingError

PRINT_DPI = 300  # enough for QR modules of half a millimetre; more only makes the print job heavier
PDFTOPPM_CHUNK = 8  # pages per pdftoppm run
_PDFIUM = threading.Lock()  # PDFium is not thread-safe: one call at a time, whichever thread asks


def rasterizer() -> str | None:
    """How this computer turns PDF pages into images: "pdfium", "pdftoppm", or None."""
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        return "pdftoppm" if shutil.which("pdftoppm") else None
    return "pdfium"


def page_images(pdf: bytes, pages: int, dpi: float) -> Iterator[QImage]:
    """The first ``pages`` pages of ``pdf`` as images at ``dpi``, one at a time."""
    how = rasterizer()
    if how == "pdfium":
        yield from _pdfium(pdf, pages, dpi)
    elif how == "pdftoppm":
        yield from _pdftoppm(pdf, pages, dpi)
    else:
        raise UserFacingError(
            "Komputer ini tidak dapat menampilkan halaman PDF (pasang pypdfium2).",
            "This computer cannot show PDF pages (install pypdfium2).",
            code="no_rasterizer",
        )


def _pdfium(pdf: bytes, pages: int, dpi: float) -> Iterator[QImage]:
    import pypdfium2

    with _PDFIUM:
        doc = pypdfium2.PdfDocument(pdf)
    try:
        for index in range(min(pages, len(doc))):
            with _PDFIUM:  # one page at a time: a preview may be drawn while a print job runs
                bitmap = doc[index].render(scale=dpi / 72, rev_byteorder=True)  # RGB, not PDFium's BGR
                image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB888)
                image = image.copy()  # the bitmap's memory goes with it
            yield image
    finally:
        with _PDFIUM:
            doc.close()


def _pdftoppm(pdf: bytes, pages: int, dpi: float) -> Iterator[QImage]:
    with tempfile.TemporaryDirectory(prefix="fieldapp-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        for first in range(1, pages + 1, PDFTOPPM_CHUNK):
            last = min(pages, first + PDFTOPPM_CHUNK - 1)
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    str(int(dpi)),
                    "-png",
                    "-f",
                    str(first),
                    "-l",
                    str(last),
                    str(source),
                    str(Path(tmp) / "p"),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
            for png in sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
                image = QImage(str(png))
                png.unlink()
                yield image


def a4_printer(landscape: bool, doc_name: str) -> QPrinter:
    """A printer set to A4 without margins: the PDF pages carry their own margins and crop marks."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation, QMarginsF(0, 0, 0, 0)))
    printer.setFullPage(True)
    printer.setDocName(doc_name)
    return printer


def print_pdf(
    printer: QPrinter, pdf: bytes, pages: int, progress: Callable[[int, int], None], cancel: threading.Event
) -> None:
    """Paint each page onto the whole paper at 1:1, so cards keep their size. Raises UserFacingError
    (code "cancelled" when ``cancel`` was set; the job is aborted)."""
    painter = QPainter()
    if not painter.begin(printer):
        raise UserFacingError("Printer tidak dapat dibuka.", "The printer cannot be opened.", code="printer")
    try:
        dpi = min(printer.resolution(), PRINT_DPI)
        for n, image in enumerate(page_images(pdf, pages, dpi), start=1):
            if cancel.is_set():
                printer.abort()
                raise UserFacingError("Pencetakan dibatalkan.", "Printing was cancelled.", code="cancelled")
            if n > 1:
                printer.newPage()
            paper = printer.pageLayout().fullRectPixels(printer.resolution())
            size = image.size().scaled(paper.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(0, 0, size.width(), size.height()), image)
            progress(n, pages)
    finally:
        painter.end()


class PagesView(QWidget):
    """Page images stacked in a scroll area, each scaled to the width available, under a one-line title."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images: list[QImage] = []
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel()
        self.title.setObjectName(f"{name}_title")
        self.title.setProperty("role", "muted")
        self.title.setWordWrap(True)
        box.addWidget(self.title)
        self.scroll = QScrollArea()
        self.scroll.setObjectName(name)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setStyleSheet("background: #e9ecea;")  # grey desk: white paper stands out
        self.pages = QVBoxLayout(inner)
        self.pages.setSpacing(10)
        self.pages.addStretch(1)
        self.scroll.setWidget(inner)
        box.addWidget(self.scroll, 1)

    def show_images(self, images: list[QImage], title: str) -> None:
        self.images = list(images)
        self.title.setText(title)
        while self.pages.count() > 1:
            item = self.pages.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for n in range(len(self.images)):
            page = QLabel()
            page.setObjectName(f"page_{n + 1}")
            page.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.pages.insertWidget(n, page)
        self._scale()

    def _scale(self) -> None:
        margins = self.pages.contentsMargins()
        width = max(120, self.scroll.viewport().width() - margins.left() - margins.right())
        for n, image in enumerate(self.images):
            item = self.pages.itemAt(n)
            if item is not None and item.widget() is not None:
                pixmap = QPixmap.fromImage(image).scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
                item.widget().setPixmap(pixmap)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.images:
            QTimer.singleShot(0, self._scale)
