"""``fieldapp certificates`` and ``fieldapp verify-certificate`` as a user runs them: a real process, a real store,
the PDF read back with pypdf, the QR codes checked against the payloads kept in the PDF."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from fieldapp.certificates import embedded, public_key_to_text
from fieldapp.db import models as m
from fieldapp.services import certificates as cert
from fieldapp.services import enrolment, seed
from tests.conftest import PASSWORD, open_as
from tests.factories import enrolment as make
from tests.factories import nik_for, open_visit

ENV = {"FIELDAPP_USER": "kerani", "FIELDAPP_PASSWORD": PASSWORD}
VILLAGE = "3216062002"
NAMES = ["Wulan Sari", "ahmad Fauzi", "Öman Hidayat", "Citra Kirana", "Bambang Pamungkas", "Rina Marlina"]


def run(*args, env=None, lang="id"):
    full = {k: v for k, v in os.environ.items() if k not in ("FIELDAPP_USER", "FIELDAPP_PASSWORD")}
    full.update({"FIELDAPP_LANG": lang, **(env if env is not None else ENV)})
    return subprocess.run(
        [sys.executable, "-m", "fieldapp", *args], capture_output=True, text=True, env=full, timeout=180
    )


@pytest.fixture
def store(data_dir):
    """Six people enrolled in Lambangsari during one visit, and 30 demo participants elsewhere."""
    ws = open_as(data_dir, "petugas")
    try:
        for rows in seed.demo_rows(ws.store, 30):
            seed.bulk_insert(ws.store, [r for r in rows if r["village_code"] != VILLAGE])
        visit = open_visit(ws, village_code=VILLAGE)
        for n, name in enumerate(NAMES, start=1):
            birth = dt.date(1970 + n, n, n + 5)
            enrolment.enrol(ws, make(full_name=name, birth_date=birth, nik=nik_for(birth, "L", n)), visit_id=visit.id)
    finally:
        ws.close()
    return data_dir, visit.id


def _niks(data_dir) -> list[str]:
    ws = open_as(data_dir, "sup")
    try:
        with ws.store.sessions() as session:
            return list(session.scalars(select(m.Participant.nik)))
    finally:
        ws.close()


def _issue_count(data_dir) -> int:
    ws = open_as(data_dir, "sup")
    try:
        with ws.store.sessions() as session:
            return len(list(session.scalars(select(m.CertificateIssue.id))))
    finally:
        ws.close()


def _pages(path: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(path).pages]


def test_certificates_for_a_village_one_page_each_sorted_by_name_no_nik(store, tmp_path):
    data_dir, _visit = store
    out = tmp_path / "sertifikat.pdf"
    r = run("certificates", "--data-dir", str(data_dir), "--village", "32.16.06.2002", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "6 sertifikat (0 final, 6 sementara)" in r.stdout and str(out) in r.stdout
    assert "Sertifikat: 6/6" in r.stderr  # progress on stderr
    pages = _pages(out)
    assert len(pages) == 6
    expected = sorted(NAMES, key=lambda n: n.replace("Ö", "O").casefold())
    assert [next(n for n in NAMES if n in page) for page in pages] == expected
    raw = out.read_bytes()
    for nik in _niks(data_dir):
        assert nik.encode() not in raw and all(nik not in page for page in pages)
    assert all("********" in page for page in pages)  # the masked NIK is printed
    assert not list(tmp_path.glob(".*.part"))
    assert _issue_count(data_dir) == 6


def test_cards_for_everyone_and_a_visit(store, tmp_path):
    data_dir, visit_id = store
    out = tmp_path / "kartu.pdf"
    r = run("certificates", "--data-dir", str(data_dir), "--all", "--kind", "card", "--out", str(out))
    assert r.returncode == 0, r.stderr
    total = len(_niks(data_dir))
    assert len(_pages(out)) == -(-total // 10) and _issue_count(data_dir) == total
    r = run("certificates", "--data-dir", str(data_dir), "--visit", str(visit_id), "--out", str(tmp_path / "v.pdf"))
    assert r.returncode == 0, r.stderr
    assert len(_pages(tmp_path / "v.pdf")) == 6


def test_reprint_needs_a_reason(store, tmp_path):
    data_dir, _visit = store
    args = ("certificates", "--data-dir", str(data_dir), "--village", VILLAGE, "--kind", "card")
    assert run(*args, "--out", str(tmp_path / "a.pdf")).returncode == 0
    r = run(*args, "--out", str(tmp_path / "b.pdf"))
    assert r.returncode == 2 and "Cetak ulang perlu alasan" in r.stderr and "ahmad Fauzi" in r.stderr
    assert "dan 1 lainnya" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "b.pdf").exists()
    r = run(*args, "--reason", "kartu rusak terkena air", "--out", str(tmp_path / "b.pdf"), lang="en")
    assert r.returncode == 0, r.stderr
    assert "6 participant cards (0 final, 6 provisional, 6 reprints)" in r.stdout
    assert _pages(tmp_path / "b.pdf")[0].count("CETAK ULANG") == 6
    assert _issue_count(data_dir) == 12


def test_user_mistakes_are_one_line_and_record_nothing(store, tmp_path):
    data_dir, _visit = store
    r = run("certificates", "--data-dir", str(data_dir), "--village", VILLAGE, "--out", str(tmp_path / "no" / "x.pdf"))
    assert r.returncode == 2 and "Folder tujuan tidak ada" in r.stderr
    r = run("certificates", "--data-dir", str(data_dir), "--village", "3216062099", "--out", str(tmp_path / "x.pdf"))
    assert r.returncode == 2 and "Tidak ada peserta" in r.stderr
    r = run("certificates", "--data-dir", str(data_dir), "--village", "32160", "--out", str(tmp_path / "x.pdf"))
    assert r.returncode == 2 and "kode desa tidak valid" in r.stderr
    r = run(
        "certificates",
        "--data-dir",
        str(data_dir),
        "--all",
        "--out",
        str(tmp_path / "x.pdf"),
        env={"FIELDAPP_USER": "kerani", "FIELDAPP_PASSWORD": "salah"},
    )
    assert r.returncode == 2 and "kata sandi salah" in r.stderr
    assert _issue_count(data_dir) == 0


def test_verify_a_pdf_and_its_payloads(store, tmp_path):
    data_dir, _visit = store
    out = tmp_path / "s.pdf"
    assert run("certificates", "--data-dir", str(data_dir), "--village", VILLAGE, "--out", str(out)).returncode == 0
    r = run("verify-certificate", "--data-dir", str(data_dir), "--pdf", str(out))
    assert r.returncode == 0, r.stderr + r.stdout
    assert r.stdout.count("SAH: Kode QR sah") == 6 and "6 dari 6 kode sah." in r.stdout
    assert "No. pendaftaran: 3216062002-" in r.stdout

    payloads = [t for page in embedded.read(out.read_bytes()) for t in page]
    r = run("verify-certificate", "--data-dir", str(data_dir), "--payload", payloads[0], lang="en")
    assert r.returncode == 0 and r.stdout.startswith("VALID: Valid") and "Serial: SRT-" in r.stdout
    version, key_id, blob = payloads[0].split(":", 2)  # base45 itself may hold ":", so split from the left
    head = f"{version}:{key_id}"
    tampered = f"{head}:{blob[:40]}{'A' if blob[40] != 'A' else 'B'}{blob[41:]}"
    r = run("verify-certificate", "--data-dir", str(data_dir), "--payload", tampered)
    assert r.returncode == 1 and r.stdout.startswith("TIDAK SAH")
    r = run("verify-certificate", "--data-dir", str(data_dir), "--payload", "halo dunia")
    assert r.returncode == 1 and "bukan kode sertifikat" in r.stdout

    raw = out.read_bytes()
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(raw.replace(payloads[2].encode(), tampered.encode(), 1))
    r = run("verify-certificate", "--data-dir", str(data_dir), "--pdf", str(forged))
    assert r.returncode == 1 and "5 dari 6 kode sah." in r.stdout
    swapped = tmp_path / "swapped.pdf"  # a valid code moved onto another person's page
    swapped.write_bytes(raw.replace(payloads[2].encode(), payloads[0].encode(), 1))
    r = run("verify-certificate", "--data-dir", str(data_dir), "--pdf", str(swapped))
    assert r.returncode == 1 and "tidak sama dengan yang ditandatangani" in r.stdout


def test_verify_with_a_published_key_and_without_keys(store, tmp_path):
    data_dir, _visit = store
    out = tmp_path / "s.pdf"
    assert run("certificates", "--data-dir", str(data_dir), "--village", VILLAGE, "--out", str(out)).returncode == 0
    ws = open_as(data_dir, "kerani")
    try:
        ((key_id, public),) = cert.public_keys(ws).items()
    finally:
        ws.close()
    elsewhere = tmp_path / "empty"
    elsewhere.mkdir()
    r = run(
        "verify-certificate",
        "--data-dir",
        str(elsewhere),
        "--pdf",
        str(out),
        "--public-key",
        f"{key_id}={public_key_to_text(public)}",
        env={},
    )
    assert r.returncode == 0, r.stdout + r.stderr
    r = run("verify-certificate", "--data-dir", str(elsewhere), "--pdf", str(out))
    assert r.returncode == 2 and "Tidak ada kunci publik" in r.stderr
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4 broken")
    r = run("verify-certificate", "--data-dir", str(data_dir), "--pdf", str(other))
    assert r.returncode == 2 and "bukan PDF" in r.stderr


def test_the_qr_code_on_the_page_is_the_payload_kept_in_the_pdf(store, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    zxingcpp = pytest.importorskip("zxingcpp")
    image_module = pytest.importorskip("PIL.Image")
    data_dir, _visit = store
    out = tmp_path / "s.pdf"
    assert (
        run(
            "certificates", "--data-dir", str(data_dir), "--village", VILLAGE, "--kind", "card", "--out", str(out)
        ).returncode
        == 0
    )
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", str(out), str(tmp_path / "page")], check=True)
    with image_module.open(tmp_path / "page.png") as image:
        decoded = sorted(r.text for r in zxingcpp.read_barcodes(image))
    assert decoded == sorted(embedded.read(out.read_bytes())[0])
    assert len(decoded) == 6
