"""QR codes drawn as vector paths: one filled path per code, one rectangle per run of dark modules.

segno makes the matrix. The mask is fixed (pattern 0) instead of scored: scoring the eight masks costs segno
about 6 ms per code, more than the whole rest of a page, and every mask decodes the same; our payload is
mostly signature bytes, which look random under any mask.

Turning a text into path operators (:func:`qr_ops`) is a pure function of the text, so a large batch can
run it in a helper process (:func:`iter_qr_ops`) while this process draws pages.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

import segno

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white border the QR standard asks for
ERROR_LEVEL = "m"  # 15 % recovery: survives a fold, a stain or a scuffed card corner
MASK = 0
#: Below this many codes a helper process costs more (start-up, imports) than it saves.
POOL_THRESHOLD = 80
_RUN = re.compile(rb"\x01+")


def qr_matrix(text: str) -> Sequence[Sequence[int]]:
    """The module matrix (rows of 0/1, no quiet zone) for ``text``, byte mode, fixed mask."""
    return segno.make(text, error=ERROR_LEVEL, mode="byte", micro=False, mask=MASK, boost_error=False).matrix


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


def _workers(count: int, workers: int | None) -> int:
    if workers is not None:
        return max(0, workers)
    if count < POOL_THRESHOLD or (os.cpu_count() or 1) < 2:
        return 0
    return 1  # one helper: this process keeps drawing pages on the other core


def iter_qr_ops(texts: Sequence[str], *, workers: int | None = None) -> Iterator[tuple[int, str]]:
    """``qr_ops`` for each text, in order. ``workers=None`` decides by batch size and core count; 0 keeps
    everything in this process. Helpers are started with "spawn" (safe in a threaded GUI process; a frozen
    app must call ``multiprocessing.freeze_support()`` first thing in ``main``). If a helper cannot start
    or dies, the remaining codes are made in this process: the print run never fails for want of a helper.
    """
    done = 0
    n = _workers(len(texts), workers)
    if n:
        try:
            pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"))
        except (OSError, ValueError, NotImplementedError):
            pool = None
        if pool is not None:
            try:
                for ops in pool.map(qr_ops, texts, chunksize=16):
                    yield ops
                    done += 1
            except (BrokenProcessPool, OSError, EOFError):
                pass  # carry on below, in this process
            finally:  # also on cancel (GeneratorExit): drop queued work, do not wait for it
                pool.shutdown(wait=False, cancel_futures=True)
    for text in texts[done:]:
        yield qr_ops(text)
