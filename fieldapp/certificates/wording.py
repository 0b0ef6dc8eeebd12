"""The Indonesian words printed on certificates and cards: dates, programmes, who pays.

Printed papers are always in Indonesian, whatever language the app's screens use.
"""

from __future__ import annotations

import datetime as dt

from fieldapp.certificates.model import CertificateData

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

PROGRAM_NAMES = {
    "JKK": "Jaminan Kecelakaan Kerja",
    "JKM": "Jaminan Kematian",
    "JHT": "Jaminan Hari Tua",
}

PROGRAM_BENEFITS = {
    "JKK": "perawatan tanpa batas biaya sesuai kebutuhan medis akibat kecelakaan kerja",
    "JKM": "santunan kematian Rp42 juta untuk ahli waris",
    "JHT": "tabungan hari tua",
}


def date_id(day: dt.date) -> str:
    """date(2026, 11, 21) → '21 November 2026'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _with_prefix(name: str, prefix: str) -> str:
    name = " ".join(name.split())
    return name if name.lower().startswith(prefix.lower() + " ") else f"{prefix} {name}"


def payer_text(data: CertificateData) -> str:
    """Who pays the contribution, as one printed phrase (without 'Iuran dibayar oleh')."""
    source = data.funding_source
    region = (data.payer_region_name or "").strip()
    if source == "apbn":
        return "Pemerintah Pusat (APBN)"
    if source == "apbd":
        return f"Pemerintah {region or data.regency_name} (APBD)"
    if source == "dana_desa":
        return f"Pemerintah {_with_prefix(region or data.village_name, 'Desa')} (Dana Desa)"
    if source == "donor":
        return f"{region} (donatur/CSR)" if region else "Donatur/CSR"
    return "Peserta (mandiri)"


def payer_line(data: CertificateData) -> str:
    """'Iuran dibayar oleh Pemerintah Kabupaten Bekasi (APBD)'."""
    return f"Iuran dibayar oleh {payer_text(data)}"


def number_label(data: CertificateData) -> str:
    return "Nomor KPJ" if data.is_final else "No. Pendaftaran"


def number_value(data: CertificateData) -> str:
    return data.kpj if data.kpj is not None else data.local_number


def birth_text(data: CertificateData) -> str:
    """'Bekasi, 12 Juli 1990'."""
    place = " ".join(data.birth_place.split())
    return f"{place}, {date_id(data.birth_date)}" if place else date_id(data.birth_date)


def programs_short(data: CertificateData) -> str:
    """'JKK · JKM · JHT'."""
    return " · ".join(data.ordered_programs)
