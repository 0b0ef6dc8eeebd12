"""The app's occupation list (mapped to BPJS codes on the server side later)."""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.i18n import tr


@dataclass(frozen=True, slots=True)
class Occupation:
    code: str
    label_id: str
    label_en: str
    sector: str  # "transport" or "other": drives the PP 50/2025 window

    @property
    def label(self) -> str:
        return tr(self.label_id, self.label_en)


OCCUPATIONS: tuple[Occupation, ...] = (
    Occupation("petani", "Petani / pekebun", "Farmer", "other"),
    Occupation("nelayan", "Nelayan", "Fisherman", "other"),
    Occupation("guru_mengaji", "Guru mengaji", "Quran teacher", "other"),
    Occupation("marbot", "Marbot masjid", "Mosque caretaker", "other"),
    Occupation("pedagang", "Pedagang", "Trader", "other"),
    Occupation("ojek", "Pengemudi ojek", "Ojek driver", "transport"),
    Occupation("kader_posyandu", "Kader Posyandu", "Posyandu cadre", "other"),
    Occupation("ketua_rt_rw", "Ketua RT/RW", "RT/RW head", "other"),
    Occupation("honorer", "Pegawai honorer", "Honorary staff", "other"),
    Occupation("buruh_harian", "Buruh harian lepas", "Day labourer", "other"),
    Occupation("pekerja_rumah_tangga", "Pekerja rumah tangga", "Household worker", "other"),
    Occupation("lainnya", "Lainnya", "Other", "other"),
)
BY_CODE = {o.code: o for o in OCCUPATIONS}


def get(code: str) -> Occupation | None:
    return BY_CODE.get(code)
