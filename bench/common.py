"""Helpers shared by the benchmarks: percentiles, timing, cached demo stores."""

from __future__ import annotations

import os
import shutil
import statistics
import time
from pathlib import Path

from fieldapp.db.engine import store_path

CACHE = Path(os.environ.get("FIELDAPP_BENCH_CACHE", "/tmp/fieldapp-bench"))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn, *args, **kw) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kw)
    return time.perf_counter() - start, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def seeded_store(participants: int) -> Path:
    """A demo store with ``participants`` synthetic villagers, built once and kept under the cache folder."""
    from fieldapp.services import seed

    data_dir = CACHE / f"store-{participants}"
    marker = data_dir / ".complete"
    if not marker.exists():
        shutil.rmtree(data_dir, ignore_errors=True)
        seed.seed_demo(data_dir, participants)
        marker.write_text("ok")
    return data_dir


def demo_store(data_dir: Path):
    """The encrypted demo store in ``data_dir``, opened as its first demo account."""
    from fieldapp.services import accounts, seed

    return accounts.log_in(data_dir, seed.DEMO_USERS[0][0], seed.DEMO_PASSWORD)[0]


def raw_connect(data_dir: Path):
    """The raw baseline's connection: the DB-API driver on the same encrypted file, keyed, with the app's pragmas
    (WAL, synchronous=FULL, cache), without SQLAlchemy or our code."""
    from fieldapp.db import engine
    from fieldapp.services import accounts, seed

    return engine.connect(store_path(data_dir), accounts.unlock(data_dir, seed.DEMO_USERS[0][0], seed.DEMO_PASSWORD))


def copy_store(source: Path, target: Path) -> Path:
    """A copy of a data directory: the store with its key file."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    return target


def empty_store_copy(target: Path) -> Path:
    """A fresh copy of an initialised demo store with no participants."""
    template = CACHE / "empty"
    if not store_path(template).exists():
        from fieldapp.services import seed

        seed.ensure_demo_store(template).close()
    return copy_store(template, target)
