"""Set up fieldapp in a virtual environment (.venv) and start it, or run the whole test suite.

    python3 scripts/dev.py start [--participants N]   # Linux/macOS (./dev.sh start also installs system packages)
    py -3 scripts\\dev.py start                        # Windows
    python3 scripts/dev.py test [pytest args]          # ruff, import-linter, then pytest
    python3 scripts/dev.py package                      # Linux: build the bundle (PyInstaller), then smoke-test it

Idempotent: the packages are reinstalled only when pyproject.toml changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
DEMO = ROOT / "demo-data"


def run(*cmd: object, **kw) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def setup() -> None:
    python = BIN / ("python.exe" if os.name == "nt" else "python")
    if not python.exists():
        print(f"Membuat lingkungan Python / creating the virtual environment in {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    stamp = VENV / ".fieldapp-installed"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(python, "-m", "pip", "install", "--quiet", "-e", ".[server,dev]")
        stamp.write_text(wanted)


def start(args: list[str]) -> int:
    participants = args[args.index("--participants") + 1] if "--participants" in args else "2000"
    fieldapp = BIN / "fieldapp"
    if not (DEMO / "fieldapp.sqlite").exists():
        run(fieldapp, "seed-demo", "--data-dir", DEMO, "--participants", participants)
    print("Masuk dengan / log in as: petugas (petugas lapangan / officer), demo (supervisor), kerani (clerk), "
          "admin; kata sandi / password: demo1234", flush=True)
    return subprocess.call([str(fieldapp), "--data-dir", str(DEMO)], cwd=ROOT)


def test(args: list[str]) -> int:
    run(BIN / "ruff", "check", "fieldapp", "tests", "bench", "scripts")
    run(BIN / "lint-imports")
    return subprocess.call([str(BIN / "python"), "-m", "pytest", *args], cwd=ROOT)


def package() -> int:
    """The Linux bundle in dist/fieldapp, built from this checkout, and its smoke test (the built program only)."""
    if os.name == "nt":
        print("Windows: powershell -ExecutionPolicy Bypass -File packaging\\build_windows.ps1 (see README)")
        return 2
    python = BIN / "python"
    run(python, "-m", "pip", "install", "--quiet", "-e", ".[package]")
    env = {**os.environ, "PYTHON": str(python)}
    run("bash", "packaging/build_linux.sh", env=env)
    return subprocess.call(["bash", "packaging/smoke_test.sh", "dist/fieldapp"], cwd=ROOT, env=env)


def main() -> int:
    command, *rest = sys.argv[1:] or ["start"]
    if command not in ("setup", "start", "test", "package"):
        print(__doc__)
        return 2
    setup()
    if command == "start":
        return start(rest)
    if command == "test":
        return test(rest)
    if command == "package":
        return package()
    return 0


if __name__ == "__main__":
    sys.exit(main())
