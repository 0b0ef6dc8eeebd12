"""QR codes drawn as vector paths: one filled path per code, one rectangle per run of dark modules.

segno makes the matrix. The mask is fixed (pattern 0) instead of scored: scoring the eight masks costs segno
about 6 ms per code, more than the whole rest of a page, and every mask decodes the same; our payload is
mostly signature bytes, which look random under any mask.

Turning a text into path operators (:func:`qr_ops`) is a pure function of the text, so a large batch can
share that work with a helper process (:mod:`fieldapp.certificates.qrpool`) while this one draws pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import segno

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white border the QR standard asks for
ERROR_LEVEL = "m"  # 15 % recovery: survives a fold, a stain or a scuffed card corner
MASK = 0
_RUN = re.compile(rb"\x01+")


def qr_matrix(text: str) -> Sequence[Sequence[int]]:
    """The module matrix (rows of 0/1, no quiet zone) for ``text``: segno picks the mode, the mask is fixed."""
    return segno.make(text, error=ERROR_LEVEL, micro=False, mask=MASK, boost_error=False).matrix


def qr_ops(text: str) -> tuple[int, str]:
    """(modules per side, PDF path operators) for ``text``'s QR code.

    The operators are ``x y w 1 re`` rectangles, one per horizontal run of dark modules, in module units
    with the origin at the symbol's top-left corner and rows going down.
    """
    matrix = qr_matrix(text)
    out: list[str] = []
    for y, row in enumerate(matrix):
        tail = f" {y} "
        for m in _RUN.finditer(row):
            start, end = m.span()
            out.append(f"{start}{tail}{end - start} 1 re")
    return len(matrix), "\n".join(out)


def draw_qr_ops(
    canvas: Canvas, ops: tuple[int, str], x: float, y: float, size: float, *, quiet_zone: bool = True
) -> None:
    """Draw a code made by :func:`qr_ops` so that its square (with the quiet zone, if asked) has its
    lower-left corner at (x, y) and side ``size`` points. The graphics state is saved and restored."""
    modules, path = ops
    offset = QUIET_ZONE if quiet_zone else 0
    unit = size / (modules + 2 * offset)
    white = f"1 g {x:.3f} {y:.3f} {size:.3f} {size:.3f} re f\n" if quiet_zone else ""
    canvas.addLiteral(
        f"q\n{white}{unit:.5f} 0 0 {-unit:.5f} {x:.3f} {y + size:.3f} cm\n"
        f"1 0 0 1 {offset} {offset} cm\n0 g\n{path}\nf\nQ"
    )


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float, *, quiet_zone: bool = True) -> None:
    draw_qr_ops(canvas, qr_ops(text), x, y, size, quiet_zone=quiet_zone)
