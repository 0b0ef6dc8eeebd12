"""Certificates and cards: real PDFs read back with pypdf, QR codes decoded from rendered pages.

Synthetic people only. No Qt, no database.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from pypdf import PdfReader

from fieldapp.certificates import (
    date_id,
    generate_keypair,
    key_id_for,
    qrpool,
    render_cards,
    render_certificates,
    verify_payload,
)
from fieldapp.certificates import wording as w
from fieldapp.certificates.fonts import BOLD, REGULAR, register_fonts
from fieldapp.certificates.qrpool import iter_qr_ops
from fieldapp.errors import UserFacingError
from tests.factories import CERTIFICATE_NAMES as NAMES
from tests.factories import CERTIFICATE_NIK as NIK
from tests.factories import certificate_person as person

PRIVATE, PUBLIC = generate_keypair()
KEY_ID = key_id_for(PUBLIC)
KEYS = {KEY_ID: PUBLIC}
MASKED = "3216********0003"


def certificates(items, **kw) -> bytes:
    return render_certificates(items, signing_key=PRIVATE, key_id=KEY_ID, **kw)


def cards(items, **kw) -> bytes:
    return render_cards(items, signing_key=PRIVATE, key_id=KEY_ID, **kw)


def texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def embedded_font_files(pdf: bytes) -> set[int]:
    """Object numbers of the embedded font programs; asserts that every font used is embedded."""
    files: set[int] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            files.add(descriptor.raw_get("/FontFile2").idnum)
    return files


# --- content ------------------------------------------------------------------------------------------------


def test_one_page_per_participant_in_order_with_names_and_masked_nik():
    items = [person(i, kpj=None if i % 2 else f"260123456{i:02d}") for i in range(6)]
    pdf = certificates(items)
    pages = texts(pdf)
    assert len(pages) == 6
    for item, text in zip(items, pages, strict=True):
        assert item.full_name in text
        assert MASKED in text
        assert NIK not in text
    assert NIK.encode() not in pdf


def test_full_nik_is_nowhere_in_the_pdf():
    for pdf in (certificates([person(), person(1, kpj=None)]), cards([person(), person(1, kpj=None)])):
        assert NIK.encode() not in pdf
        reader = PdfReader(io.BytesIO(pdf))
        for page in reader.pages:
            assert NIK.encode() not in page.get_contents().get_data()  # the decompressed drawing operators
            assert NIK not in page.extract_text()
        assert NIK not in str(reader.metadata)


def test_final_certificate_shows_kpj_provisional_shows_local_number():
    final, provisional = texts(certificates([person(kpj="26012345678"), person(1, kpj=None)]))
    assert "Sertifikat Kepesertaan" in final and "Bukti Pendaftaran" not in final
    assert "Nomor KPJ 26012345678" in final
    assert "Bukti Pendaftaran" in provisional and "Sertifikat Kepesertaan" not in provisional
    assert "No. Pendaftaran 3216062001-A7-000001" in provisional
    assert "Nomor KPJ (nomor peserta BPJS Ketenagakerjaan) akan menyusul" in provisional
    assert "26012345678" not in provisional  # never a KPJ that BPJS has not issued


def test_reprint_shows_cetak_ulang_and_reason():
    normal, reprint = texts(certificates([person(), person(reprint_reason="Kertas rusak terkena banjir")]))
    assert "CETAK ULANG" not in normal
    assert "CETAK ULANG" in reprint and "Alasan: Kertas rusak terkena banjir" in reprint


def test_indonesian_dates_programmes_and_payer():
    (text,) = texts(certificates([person(programs=("JKK", "JKM", "JHT"))]))
    assert "17 Agustus 2026" in text  # issue date
    assert "Bekasi, 1 Juli 1990" in text
    assert "1 Desember 2026" in text  # coverage start
    assert "santunan kematian Rp42 juta untuk ahli waris" in text
    assert "perawatan tanpa batas biaya sesuai kebutuhan medis akibat kecelakaan kerja" in text
    assert "tabungan hari tua" in text
    assert "Iuran dibayar oleh Pemerintah Kabupaten Bekasi (APBD)" in text
    assert "Sukamaju" in text and "Tambun Selatan" in text and "Petani / pekebun" in text
    assert "SRT-3216-2026-000000" in text and "Drs. Ahmad Fauzi" in text


def test_date_words():
    assert date_id(dt.date(2026, 11, 21)) == "21 November 2026"
    assert [date_id(dt.date(2026, m, 1)).split()[1] for m in (1, 2, 3, 5, 8, 10, 12)] == [
        "Januari",
        "Februari",
        "Maret",
        "Mei",
        "Agustus",
        "Oktober",
        "Desember",
    ]


@pytest.mark.parametrize(
    ("source", "region", "expected"),
    [
        ("apbd", "Kabupaten Bekasi", "Iuran dibayar oleh Pemerintah Kabupaten Bekasi (APBD)"),
        ("apbd", "Kota Bekasi", "Iuran dibayar oleh Pemerintah Kota Bekasi (APBD)"),
        ("dana_desa", "Sukamaju", "Iuran dibayar oleh Pemerintah Desa Sukamaju (Dana Desa)"),
        ("dana_desa", "Desa Sukamaju", "Iuran dibayar oleh Pemerintah Desa Sukamaju (Dana Desa)"),
        ("apbn", "", "Iuran dibayar oleh Pemerintah Pusat (APBN)"),
        ("donor", "Yayasan Sejahtera", "Iuran dibayar oleh Yayasan Sejahtera (donatur/CSR)"),
        ("self", "", "Iuran dibayar oleh Peserta (mandiri)"),
    ],
)
def test_payer_line(source, region, expected):
    assert w.payer_line(person(funding_source=source, payer_region_name=region)) == expected


def test_invalid_data_is_refused():
    with pytest.raises(ValueError):
        person(programs=("JKK", "JKN"))
    with pytest.raises(ValueError):
        person(funding_source="bank")
    with pytest.raises(UserFacingError) as err:
        certificates([])
    assert err.value.code == "empty"


def test_long_values_do_not_break_the_page():
    long = person(
        full_name="Muhammad Rizky Pratama Wijayakusuma Hadiningrat Suryaatmadja Kusumanegara Sastrowardoyo",
        village_name="Sukamaju Kidul Wetan Mekarsari Jayasampurna Baru Lestari Indah Permai",
        occupation_label="Pedagang kaki lima keliling " * 5,
        reprint_reason="alasan panjang " * 30,
        programs=("JKK", "JKM", "JHT"),
        kpj=None,
    )
    (text,) = texts(certificates([long]))
    assert "Muhammad Rizky" in text and MASKED in text
    (card_text,) = texts(cards([long]))
    assert "Muhammad Rizky" in card_text


# --- fonts --------------------------------------------------------------------------------------------------


def test_accented_names_have_glyphs_and_extract():
    register_fonts()
    from reportlab.pdfbase import pdfmetrics

    for font in (REGULAR, BOLD):
        face = pdfmetrics.getFont(font).face
        for ch in "".join(NAMES) + "ÉâÑÇçñüöÀ·…":
            assert face.charToGlyph.get(ord(ch), 0) != 0, (font, ch)  # 0 is .notdef: the black box
    pages = texts(certificates([person(2), person(3)]))
    assert "Élisabet Nurâini" in pages[0] and "Ñoman Çahya" in pages[1]


def test_fonts_embedded_once_per_document():
    one = embedded_font_files(certificates([person()]))
    fifty = embedded_font_files(certificates([person(i, kpj=None if i % 3 else "26012345678") for i in range(50)]))
    assert len(one) >= 2  # regular and bold
    assert len(fifty) == len(one)
    assert len(embedded_font_files(cards([person(i) for i in range(25)]))) == len(
        embedded_font_files(cards([person()]))
    )


def test_images_embedded_once(tmp_path: Path):
    pil = pytest.importorskip("PIL.Image")
    logo, signature = tmp_path / "logo.png", tmp_path / "ttd.png"
    pil.new("RGB", (120, 120), (20, 90, 80)).save(logo)
    pil.new("RGBA", (300, 100), (0, 0, 80, 128)).save(signature)
    items = [person(i, logo_images=(logo,), signature_image=signature) for i in range(20)]
    reader = PdfReader(io.BytesIO(certificates(items)))
    images = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/XObject"].values():
            images.add(ref.idnum)
    assert len(images) == 2
    missing = person(logo_images=(tmp_path / "nope.png",), signature_image=tmp_path / "nope.png")
    assert len(texts(certificates([missing]))) == 1  # an unreadable image never stops a print run


# --- cards --------------------------------------------------------------------------------------------------


def test_cards_ten_per_sheet():
    items = [person(i, kpj=None if i % 2 else f"260123456{i:02d}") for i in range(23)]
    pdf = cards(items)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 portrait
    sheets = texts(pdf)
    assert sheets[0].count(MASKED) == 10 and sheets[2].count(MASKED) == 3
    assert "No. Pendaftaran 3216062001-A7-000001" in sheets[0] and "No. KPJ 26012345600" in sheets[0]
    assert NIK not in " ".join(sheets) and NIK.encode() not in pdf
    for name in NAMES:
        assert name in sheets[0] + sheets[1]


# --- progress and cancel ------------------------------------------------------------------------------------


def test_progress_reports_every_page():
    seen: list[tuple[int, int]] = []
    certificates([person(i) for i in range(4)], progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    seen.clear()
    cards([person(i) for i in range(12)], progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (12, 12) and len(seen) == 12


@pytest.mark.parametrize("workers", [0, 1])
def test_cancel_between_pages(workers):
    cancel = threading.Event()

    def progress(done, total):
        if done == 3:
            cancel.set()

    with pytest.raises(UserFacingError) as err:
        certificates([person(i) for i in range(120)], progress=progress, cancel=cancel, workers=workers)
    assert err.value.code == "cancelled"
    with pytest.raises(UserFacingError):
        cards([person(i) for i in range(5)], cancel=cancel)


def test_helper_process_makes_the_same_codes():
    payloads = [f"FA1.test-{i}" for i in range(100)]
    serial = list(iter_qr_ops(payloads, workers=0))
    assert list(iter_qr_ops(payloads, workers=1)) == serial
    assert list(iter_qr_ops(payloads)) == serial  # auto: a helper when the batch is large


def test_without_a_working_helper_codes_are_made_here(monkeypatch):
    def dead_pool(helpers):
        pool = ProcessPoolExecutor(max_workers=1)
        pool.shutdown()
        return pool  # submit() now raises: as if the helper could not start

    monkeypatch.setattr(qrpool, "_start", dead_pool)
    payloads = [f"FA1.test-{i}" for i in range(30)]
    assert list(iter_qr_ops(payloads, workers=1)) == list(iter_qr_ops(payloads, workers=0))


# --- QR codes, decoded from rendered pages ------------------------------------------------------------------


def _decode_page_qr(pdf: bytes, tmp_path: Path, page: int = 1) -> list[str]:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: cannot render pages to decode their QR codes")
    zxingcpp = pytest.importorskip("zxingcpp")
    image_module = pytest.importorskip("PIL.Image", reason="Pillow is needed to hand rendered pages to zxing-cpp")
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    prefix = tmp_path / f"page{page}"
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", str(page), "-l", str(page), "-singlefile", source, prefix],
        check=True,
    )
    with image_module.open(f"{prefix}.png") as image:
        return [r.text for r in zxingcpp.read_barcodes(image)]


def test_certificate_qr_decodes_and_verifies(tmp_path: Path):
    final, provisional = person(kpj="26012345678"), person(1, kpj=None)
    pdf = certificates([final, provisional])
    for page, data in ((1, final), (2, provisional)):
        (decoded,) = _decode_page_qr(pdf, tmp_path, page)
        result = verify_payload(decoded, KEYS)
        assert result.valid, result.reason_en
        assert result.fields.serial == data.serial
        assert result.fields.participant_uuid == data.participant_uuid
        assert result.fields.issue_date == data.issue_date
        expected = ("kpj", data.kpj) if data.kpj else ("local", data.local_number)
        assert (result.fields.number_kind, result.fields.number) == expected
        assert NIK not in decoded
        tampered = decoded.replace(decoded[10], "A" if decoded[10] != "A" else "B", 1)
        assert not verify_payload(tampered, KEYS).valid


def test_card_qr_codes_decode_and_verify(tmp_path: Path):
    items = [person(i, kpj=None if i % 2 else f"260123456{i:02d}") for i in range(10)]
    decoded = _decode_page_qr(cards(items), tmp_path)
    assert len(decoded) == 10
    serials = set()
    for text in decoded:
        result = verify_payload(text, KEYS)
        assert result.valid, result.reason_en
        serials.add(result.fields.serial)
    assert serials == {d.serial for d in items}
