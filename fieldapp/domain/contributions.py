"""Monthly BPU contributions from the effective-dated rate table in ``resources/rates.json``.

A contribution is a function of (income band, programmes, contribution month, sector, funding source). The
band must be one of the table's bands: 1 % of an arbitrary income is never computed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from fieldapp.errors import UserFacingError
from fieldapp.paths import resources_dir

PROGRAMS = ("JKK", "JKM", "JHT")
SECTORS = ("transport", "other")
FUNDING_SOURCES = ("apbn", "apbd", "dana_desa", "donor", "self")
FUNDING_LABELS = {
    "apbn": ("APBN", "State budget (APBN)"),
    "apbd": ("APBD (Pemerintah Daerah)", "Regional budget (APBD)"),
    "dana_desa": ("Dana Desa (APBDes)", "Village fund (Dana Desa)"),
    "donor": ("Donatur / CSR", "Donor / CSR"),
    "self": ("Mandiri (peserta sendiri)", "Self-paid"),
}


@dataclass(frozen=True, slots=True)
class Contribution:
    jkk: int
    jkm: int
    jht: int
    discount: str | None = None  # name of the relief applied, e.g. "PP 50/2025 (other sectors)"

    @property
    def total(self) -> int:
        return self.jkk + self.jkm + self.jht


@dataclass(frozen=True, slots=True)
class RateTable:
    version: str
    income_bands: tuple[int, ...]
    rates: tuple[dict, ...]
    discounts: tuple[dict, ...]

    @classmethod
    def from_json(cls, data: dict) -> RateTable:
        return cls(data["version"], tuple(data["income_bands"]), tuple(data["rates"]), tuple(data["discounts"]))


def load_rates(path: Path) -> RateTable:
    return RateTable.from_json(json.loads(path.read_text(encoding="utf-8")))


@cache
def default_rates() -> RateTable:
    """The table shipped in ``resources/rates.json``, read once per process."""
    return load_rates(resources_dir() / "rates.json")


def _month_key(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def _in_window(key: str, entry: dict) -> bool:
    return entry["from"] <= key and (entry["to"] is None or key <= entry["to"])


def _rupiah(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _error(id_text: str, en_text: str, field: str) -> UserFacingError:
    return UserFacingError(id_text, en_text, field=field, code="invalid_contribution")


def monthly_contribution(
    income_band: int,
    programs: Iterable[str],
    month: dt.date,
    sector: str,
    funding_source: str,
    *,
    rates: RateTable | None = None,
    dana_desa_counts_as_apbd: bool = True,
) -> Contribution:
    rates = rates or default_rates()
    chosen = set(programs)
    if not chosen <= set(PROGRAMS) or not {"JKK", "JKM"} <= chosen:
        raise _error(
            "Program harus JKK+JKM, boleh ditambah JHT.",
            "Programmes must be JKK+JKM, optionally with JHT.",
            "programs",
        )
    if income_band not in rates.income_bands:
        raise _error(
            f"Rentang penghasilan Rp{income_band:,} tidak ada di tabel iuran; pilih salah satu rentang.".replace(
                ",", "."
            ),
            f"Income band Rp{income_band:,} is not in the rate table; choose one of the bands.",
            "income_band",
        )
    if sector not in SECTORS:
        raise _error(f"Sektor {sector!r} tidak dikenal.", f"Unknown sector {sector!r}.", "sector")
    if funding_source not in FUNDING_SOURCES:
        raise _error(
            f"Sumber dana {funding_source!r} tidak dikenal.",
            f"Unknown funding source {funding_source!r}.",
            "funding_source",
        )
    key = _month_key(month)
    rate = next((r for r in rates.rates if _in_window(key, r)), None)
    if rate is None:
        raise _error(
            f"Tidak ada tarif iuran untuk bulan {key}.",
            f"No contribution rate for month {key}.",
            "start_month",
        )
    band = Decimal(income_band)
    amounts = {
        "JKK": band * Decimal(rate["jkk_percent"]) / 100,
        "JKM": Decimal(rate["jkm_flat"]),
        "JHT": band * Decimal(rate["jht_percent"]) / 100 if "JHT" in chosen else Decimal(0),
    }
    applied = None
    for discount in rates.discounts:
        excluded = set(discount["excluded_funding"])
        if dana_desa_counts_as_apbd and "apbd" in excluded:
            excluded.add("dana_desa")
        if _in_window(key, discount) and sector in discount["sectors"] and funding_source not in excluded:
            for program in discount["programs"]:
                amounts[program] *= Decimal(discount["factor"])
            applied = discount["name"]
            break
    return Contribution(_rupiah(amounts["JKK"]), _rupiah(amounts["JKM"]), _rupiah(amounts["JHT"]), applied)
