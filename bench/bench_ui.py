"""Desktop UI benchmark: cold start, search-as-you-type latency and memory, with N participants in the store.

    python bench/bench_ui.py [N]            # N participants (default 100,000; 1,000,000 when asked)
    python bench/run.py ui --size 1000000

Every figure is measured in a fresh subprocess (offscreen Qt) so imports and start-up are real:

* cold start: process start → the main window (``build_window``, log-in included) shown, painted, and its
  first database answer (open visit, today's count) on screen; baseline: a bare ``QMainWindow`` started the
  same way in the same run. The home page's aggregates over all participants arrive later and are reported
  on their own line. The OS file cache is warm (a second start, as on a laptop used every day).
* start-up queueing: the list opened right after start, and a search typed a second later while the home
  page's counts over all participants run on the (serial) database thread: it waits for them.
* search (once start-up has settled): the participants page open, names and NIK prefixes typed one key at a
  time at ~8 keys/s.
  "keystroke" = key press → the box shows the character (UI thread latency; p95 and worst stall of the event
  loop); "search" = the debounced query issued → its first rows painted in the view; "typing → results" adds
  the 150 ms debounce. Baseline: the same queries called directly on the services in the same process.
* memory: peak RSS of that process (ids of up to 100,000 matches held, rows fetched while scrolling).

The seeded store is cached under FIELDAPP_BENCH_CACHE (default /tmp/fieldapp-bench/store-N): seeding a million
takes a few minutes once.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = Path(os.environ.get("FIELDAPP_BENCH_CACHE", "/tmp/fieldapp-bench"))
USER, PASSWORD = "petugas", "demo1234"
QUERIES = (
    "budi", "siti nur", "agus setiawan", "3216", "32160641", "dewi k", "wahyu", "3216171",
    "ahmad", "sri", "eko sant", "32160", "nur", "hendra w", "rina", "321611",
)  # fmt: skip
KEY_INTERVAL = 0.12  # seconds between key presses (a quick typist)
STARTS = 3


def seeded_store(participants: int) -> Path:
    """A demo store with ``participants`` synthetic villagers, built once and kept in the cache folder."""
    from fieldapp.services import seed

    data_dir = CACHE / f"store-{participants}"
    marker = data_dir / ".complete"
    if not marker.exists():
        shutil.rmtree(data_dir, ignore_errors=True)
        print(f"seeding {participants:,} participants into {data_dir} (once)…", file=sys.stderr)
        seed.seed_demo(data_dir, participants)
        marker.write_text("ok")
    return data_dir


# -- children (run in their own process) -----------------------------------------------------------------------
def _say(*parts: object) -> None:
    print(*parts, flush=True)


def _pump(app, condition, timeout: float = 120.0) -> bool:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            return False
        app.processEvents()
        time.sleep(0.001)
    return True


def child_bare() -> None:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("fieldapp"))
    window.resize(1366, 768)
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.repaint()
    app.processEvents()
    _say("READY")


def child_app(data_dir: str) -> None:
    from PySide6.QtTest import QTest

    from fieldapp.ui.app import application, build_window

    app = application()
    window = build_window(Path(data_dir), USER, PASSWORD)
    window.resize(1366, 768)
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.repaint()
    app.processEvents()
    _say("SHOWN")
    home = window.pages["home"]
    _pump(app, lambda: "quick" in home.loaded)
    window.repaint()
    app.processEvents()
    _say("READY")
    window.show_page("participants")  # the first thing an officer might do: find someone
    page = window.pages["participants"]
    _pump(app, lambda: page.model.row_at(0) is not None)
    window.repaint()
    app.processEvents()
    _say("LIST")
    # Then an idle second: the home page's counts over all participants start; a search typed now waits.
    _pump(app, lambda: False, timeout=window.ctx.runner._db.idle_s + 0.3)
    arrived: list[float] = []
    page.model.first_page_ready.connect(lambda: arrived.append(time.perf_counter()))
    started = time.perf_counter()
    page.search_box.setText("budi")
    page.search()
    _pump(app, lambda: bool(arrived))
    _say(f"BLOCKED {time.perf_counter() - started}")
    _pump(app, lambda: {"counts", "progress"} <= home.loaded, timeout=300)
    _say("AGGREGATES")
    window.close()
    window.shutdown()


def child_search(data_dir: str) -> None:
    import dataclasses
    import resource

    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtTest import QTest

    from fieldapp.domain.participant import SearchQuery
    from fieldapp.services import participants
    from fieldapp.ui.app import application, build_window
    from fieldapp.ui.participants_model import FIRST_PAGE

    app = application()
    window = build_window(Path(data_dir), USER, PASSWORD)
    window.resize(1366, 768)
    window.show()
    QTest.qWaitForWindowExposed(window)
    home = window.pages["home"]
    _pump(app, lambda: {"counts", "progress"} <= home.loaded, timeout=300)  # start-up settled (see child_app)
    window.show_page("participants")
    page = window.pages["participants"]
    model, box, view = page.model, page.search_box, page.table
    _pump(app, lambda: model.row_at(0) is not None)

    # The event loop's worst stall while typing: a 5 ms heartbeat, lateness recorded.
    stalls: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]

    def beat() -> None:
        now = clock.nsecsElapsed()
        stalls.append((now - last[0]) / 1e6 - 5)
        last[0] = now

    heartbeat = QTimer(interval=5, timerType=Qt.TimerType.PreciseTimer)
    heartbeat.timeout.connect(beat)
    heartbeat.start()

    issued: list[float] = []
    shown: list[float] = []
    model.first_page_ready.connect(lambda: (view.viewport().repaint(), shown.append(time.perf_counter())))
    original = model.search

    def search(query):
        issued.append(time.perf_counter())
        original(query)

    model.search = search
    echo, search_ms, typing_ms, raw_ms = [], [], [], []
    for text in QUERIES:
        box.clear()
        page.search()
        _pump(app, lambda: model.complete)
        for ch in text:
            started = time.perf_counter()
            QTest.keyClick(box, ch)
            box.repaint()
            echo.append((time.perf_counter() - started) * 1000)
            end = started + KEY_INTERVAL
            while time.perf_counter() < end:
                app.processEvents()
                time.sleep(0.001)
        typed = time.perf_counter()
        before = len(shown)
        issued_before = len(issued)
        _pump(app, lambda b=before: (len(shown) > b and model.row_at(0) is not None) or model.rowCount() == 0)
        if len(issued) > issued_before and len(shown) > before:
            search_ms.append((shown[-1] - issued[-1]) * 1000)
            typing_ms.append((shown[-1] - typed) * 1000 + KEY_INTERVAL * 1000)
        _pump(app, lambda: model.complete)
        for fraction in (0.5, 0.99):  # scroll: rows are fetched as they come into view
            view.verticalScrollBar().setValue(int(view.verticalScrollBar().maximum() * fraction))
            app.processEvents()
            _pump(app, lambda: model.row_at(view.rowAt(10)) is not None if view.rowAt(10) >= 0 else True, 30)
        query = dataclasses.replace(SearchQuery(text), limit=FIRST_PAGE)
        started = time.perf_counter()
        participants.rows_for_ids(window.ctx.ws, participants.search_ids(window.ctx.ws, query))
        raw_ms.append((time.perf_counter() - started) * 1000)
    heartbeat.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _say("RESULT " + json.dumps(
        {"echo": echo, "search": search_ms, "typing": typing_ms, "raw": raw_ms, "stall": max(stalls or [0]),
         "rss_mb": rss_mb, "rows": model.rowCount()}
    ))  # fmt: skip
    window.close()
    window.shutdown()


# -- parent ----------------------------------------------------------------------------------------------------
def _spawn(*args: str, timeout: float = 600) -> dict[str, float]:
    """Run a child; the seconds from its start to each marker line it prints, and its RESULT payload."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    marks: dict = {}
    for line in proc.stdout:
        word, _, rest = line.strip().partition(" ")
        marks[word] = time.perf_counter() - started
        if word == "RESULT":
            marks["result"] = json.loads(rest)
        elif word == "BLOCKED":
            marks["blocked"] = float(rest)
    proc.wait(timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child {args} failed with exit code {proc.returncode}")
    return marks


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else float("nan")


def run(participants: int = 100_000) -> list[dict]:
    data_dir = seeded_store(participants)
    _spawn("app", str(data_dir))  # warm the OS file cache once, as on a laptop in daily use
    bare = [_spawn("bare")["READY"] for _ in range(STARTS)]
    starts = [_spawn("app", str(data_dir)) for _ in range(STARTS)]
    bare_s = statistics.median(bare)
    ready_s = statistics.median(s["READY"] for s in starts)
    shown_s = statistics.median(s["SHOWN"] for s in starts)
    aggregates_s = statistics.median(s["AGGREGATES"] for s in starts)
    list_s = statistics.median(s["LIST"] - s["READY"] for s in starts)
    blocked_s = max(s["blocked"] for s in starts)
    r = _spawn("search", str(data_dir))["result"]
    raw95 = p95(r["raw"])
    n = f"{participants:,}"
    return [
        {"name": "bare QMainWindow start (baseline)", "value": bare_s, "unit": "s", "ratio": 1.0},
        {"name": f"start → window shown ({n})", "value": shown_s, "unit": "s", "ratio": shown_s / bare_s},
        {"name": f"cold start → usable main window ({n})", "value": ready_s, "unit": "s",
         "ratio": ready_s / bare_s, "target": "<= 1.5 s, ratio <= 2"},
        {"name": f"then participants list opened → first rows ({n})", "value": list_s * 1000, "unit": "ms",
         "ratio": None},
        {"name": f"start → home aggregates shown ({n})", "value": aggregates_s, "unit": "s",
         "ratio": aggregates_s / bare_s},
        {"name": f"search typed while the home counts run → rows, worst ({n})", "value": blocked_s * 1000,
         "unit": "ms", "ratio": None},
        {"name": f"search: keystroke → shown in box, p95 ({n})", "value": p95(r["echo"]), "unit": "ms",
         "ratio": None, "target": "<= 50 ms"},
        {"name": f"search: worst event-loop stall while typing ({n})", "value": r["stall"], "unit": "ms",
         "ratio": None},
        {"name": f"search: query issued → rows painted, p95 ({n})", "value": p95(r["search"]), "unit": "ms",
         "ratio": p95(r["search"]) / raw95 if raw95 else None, "target": "<= 50 ms"},
        {"name": f"search: raw service query, p95 (baseline, {n})", "value": raw95, "unit": "ms", "ratio": 1.0},
        {"name": f"search: last key → rows painted incl. 150 ms debounce, p95 ({n})",
         "value": p95(r["typing"]), "unit": "ms", "ratio": None},
        {"name": f"peak RSS with the list open ({n})", "value": r["rss_mb"], "unit": "MB", "ratio": None,
         "target": "<= 300 MB at 1,000,000"},
    ]  # fmt: skip


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        mode, *rest = argv[1:]
        {"bare": child_bare, "app": child_app, "search": child_search}[mode](*rest)
        return 0
    participants = int(argv[0].replace("_", "").replace(",", "")) if argv else 100_000
    from bench.run import print_table

    print_table(f"ui ({participants:,} participants)", run(participants))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
