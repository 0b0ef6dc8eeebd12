"""Set up fieldapp in a virtual environment (.venv) and start it, or run the whole test suite.

    python3 scripts/dev.py start [--participants N]   # Linux/macOS (./dev.sh start also installs system packages)
    py -3 scripts\\dev.py start                        # Windows
    python3 scripts/dev.py test [pytest args]          # ruff, import-linter, then pytest

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


def main() -> int:
    command, *rest = sys.argv[1:] or ["start"]
    if command not in ("setup", "start", "test"):
        print(__doc__)
        return 2
    setup()
    if command == "start":
        return start(rest)
    if command == "test":
        return test(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
