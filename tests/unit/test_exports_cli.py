"""``fieldapp export`` and ``fieldapp import`` as a user runs them: a real process, stdin, a data directory."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys

import openpyxl
import pypdf

from fieldapp.services import seed
from tests.conftest import PASSWORD, open_as
from tests.factories import nik_for
from tests.unit.test_exports import unsealed
from tests.unit.test_imports import messy_rows, write_csv

ENV = {"FIELDAPP_USER": "sup", "FIELDAPP_PASSWORD": PASSWORD}


def run(*args, stdin="", env=None):
    full = {k: v for k, v in os.environ.items() if k not in ("FIELDAPP_USER", "FIELDAPP_PASSWORD")}
    full.update({"FIELDAPP_LANG": "id", **(env or {})})
    return subprocess.run([sys.executable, "-m", "fieldapp", *args], input=stdin, capture_output=True, text=True,
                          env=full, timeout=180)


def test_export_every_kind_and_format(data_dir, tmp_path):
    ws = open_as(data_dir, "sup")
    for rows in seed.demo_rows(ws.store, 60):
        seed.bulk_insert(ws.store, rows)
    ws.close()
    d = str(data_dir)
    r = run("export", "participants", "--data-dir", d, "--format", "csv", "--out", str(tmp_path / "p.csv"),
            "--user", "sup", "--password-stdin", stdin=f"{PASSWORD}\n")
    assert r.returncode == 0, r.stderr
    assert "60 baris, NIK disamarkan" in r.stdout
    with open(tmp_path / "p.csv", encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == 60
    r = run("export", "coverage", "--data-dir", d, "--out", str(tmp_path / "c.xlsx"), "--from", "2020-01-01",
            "--to", "2099-12-31", "--village", "3216", env=ENV)
    assert r.returncode == 0, r.stderr
    assert "Per desa" in openpyxl.load_workbook(tmp_path / "c.xlsx").sheetnames
    r = run("export", "sync-log", "--data-dir", d, "--format", "pdf", "--out", str(tmp_path / "s.pdf"), env=ENV)
    assert r.returncode == 0, r.stderr
    assert "Log sinkronisasi" in pypdf.PdfReader(tmp_path / "s.pdf").pages[0].extract_text()
    r = run("export", "participants", "--data-dir", d, "--format", "csv", "--unmasked", "--out",
            str(tmp_path / "u.csv"), env={**ENV, "FIELDAPP_FILE_PASSWORD": "kunci-berkas-123"})
    assert r.returncode == 2 and "XLSX yang dikunci kata sandi" in r.stderr
    r = run("export", "participants", "--data-dir", d, "--unmasked", "--out", str(tmp_path / "u.xlsx"), env=ENV)
    assert r.returncode == 2 and "kata sandi berkas" in r.stderr  # no file password given
    r = run("export", "participants", "--data-dir", d, "--unmasked", "--out", str(tmp_path / "u.xlsx"),
            env={**ENV, "FIELDAPP_FILE_PASSWORD": "kunci-berkas-123"})
    assert r.returncode == 0 and "NIK LENGKAP" in r.stdout
    assert unsealed(tmp_path / "u.xlsx", "kunci-berkas-123")["Peserta"].max_row == 61


def test_export_refused_for_an_officer_and_bad_arguments(data_dir, tmp_path):
    d = str(data_dir)
    r = run("export", "coverage", "--data-dir", d, "--format", "csv", "--out", str(tmp_path / "c.csv"),
            env={"FIELDAPP_USER": "petugas", "FIELDAPP_PASSWORD": PASSWORD})
    assert r.returncode == 2 and "tidak berhak mengekspor" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "c.csv").exists()
    r = run("export", "coverage", "--data-dir", d, "--format", "csv", "--from", "kemarin",
            "--out", str(tmp_path / "c.csv"), env=ENV)
    assert r.returncode == 2 and "tanggal tidak dikenali" in r.stderr
    r = run("export", "coverage", "--data-dir", d, "--out", str(tmp_path / "c.docx"), env=ENV)
    assert r.returncode == 2 and "--format" in r.stderr


def test_import_json_report_and_dry_run(data_dir, tmp_path):
    path = tmp_path / "daftar.csv"
    write_csv(path, messy_rows())
    d = str(data_dir)
    officer = {"FIELDAPP_USER": "petugas", "FIELDAPP_PASSWORD": PASSWORD}
    r = run("import", str(path), "--data-dir", d, "--village", "3216062002", "--dry-run", "--json", env=officer)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"rows": 11, "imported": 5, "duplicates": 1, "rejected": 5, "dry_run": True}
    report = tmp_path / "masalah.csv"
    r = run("import", str(path), "--data-dir", d, "--village", "3216062002", "--json", "--report", str(report),
            env=officer)
    assert json.loads(r.stdout) == {"rows": 11, "imported": 5, "duplicates": 1, "rejected": 5}
    with open(report, encoding="utf-8-sig", newline="") as f:
        assert {row["Baris"] for row in csv.DictReader(f) if row["Jenis"] != "peringatan"} == {
            "5", "9", "11", "12", "13", "15"}
    r = run("import", str(path), "--data-dir", d, "--village", "3216062002", "--user", "petugas",
            "--password-stdin", stdin=f"{PASSWORD}\n")
    assert r.returncode == 0, r.stderr
    assert "11 baris: 0 diimpor, 6 duplikat, 5 ditolak" in r.stdout
    assert "baris 5 · N I K: NIK tersimpan sebagai angka" in r.stderr


def test_import_refused_for_a_clerk(data_dir, tmp_path):
    path = tmp_path / "d.csv"
    write_csv(path, [["NIK", "Nama"], [nik_for(dt.date(1990, 1, 1)), "Budi"]])
    r = run("import", str(path), "--data-dir", str(data_dir),
            env={"FIELDAPP_USER": "kerani", "FIELDAPP_PASSWORD": PASSWORD})
    assert r.returncode == 2 and "tidak berhak mengimpor" in r.stderr
