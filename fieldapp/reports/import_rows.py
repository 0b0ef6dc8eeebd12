"""One row of a participant list → an ``Enrolment`` and what was wrong with its cells (pure: no store access).

The visit-level fields a list does not hold come from ``RowDefaults``; village names are matched against the
names the importer loaded for its area (``villages``: normalised name → codes).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from fieldapp.domain import occupations
from fieldapp.domain.enrolment import Enrolment
from fieldapp.domain.nik import NikInfo, parse_nik
from fieldapp.reports import import_columns as cols

Message = tuple[str, str]

_JOBS: dict[str, str] = {}
for _o in occupations.OCCUPATIONS:
    for _name in (_o.code, _o.label_id, _o.label_en, *_o.label_id.split("/")):
        _JOBS[cols.norm(_name)] = _o.code
_JOBS.update({
    "pekebun": "petani", "buruhtani": "petani", "tani": "petani", "petaniperkebunan": "petani",
    "gurungaji": "guru_mengaji", "ustadz": "guru_mengaji", "ustad": "guru_mengaji", "ustadzah": "guru_mengaji",
    "marbotmasjid": "marbot", "penjagamasjid": "marbot", "dagang": "pedagang", "pedagangkeliling": "pedagang",
    "warung": "pedagang", "ojol": "ojek", "tukangojek": "ojek", "driverojek": "ojek", "kader": "kader_posyandu",
    "ketuart": "ketua_rt_rw", "ketuarw": "ketua_rt_rw", "honor": "honorer", "buruh": "buruh_harian",
    "buruhharian": "buruh_harian", "kuli": "buruh_harian", "kulibangunan": "buruh_harian",
    "tukangbangunan": "buruh_harian", "buruhlepas": "buruh_harian", "prt": "pekerja_rumah_tangga",
    "pembanturumahtangga": "pekerja_rumah_tangga", "asistenrumahtangga": "pekerja_rumah_tangga",
    "art": "pekerja_rumah_tangga", "lain": "lainnya", "lainlain": "lainnya",
})
_RELATIONS = {"suami": "suami", "istri": "istri", "isteri": "istri", "anak": "anak", "anakkandung": "anak",
              "orangtua": "orang_tua", "ortu": "orang_tua", "ayah": "orang_tua", "ibu": "orang_tua",
              "bapak": "orang_tua", "ayahkandung": "orang_tua", "ibukandung": "orang_tua", "saudara": "saudara",
              "saudarakandung": "saudara", "kakak": "saudara", "adik": "saudara", "lainnya": "lainnya"}
_VILLAGE_PREFIX = re.compile(r"^(desa|kelurahan|kel|ds|dsa)\b\.?\s*", re.IGNORECASE)


def village_key(name: str) -> str:
    """'Desa Lambang Sari' → 'lambangsari' (how names are compared)."""
    return cols.norm(_VILLAGE_PREFIX.sub("", " ".join(str(name).split())))


@dataclass(frozen=True, slots=True)
class RowDefaults:
    village_code: str | None
    income_band: int
    programs: tuple[str, ...]
    funding_source: str
    sector: str | None  # fixed by the options; None: the occupation's sector, else ``fallback_sector``
    fallback_sector: str
    start_month: dt.date
    consent_at: dt.datetime
    consent_method: str
    today: dt.date


@dataclass
class Found:
    """Problems of the cells themselves (before the domain rules see the row)."""

    errors: dict[str, Message] = field(default_factory=dict)
    warnings: dict[str, Message] = field(default_factory=dict)


class RowReader:
    def __init__(self, defaults: RowDefaults, villages: dict[str, list[str]], area: str) -> None:
        self.defaults = defaults
        self.villages = villages
        self.area = area  # "Kecamatan Tambun Selatan", for messages
        # Occupations, relationships and villages repeat row after row: each distinct text is read once.
        self._memo: dict[tuple[str, object], tuple[str, dict, dict]] = {}
        self._dates: dict[object, tuple[dt.date | None, Message | None]] = {}

    def enrolment(self, v: dict[str, object]) -> tuple[Enrolment, Found]:
        d, found = self.defaults, Found()
        nik, problem = cols.identifier(v.get("nik"), cols.NIK_WHAT)
        if problem:
            found.errors["nik"] = problem
        kk, problem = cols.identifier(v.get("kk_number"), cols.KK_WHAT)
        if problem:
            found.errors["kk_number"] = problem
        place, born = cols.text(v.get("birth_place")), None
        if "birth_place_date" in v:
            place2, born, problem = cols.place_and_date(v["birth_place_date"], d.today)
            place = place or place2
            if problem:
                found.errors["birth_date"] = problem
        if v.get("birth_date") not in (None, ""):
            born, problem = self._date(v["birth_date"])
            if problem:
                found.errors["birth_date"] = problem
        sex, problem = cols.sex(v.get("sex"))
        if problem:
            found.errors["sex"] = problem
        info = _nik_info(nik, d.today) if (born is None or not sex) else None
        if info is not None:  # like the form: birth date and sex come from the NIK when the list leaves them out
            born = born or (info.birth_date if "birth_date" not in found.errors else None)
            sex = sex or (info.sex if "sex" not in found.errors else "")
        rt, rw = cols.text(v.get("rt")), cols.text(v.get("rw"))
        if "rt_rw" in v and not (rt and rw):
            rt, rw = cols.rt_rw(v["rt_rw"])
        phone, problem = cols.phone(v.get("phone"))
        if problem:
            found.errors["phone"] = problem
        heir_phone, problem = cols.phone(v.get("heir_phone"))
        if problem:
            found.errors["heir_phone"] = problem
        job = self._remember("occupation", v.get("occupation"), found, self._occupation)
        sector = d.sector or (occupations.get(job).sector if job and job != "lainnya" and occupations.get(job)
                              else d.fallback_sector)
        e = Enrolment(
            nik=nik, full_name=cols.text(v.get("full_name")), birth_place=place, birth_date=born, sex=sex,
            street=cols.text(v.get("street")), rt=rt, rw=rw,
            village_code=self._remember("village", v.get("village"), found, self._village),
            phone=phone, occupation=job, income_band=d.income_band, programs=d.programs,
            funding_source=d.funding_source, sector=sector, start_month=d.start_month,
            heir_name=cols.text(v.get("heir_name")),
            heir_relationship=self._remember("heir_relationship", v.get("heir_relationship"), found, self._relation),
            heir_phone=heir_phone, consent_given_at=d.consent_at, consent_method=d.consent_method,
            guardian_name=cols.text(v.get("guardian_name")), kk_number=kk,
            mother_name=cols.text(v.get("mother_name")), email=cols.text(v.get("email")))
        return e, found

    def _date(self, value: object) -> tuple[dt.date | None, Message | None]:
        """``cols.date`` once per distinct cell value (birth dates repeat in a list of thousands)."""
        try:
            return self._dates[value]
        except KeyError:
            out = cols.date(value, self.defaults.today)
            if len(self._dates) < 100_000:
                self._dates[value] = out
            return out
        except TypeError:
            return cols.date(value, self.defaults.today)

    def _remember(self, name: str, value: object, found: Found, read) -> str:
        """``read(value, found)`` once per distinct value; its error or warning is replayed for each row."""
        key = (name, value)
        try:
            code, errors, warnings = self._memo[key]
        except (KeyError, TypeError):
            scratch = Found()
            code = read(value, scratch)
            errors, warnings = scratch.errors, scratch.warnings
            if len(self._memo) < 50_000:
                self._memo[key] = (code, errors, warnings)
        if errors:
            found.errors.update(errors)
        if warnings:
            found.warnings.update(warnings)
        return code

    def _occupation(self, value: object, found: Found) -> str:
        raw = cols.text(value)
        if not raw:
            return ""  # the validator asks for it
        code = _JOBS.get(cols.norm(raw))
        if code is None:
            found.warnings["occupation"] = (f"Pekerjaan '{raw}' tidak ada di daftar; dicatat sebagai Lainnya.",
                                            f"Occupation '{raw}' is not on the list; recorded as Other.")
            return "lainnya"
        return code

    @staticmethod
    def _relation(value: object, found: Found) -> str:
        raw = cols.text(value)
        if not raw:
            return ""
        code = _RELATIONS.get(cols.norm(raw))
        if code is None:
            found.warnings["heir_relationship"] = (
                f"Hubungan ahli waris '{raw}' dicatat sebagai Lainnya.",
                f"Heir relationship '{raw}' recorded as Other.")
            return "lainnya"
        return code

    def _village(self, value: object, found: Found) -> str:
        raw = cols.text(value)
        if not raw:
            if self.defaults.village_code:
                return self.defaults.village_code
            found.errors["village"] = ("Desa belum ditentukan: isi kolom Desa atau pilih desa untuk seluruh berkas.",
                                       "No village: fill the village column or choose a village for the whole file.")
            return ""
        digits = raw.replace(".", "").replace(" ", "")
        if digits.isdigit():
            return digits  # a code: the validator checks that it exists
        codes = self.villages.get(village_key(raw), [])
        if len(codes) == 1:
            return codes[0]
        if codes:
            found.errors["village"] = (f"Nama desa '{raw}' ada lebih dari satu di {self.area}; tulis kode desanya.",
                                       f"More than one village is called '{raw}' in {self.area}; write its code.")
        else:
            found.errors["village"] = (f"Desa '{raw}' tidak ditemukan di {self.area}.",
                                       f"Village '{raw}' not found in {self.area}.")
        return ""


def _nik_info(nik: str, today: dt.date) -> NikInfo | None:
    try:
        return parse_nik(nik, today=today) if nik else None
    except ValueError:
        return None
