"""Screenshots of every page of the desktop app, in Indonesian and English, at 1366×768.

    python scripts/screenshots.py [--out docs/img] [--participants 2000] [--pages home,enrol] [--langs id,en]

Seeds a demo store (synthetic villagers) in a temporary folder, opens a visit, builds the main window through
``fieldapp.ui.app.build_window`` as the demo officer, half-fills the enrolment form so the live checks show,
and saves ``ui-<page>-<lang>.png``. Runs offscreen unless a display is set (e.g. under ``xvfb-run``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ("home", "visit", "enrol", "participants", "certificates", "sync", "reports", "settings")
OFFICER, PASSWORD = "petugas", "demo1234"


def prepare(data_dir: Path, participants: int) -> None:
    """A demo store with an open visit to a Kabupaten Bekasi village (as the demo officer)."""
    from fieldapp.services import seed, visits
    from fieldapp.services.workspace import Workspace

    seed.seed_demo(data_dir, participants)
    ws = Workspace.open(data_dir, OFFICER, PASSWORD)
    try:
        today = dt.date.today()
        visits.open_visit(
            ws,
            village_code="3216062002",
            visit_date=today,
            funding_source="apbd",
            programs="JKK,JKM",
            sector="other",
            start_month=today.replace(day=1),
            location_note="Balai Desa Lambangsari",
        )
    finally:
        ws.close()


def wait(app, condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    settle(app, 0.3)


def settle(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def half_filled_form(app, window) -> None:
    """A person being typed in: NIK read (sex and birth date filled), a phone, a warning, the contribution."""
    from PySide6.QtTest import QTest

    page = window.pages["enrol"]
    form = page.form
    QTest.keyClicks(form.inputs["nik"], "3216065203880021")
    QTest.keyClicks(form.inputs["full_name"], "Siti Rohmah")
    QTest.keyClicks(form.inputs["birth_place"], "Bekasi")
    wait(app, lambda: form.inputs["birth_date"].text() != "")
    form.inputs["birth_date"].setText("")
    QTest.keyClicks(form.inputs["birth_date"], "21-03-1988")  # the NIK says 12-03-1988: an amber warning
    QTest.keyClicks(form.inputs["street"], "Kp. Rawa No. 3")
    QTest.keyClicks(form.inputs["rt"], "2")
    QTest.keyClicks(form.inputs["rw"], "4")
    QTest.keyClicks(form.inputs["phone"], "0812 9876 5432")  # tidied to 0812-9876-5432 when left
    form.inputs["phone"].editingFinished.emit()
    QTest.keyClicks(form.inputs["heir_phone"], "0812 34")  # too short: a red error at the field
    form.inputs["heir_phone"].editingFinished.emit()
    form.inputs["occupation"].setCurrentIndex(form.inputs["occupation"].findData("pedagang"))
    form.inputs["heir_relationship"].setCurrentIndex(0)
    form.inputs["rw"].setFocus()
    wait(app, lambda: "Rp" in form.contribution.text())
    settle(app, 0.5)


def shoot(out: Path, lang: str, pages: tuple[str, ...], data_dir: Path) -> list[Path]:
    from fieldapp.services.workspace import Workspace
    from fieldapp.ui.app import application, build_window

    ws = Workspace.open(data_dir, OFFICER, PASSWORD)
    ws.set_setting("language", lang)
    ws.close()
    app = application()
    window = build_window(data_dir, OFFICER, PASSWORD)
    window.resize(1366, 768)
    window.show()
    home = window.pages["home"]
    wait(app, lambda: home.loaded >= {"quick", "counts", "progress"})
    saved = []
    for name in pages:
        window.show_page(name)
        page = window.pages[name]
        if name == "enrol":
            half_filled_form(app, window)
        elif name == "participants":
            wait(app, lambda p=page: p.model.complete and p.model.row_at(0) is not None)
            page.table.setFocus()
            page.table.selectRow(2)
        settle(app, 1.0)
        path = out / f"ui-{name}-{lang}.png"
        window.grab().save(str(path), "PNG", 0)  # 0: the strongest PNG compression
        saved.append(path)
    window.close()
    window.shutdown()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--langs", default="id,en")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    pages = tuple(p for p in args.pages.split(",") if p)
    with tempfile.TemporaryDirectory(prefix="fieldapp-shots-") as tmp:
        data_dir = Path(tmp) / "data"
        prepare(data_dir, args.participants)
        for lang in args.langs.split(","):
            for path in shoot(args.out, lang, pages, data_dir):
                print(f"{path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
