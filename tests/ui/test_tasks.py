"""The task runner: one serial database thread, results on the UI thread, failures reported, keys supersede."""

from __future__ import annotations

import threading
import time

import pytest

from fieldapp.errors import UserFacingError
from fieldapp.ui.tasks import TaskRunner
from tests.ui.conftest import WAIT


@pytest.fixture
def runner(qtbot):
    r = TaskRunner()
    yield r
    r.shutdown()


def test_results_come_back_on_the_ui_thread_in_order(qtbot, runner):
    seen, threads = [], set()
    for n in range(20):
        runner.run_db(lambda n=n: (threads.add(threading.current_thread().name), n)[1], seen.append)
    qtbot.waitUntil(lambda: len(seen) == 20, timeout=WAIT)
    assert seen == list(range(20))  # serial: one thread, in submission order
    assert threads == {"fieldapp-db"}
    ui_thread = threading.current_thread()
    here = []
    runner.run_db(lambda: 1, lambda _r: here.append(threading.current_thread()))
    qtbot.waitUntil(lambda: bool(here), timeout=WAIT)
    assert here == [ui_thread]


def test_a_failure_goes_to_its_handler_or_to_the_default(qtbot, runner):
    reported, handled = [], []
    runner.on_error = reported.append

    def fail():
        raise UserFacingError("Gagal.", "Failed.")

    runner.run_db(fail, lambda _r: pytest.fail("no success"))
    runner.run_db(fail, lambda _r: None, handled.append)
    qtbot.waitUntil(lambda: bool(reported and handled), timeout=WAIT)
    assert str(reported[0]) == "Gagal." and str(handled[0]) == "Gagal."


def test_a_newer_task_with_the_same_key_supersedes_a_waiting_one(qtbot, runner):
    gate, results = threading.Event(), []
    runner.run_db(gate.wait, lambda _r: results.append("blocker"))
    for n in range(5):
        runner.run_db(lambda n=n: n, results.append, key="search")
    gate.set()
    qtbot.waitUntil(lambda: 4 in results, timeout=WAIT)
    qtbot.wait(50)
    assert results == ["blocker", 4]  # only the newest query ran


def test_background_work_waits_for_interactive_work(qtbot, runner):
    gate, order = threading.Event(), []
    runner.run_db(gate.wait)
    runner.run_db(lambda: "counts", order.append, background=True)
    runner.run_db(lambda: "save", order.append)
    gate.set()
    qtbot.waitUntil(lambda: len(order) == 2, timeout=WAIT)
    assert order == ["save", "counts"]


def test_shutdown_finishes_queued_work(runner):
    done = []
    runner.run_db(lambda: (time.sleep(0.05), done.append("saved")))
    runner.shutdown()
    assert done == ["saved"]
    assert runner.run_db(lambda: None) is None  # nothing runs after shutdown


def test_background_work_starts_after_a_quiet_moment(qtbot):
    runner = TaskRunner(background_idle_s=0.3)
    try:
        done = {}
        started = time.monotonic()
        runner.run_db(lambda: time.monotonic(), lambda t: done.setdefault("interactive", t))
        runner.run_db(lambda: time.monotonic(), lambda t: done.setdefault("background", t), background=True)
        qtbot.waitUntil(lambda: len(done) == 2, timeout=WAIT)
        assert done["interactive"] - started < 0.2
        assert done["background"] - done["interactive"] >= 0.25
    finally:
        runner.shutdown()
