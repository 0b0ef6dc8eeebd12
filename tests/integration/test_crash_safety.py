"""A process killed with SIGKILL at a random moment while it enrols people loses no save it had confirmed, and
leaves a store that passes SQLite's integrity check. 20 trials in the default run, 200 under ``-m slow``."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import raw_connect

CHILD = """
import datetime as dt, sys
from dataclasses import replace
from fieldapp.services import enrolment
from fieldapp.services.workspace import Workspace
from tests.factories import enrolment as make, nik_for
trial = int(sys.argv[2])
with Workspace.open(sys.argv[1], "petugas", "rahasia123") as ws:
    print("ready", flush=True)
    for i in range(400):
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=(trial * 400 + i) % 12000)  # with the serial: unique
        p = enrolment.enrol(ws, replace(make(), full_name="Warga Uji", nik=nik_for(birth, "L", trial + 1)))
        print("saved", p.data.nik, flush=True)  # the officer sees "Tersimpan" only now
"""


def run_trials(data_dir, trials: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    confirmed: set[str] = set()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    for trial in range(trials):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir), str(trial)], stdout=subprocess.PIPE,
                                 text=True, env=env)
        assert child.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + rng.uniform(0.02, 0.6)
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if line.startswith("saved "):
                confirmed.add(line.split()[1])
        os.kill(child.pid, signal.SIGKILL)
        confirmed.update(line.split()[1] for line in child.stdout.read().splitlines() if line.startswith("saved "))
        child.wait(10)
        with raw_connect(data_dir) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            stored = {n for (n,) in conn.execute("SELECT nik FROM participants")}
        assert confirmed <= stored, f"trial {trial}: confirmed saves lost: {sorted(confirmed - stored)[:5]}"
    return len(confirmed), trials


def test_sigkill_while_saving_loses_no_confirmed_save(data_dir):
    saved, trials = run_trials(data_dir, 20, seed=2026)
    assert trials == 20 and saved > 20, saved  # the kills landed while saves were going on


@pytest.mark.slow
def test_sigkill_while_saving_many_trials(data_dir):
    run_trials(data_dir, 200, seed=7)
