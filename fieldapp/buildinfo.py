"""What this copy of fieldapp is and where it keeps things: version, build date, data, backups and log.

Pure Python, no Qt, nothing heavy imported: ``fieldapp --version`` and the About dialog both read it.

The build date comes from ``_build.json`` beside this module, which ``packaging/fieldapp.spec`` writes into the
bundle at build time (never into the source tree). A source checkout has none and says so.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from fieldapp import __version__
from fieldapp.i18n import tr
from fieldapp.paths import default_data_dir

BUILD_FILE = Path(__file__).resolve().parent / "_build.json"
LOG_NAME = "fieldapp.log"


@dataclass(frozen=True)
class BuildInfo:
    version: str
    build_date: str | None  # ISO date-time (UTC) of the bundle's build; None in a source checkout
    commit: str | None
    frozen: bool
    data_dir: Path
    backups_dir: Path
    log_file: Path

    @property
    def build_text(self) -> str:
        if self.build_date is None:
            return tr("checkout pengembangan (bukan paket terpasang)", "development checkout (not an installed build)")
        return self.build_date + (f" ({self.commit})" if self.commit else "")

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs in the current language, for ``--version`` and the About dialog."""
        return [
            (tr("Versi", "Version"), self.version),
            (tr("Tanggal build", "Build date"), self.build_text),
            (tr("Folder data", "Data folder"), str(self.data_dir)),
            (tr("Folder cadangan", "Backups folder"), str(self.backups_dir)),
            (tr("File log", "Log file"), str(self.log_file)),
        ]

    def text(self) -> str:
        width = max(len(label) for label, _ in self.lines())
        rows = [f"  {label + ':':<{width + 1}} {value}" for label, value in self.lines()[1:]]
        return "\n".join([f"fieldapp {self.version}", *rows])


def read_build_file(path: Path = BUILD_FILE) -> dict[str, str]:
    """The build stamp the spec wrote, or {} when there is none (or it cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def backups_dir(data_dir: Path) -> Path:
    """Same folder as ``fieldapp.services.backup.backups_dir`` (a test keeps them equal)."""
    return Path(data_dir) / "backups"


def log_file(data_dir: Path) -> Path:
    return Path(data_dir) / "logs" / LOG_NAME


def info(data_dir: Path | None = None, build_file: Path = BUILD_FILE) -> BuildInfo:
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    stamp = read_build_file(build_file)
    return BuildInfo(
        version=__version__,
        build_date=stamp.get("build_date") or None,
        commit=stamp.get("commit") or None,
        frozen=bool(getattr(sys, "frozen", False)),
        data_dir=data_dir,
        backups_dir=backups_dir(data_dir),
        log_file=log_file(data_dir),
    )


def start_file_log(data_dir: Path, level: int = logging.INFO) -> Path | None:
    """Send the root logger to ``<data>/logs/fieldapp.log`` (rotating, 1 MB × 3) and return its path.

    A windowed app on Windows has no console, so without this its log is lost. Returns None (and logs to
    stderr only) when the folder cannot be written.
    """
    from logging.handlers import RotatingFileHandler

    from fieldapp.logmask import MaskingFormatter

    path = log_file(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(MaskingFormatter())  # the log sits in the data directory: no NIK in clear
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return path
