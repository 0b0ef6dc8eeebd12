"""QR codes for a whole batch, shared between this process and one helper process.

Making a code (segno, pure Python) costs more than drawing the rest of a page, and a laptop has at least
two cores. The helper works through the batch from the front; whenever the page being drawn needs a code
the helper has not finished, this process makes codes from the far end of the batch instead of waiting.
The two meet somewhere in the middle, so neither core idles, and when the helper gets no CPU (another
program is busy) or cannot start at all, this process simply makes every code itself.

The helper is started with "spawn": safe in a process that runs Qt threads. A frozen (PyInstaller) app must
call ``multiprocessing.freeze_support()`` first thing in its ``main``; until it passes ``workers=1``, a
frozen app makes its codes in-process. The helper only receives the signed payload texts, never the
signing key.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from fieldapp.certificates.qr import qr_ops

#: Below this many codes a helper costs more (process start, imports) than it saves.
POOL_THRESHOLD = 80
CHUNK = 8  # codes per task: small enough to share work finely, large enough to keep pickling cheap

QrOps = tuple[int, str]


def make_chunk(texts: Sequence[str]) -> list[QrOps]:
    return [qr_ops(text) for text in texts]


def helpers_for(count: int, workers: int | None) -> int:
    if workers is not None:
        return max(0, workers)
    if count < POOL_THRESHOLD or (os.cpu_count() or 1) < 2:
        return 0
    if getattr(sys, "frozen", False):
        # A spawned helper re-runs a frozen app's executable: without multiprocessing.freeze_support() at
        # the top of main it would start the app again. The caller opts in with workers=1.
        return 0
    return 1  # one helper beside this process: two cores busy, none oversubscribed


def _start(helpers: int) -> ProcessPoolExecutor | None:
    try:
        return ProcessPoolExecutor(max_workers=helpers, mp_context=multiprocessing.get_context("spawn"))
    except (OSError, ValueError, NotImplementedError):
        return None


def _result(future: Future, chunk: Sequence[str]) -> list[QrOps]:
    try:
        return future.result()
    except (BrokenProcessPool, CancelledError, OSError, EOFError):
        return make_chunk(chunk)  # the helper died or never started: make them here


def iter_qr_ops(texts: Sequence[str], *, workers: int | None = None) -> Iterator[QrOps]:
    """``qr_ops(text)`` for each text, in order. ``workers``: helper processes (None: one when the batch is
    large and there are two cores or more; 0: all in this process)."""
    helpers = helpers_for(len(texts), workers)
    pool = _start(helpers) if helpers else None
    if pool is None:
        for text in texts:
            yield qr_ops(text)
        return
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    try:
        try:
            futures = [pool.submit(make_chunk, chunk) for chunk in chunks]
        except (BrokenProcessPool, RuntimeError, OSError):
            futures = []  # the helper could not start: every chunk is made here
        stolen: dict[int, list[QrOps]] = {}
        tail = len(futures) - 1
        for k, chunk in enumerate(chunks):
            result = stolen.pop(k, None)
            if result is None and not futures:
                result = make_chunk(chunk)
            elif result is None:
                future = futures[k]
                while tail > k and not future.done():
                    if futures[tail].cancel():  # still queued: the helper has not reached it
                        stolen[tail] = make_chunk(chunks[tail])
                        tail -= 1
                    else:  # the helper holds it, and so every chunk before it
                        tail = k
                result = _result(future, chunk)
            yield from result
    finally:  # also on cancel (GeneratorExit): drop queued work, do not wait for it
        pool.shutdown(wait=False, cancel_futures=True)
