"""The task runner: one serial worker thread for all database work, a small pool for network work, and one
thread for long read-only checks (``run_check``: integrity checks that must not hold up a save).

The UI submits an operation with success and failure callbacks (the idea of Anki's ``taskman``); the result
comes back to the UI thread through one queued signal, so callbacks always run on the UI thread. A failure
without its own handler goes to the runner's ``on_error`` (the main window shows the message).

A ``key`` makes a task supersede an earlier one with the same key that has not started yet (search as you
type: only the newest query runs). Results of a superseded task are dropped. ``background=True`` queues a
task behind all interactive ones (home-page aggregates), started only after a second without interactive
work: the database thread stays serial, but a save or a live check typed meanwhile waits for at most the one
count already running, never for a queue of them.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from shiboken6 import isValid

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


class TaskRunner(QObject):
    """Runs callables off the UI thread; call ``shutdown`` before the workspace closes."""

    _finished = Signal(object)  # (future, on_success, on_failure, owner, generation)

    def __init__(
        self, on_error: ErrorCallback | None = None, network_workers: int = 3, background_idle_s: float = 1.0
    ) -> None:
        super().__init__()
        self._db = _SerialWorker("fieldapp-db", background_idle_s)
        self._net = ThreadPoolExecutor(max_workers=network_workers, thread_name_prefix="fieldapp-net")
        self._checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fieldapp-check")
        self._keyed: dict[str, tuple[Future, int]] = {}
        self._generation = 0
        self._lock = threading.Lock()
        self._closed = False
        self.on_error: ErrorCallback = on_error or _log_error
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    # -- submitting ------------------------------------------------------------------------------------------
    def run_db(
        self,
        fn: Callable[[], Any],
        on_success: Callback | None = None,
        on_failure: ErrorCallback | None = None,
        *,
        key: str | None = None,
        owner: QObject | None = None,
        background: bool = False,
    ) -> Future | None:
        """Run ``fn`` on the database thread; ``on_success(result)`` or ``on_failure(exc)`` on the UI thread.

        ``owner``: when that widget has been deleted by the time the result arrives, the callbacks are skipped.
        """
        pool = self._db.background if background else self._db
        return self._submit(pool, fn, on_success, on_failure, key, owner)

    def run_network(
        self,
        fn: Callable[[], Any],
        on_success: Callback | None = None,
        on_failure: ErrorCallback | None = None,
        *,
        key: str | None = None,
        owner: QObject | None = None,
    ) -> Future | None:
        """Like ``run_db`` on the network pool: for work that waits on a server, never on the store."""
        return self._submit(self._net, fn, on_success, on_failure, key, owner)

    def run_check(
        self,
        fn: Callable[[], Any],
        on_success: Callback | None = None,
        on_failure: ErrorCallback | None = None,
        *,
        owner: QObject | None = None,
    ) -> Future | None:
        """Like ``run_db`` on a thread of its own for long read-only file work (integrity checks of the store
        and its backups, a backup copy): it reads on its own connection, which WAL lets run beside the database
        thread's writes, so a six-second check never holds up a save."""
        return self._submit(self._checks, fn, on_success, on_failure, None, owner)

    def _submit(self, pool, fn, on_success, on_failure, key, owner) -> Future | None:
        if self._closed:
            log.debug("task submitted after shutdown; dropped")
            return None
        with self._lock:
            self._generation += 1
            generation = self._generation
            if key is not None:
                earlier = self._keyed.get(key)
                if earlier is not None:
                    earlier[0].cancel()  # only succeeds when it has not started yet
                future = pool.submit(fn)
                self._keyed[key] = (future, generation)
            else:
                future = pool.submit(fn)
        future.add_done_callback(lambda f: self._finished.emit((f, on_success, on_failure, owner, key, generation)))
        return future

    # -- delivering (UI thread) ------------------------------------------------------------------------------
    def _deliver(self, item) -> None:
        future, on_success, on_failure, owner, key, generation = item
        if key is not None:
            with self._lock:
                current = self._keyed.get(key)
                if current is not None and current[1] == generation:
                    del self._keyed[key]
                elif current is not None:
                    return  # superseded by a newer task with the same key
        if future.cancelled() or (owner is not None and not isValid(owner)):
            return
        exc = future.exception()
        if exc is None:
            if on_success is not None:
                on_success(future.result())
            return
        if not isinstance(exc, Exception):
            raise exc
        if on_failure is not None:
            on_failure(exc)
        else:
            self.on_error(exc)

    def busy(self) -> bool:
        """True while a keyed task is queued or running (for tests and benchmarks)."""
        with self._lock:
            return bool(self._keyed)

    def shutdown(self) -> None:
        """Finish the work already submitted (a save in flight reaches the disk), then stop the threads."""
        if self._closed:
            return
        self._closed = True
        self._db.shutdown()
        self._net.shutdown(wait=True, cancel_futures=True)
        self._checks.shutdown(wait=True, cancel_futures=True)


def _log_error(exc: BaseException) -> None:
    log.error("background task failed", exc_info=exc)


class _SerialWorker:
    """One thread running submitted callables one at a time: interactive ones first, then background ones.

    A background task starts only once the interactive work has been quiet for ``idle_s`` seconds, so the
    officer's first actions after start-up (a search, a live check) do not queue behind a slow count.
    """

    def __init__(self, name: str, idle_s: float = 1.0) -> None:
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._seq = itertools.count()
        self._stopping = False
        self.idle_s = idle_s
        self._last_interactive = time.monotonic()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self.background = _Lane(self, 1)

    def submit(self, fn: Callable[[], Any], priority: int = 0) -> Future:
        future: Future = Future()
        if priority == 0:
            self._last_interactive = time.monotonic()
        self._queue.put((priority, next(self._seq), future, fn))
        self._wake.set()
        return future

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            priority, _seq, future, fn = item
            if fn is None:
                return
            if priority > 0 and not self._stopping:
                wait = self.idle_s - (time.monotonic() - self._last_interactive)
                if wait > 0:
                    self._queue.put(item)  # back in line: interactive work submitted meanwhile goes first
                    self._wake.wait(wait)
                    self._wake.clear()
                    continue
            if self._stopping and priority > 0:
                future.cancel()  # background reads are not worth waiting for at exit
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn()
            except BaseException as exc:  # handed to the UI thread, never lost
                future.set_exception(exc)
            else:
                future.set_result(result)
            if priority == 0:
                self._last_interactive = time.monotonic()

    def shutdown(self) -> None:
        """Run the interactive work queued (a save in flight reaches the disk), drop background reads, stop."""
        self._stopping = True
        self._queue.put((2, next(self._seq), Future(), None))
        self._wake.set()
        self._thread.join()


class _Lane:
    def __init__(self, worker: _SerialWorker, priority: int) -> None:
        self._worker, self._priority = worker, priority

    def submit(self, fn: Callable[[], Any]) -> Future:
        return self._worker.submit(fn, self._priority)
