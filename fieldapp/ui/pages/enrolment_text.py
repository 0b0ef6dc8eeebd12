"""The words and small parsers of the enrolment form: dates as typed, the consent text, the contribution line,
the duplicate warning. Kept apart from the widgets so they read (and change) on their own.
"""

from __future__ import annotations

import datetime as dt
import re

from fieldapp.i18n import tr
from fieldapp.ui.widgets import month_text, rupiah

CONSENT_LABELS = {
    "tanda_tangan": ("Tanda tangan", "Signature"),
    "cap_jempol": ("Cap jempol", "Thumbprint"),
    "lisan_disaksikan": ("Lisan, disaksikan", "Spoken, witnessed"),
    "daftar_kolektif": ("Daftar kolektif (impor)", "Collective list (import)"),
}
_DATE = re.compile(r"^\s*(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})\s*$")


def parse_date(text: str) -> dt.date | None:
    """'12-07-1990', '12/7/1990', '12071990' or '1990-07-12' → a date; None when it is no date."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{8}", text):
            return dt.date(int(text[4:]), int(text[2:4]), int(text[:2]))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        m = _DATE.match(text)
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def consent_text() -> str:
    return tr(
        "Data ini dipakai untuk mendaftarkan peserta ke program jaminan sosial ketenagakerjaan. Data dibagikan "
        "kepada BPJS Ketenagakerjaan, Dinas Tenaga Kerja dan Polri (Bhabinkamtibmas) hanya untuk pendaftaran, "
        "pembayaran iuran dan layanan peserta, dan disimpan selama masa kepesertaan ditambah 5 tahun. Peserta "
        "berhak melihat, memperbaiki dan meminta penghapusan datanya (UU PDP 27/2022).",
        "This data is used to enrol the participant in the employment social security programme. It is shared "
        "with BPJS Ketenagakerjaan, the Manpower Office (Dinas) and the Police (Bhabinkamtibmas) only for "
        "enrolment, contribution payment and participant services, and kept for the membership plus 5 years. "
        "The participant may see, correct and ask to delete their data (UU PDP 27/2022).",
    )


def contribution_text(c, sector: str, start: dt.date) -> str:
    """Rich text: the monthly total in bold, its parts, the relief applied, from which month."""
    if c is None:
        return "—"
    parts = [f"JKK {rupiah(c.jkk)}", f"JKM {rupiah(c.jkm)}"] + ([f"JHT {rupiah(c.jht)}"] if c.jht else [])
    lines = [f"<b>{rupiah(c.total)}</b> " + tr("per bulan", "a month"), " + ".join(parts)]
    if c.discount:
        lines.append(tr(f"keringanan {c.discount}", f"relief {c.discount}"))
    sector_word = tr("transportasi", "transport") if sector == "transport" else tr("umum", "general")
    lines.append(tr(f"mulai {month_text(start)} · sektor {sector_word}", f"from {month_text(start)} · {sector_word}"))
    return "<br>".join(lines)


def duplicate_warning(dup) -> tuple[str, str]:
    """The live warning under NIK when it is already enrolled, here or (per the server's digests) elsewhere."""
    if not hasattr(dup, "data"):
        return (
            f"Sudah terdaftar di server (desa {dup.village_name}), dari laptop lain.",
            f"Already enrolled on the server (village {dup.village_name}), from another laptop.",
        )
    when = dup.enrolled_at.astimezone().strftime("%d-%m-%Y")
    return (
        f"Sudah terdaftar: {dup.data.full_name}, {dup.village_name} ({when}).",
        f"Already enrolled: {dup.data.full_name}, {dup.village_name} ({when}).",
    )
