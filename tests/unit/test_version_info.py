"""fieldapp.buildinfo: version, build stamp (bundle) or "development checkout", and the data locations."""

import json
import subprocess
import sys

from fieldapp import __version__, buildinfo, i18n


def test_checkout_has_no_build_stamp_and_says_so(tmp_path):
    info = buildinfo.info(tmp_path / "data", build_file=tmp_path / "missing.json")
    assert info.version == __version__
    assert info.build_date is None and info.commit is None
    i18n.set_language("en")
    try:
        assert info.build_text == "development checkout (not an installed build)"
    finally:
        i18n.set_language("id")
    assert info.build_text.startswith("checkout pengembangan")


def test_bundle_stamp_is_read(tmp_path):
    stamp = tmp_path / "_build.json"
    stamp.write_text(json.dumps({"build_date": "2026-11-21 06:51 UTC", "commit": "b2a76a6abcde"}), "utf-8")
    info = buildinfo.info(tmp_path, build_file=stamp)
    assert info.build_date == "2026-11-21 06:51 UTC" and info.commit == "b2a76a6abcde"
    assert info.build_text == "2026-11-21 06:51 UTC (b2a76a6abcde)"


def test_broken_stamp_counts_as_none(tmp_path):
    stamp = tmp_path / "_build.json"
    for content in ("not json", "[1, 2]", ""):
        stamp.write_text(content, "utf-8")
        assert buildinfo.info(tmp_path, build_file=stamp).build_date is None


def test_source_tree_holds_no_stamp():
    """The spec writes the stamp into the build folder only; a stamp in the tree would lie about a checkout."""
    assert not buildinfo.BUILD_FILE.exists()


def test_locations_follow_the_data_dir_and_match_the_services(tmp_path):
    from fieldapp.services.backup import backups_dir

    info = buildinfo.info(tmp_path)
    assert info.data_dir == tmp_path
    assert info.backups_dir == backups_dir(tmp_path) == tmp_path / "backups"
    assert info.log_file == tmp_path / "logs" / "fieldapp.log"


def test_default_data_dir_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDAPP_DATA_DIR", str(tmp_path / "elsewhere"))
    assert buildinfo.info().data_dir == tmp_path / "elsewhere"


def test_text_lists_every_line_in_both_languages(tmp_path):
    info = buildinfo.info(tmp_path)
    assert info.text().splitlines()[0] == f"fieldapp {__version__}"
    assert str(tmp_path / "backups") in info.text() and "Folder cadangan" in info.text()
    i18n.set_language("en")
    try:
        labels = [label for label, _ in info.lines()]
        assert labels == ["Version", "Build date", "Data folder", "Backups folder", "Log file"]
    finally:
        i18n.set_language("id")


def test_start_file_log_writes_under_the_data_dir(tmp_path):
    import logging

    path = buildinfo.start_file_log(tmp_path)
    root = logging.getLogger()
    try:
        logging.getLogger("fieldapp.test").warning("halo dari tes")
        for handler in root.handlers:
            handler.flush()
        assert path == tmp_path / "logs" / "fieldapp.log"
        assert "halo dari tes" in path.read_text("utf-8")
    finally:
        for handler in [h for h in root.handlers if getattr(h, "baseFilename", None) == str(path)]:
            root.removeHandler(handler)
            handler.close()


def test_buildinfo_imports_nothing_heavy():
    """``fieldapp --version`` reads it: no Qt, no SQLAlchemy, no ReportLab."""
    code = (
        "import sys, fieldapp.buildinfo as b; b.info().text(); "
        "print(sorted(m for m in ('PySide6', 'sqlalchemy', 'reportlab', 'alembic') if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stderr
