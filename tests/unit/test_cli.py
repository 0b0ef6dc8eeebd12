"""The ``fieldapp`` command, run as a user would run it: a real process, real stdin, a real data directory."""

import json
import os
import subprocess
import sys

import pytest

from fieldapp import __version__


def run(*args, stdin="", env=None):
    full_env = {k: v for k, v in os.environ.items() if k not in ("FIELDAPP_USER", "FIELDAPP_PASSWORD")}
    full_env.update({"FIELDAPP_LANG": "id", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "fieldapp", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.splitlines()[0] == f"fieldapp {__version__}"


def test_init_seed_stats(tmp_path):
    d = str(tmp_path / "store")
    r = run("init", "--data-dir", d, "--user", "kepala", "--password-stdin", stdin="rahasia123\n")
    assert r.returncode == 0, r.stderr
    r = run("init", "--data-dir", d, "--user", "kepala", "--password-stdin", stdin="rahasia123\n")
    assert r.returncode == 2 and "Sudah ada" in r.stderr and "Traceback" not in r.stderr
    r = run(
        "seed-demo",
        "--data-dir",
        d,
        "--participants",
        "250",
        "--user",
        "kepala",
        "--password-stdin",
        stdin="rahasia123\n",
    )
    assert r.returncode == 0, r.stderr
    r = run("stats", "--data-dir", d, "--json", env={"FIELDAPP_USER": "kepala", "FIELDAPP_PASSWORD": "rahasia123"})
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["participants"]["total"] == 250
    assert data["participants"]["by_sync_state"] == {"pending": 250}
    assert data["users"] == 1 and data["visits"] == 12 and data["villages"] > 50


def test_seed_demo_on_a_new_directory_creates_the_demo_accounts(tmp_path):
    d = str(tmp_path / "demo")
    r = run("seed-demo", "--data-dir", d, "--participants", "30")
    assert r.returncode == 0, r.stderr
    assert "demo (supervisor)" in r.stdout and "demo1234" in r.stdout
    r = run("stats", "--data-dir", d, "--json", "--user", "petugas", "--password-stdin", stdin="demo1234\n")
    assert json.loads(r.stdout)["participants"]["total"] == 30


@pytest.mark.parametrize(
    ("args", "stdin", "needle"),
    [
        (("stats", "--json"), "", "Belum ada penyimpanan data"),
        (("init", "--user", "x"), "", "Sebutkan pengguna"),
        (("init", "--user", "kepala", "--password-stdin"), "pendek\n", "minimal 8"),
    ],
)
def test_user_mistakes_are_one_clear_line(tmp_path, args, stdin, needle):
    cmd, *rest = args
    r = run(cmd, "--data-dir", str(tmp_path / "x"), *rest, stdin=stdin)
    assert r.returncode == 2
    assert needle in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_wrong_password_and_english_messages(tmp_path):
    d = str(tmp_path / "demo")
    assert run("seed-demo", "--data-dir", d, "--participants", "1").returncode == 0
    r = run("--lang", "en", "stats", "--data-dir", d, "--user", "demo", "--password-stdin", stdin="wrong-one\n")
    assert r.returncode == 2 and r.stderr.strip() == "fieldapp: Wrong username or password."
