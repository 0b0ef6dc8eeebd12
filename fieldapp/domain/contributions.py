"""Monthly BPU contributions from effective-dated rate tables: ``resources/rates.json``, and the newer tables the
server publishes (kept in the store, see ``RateBook``).

A contribution is a function of (income band, programmes, contribution month, sector, funding source). The
band must be one of the table's bands: 1 % of an arbitrary income is never computed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
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
    effective_from: str = ""  # "YYYY-MM" from which this table replaces older ones; default its first rate's

    def __post_init__(self) -> None:
        if not self.effective_from and self.rates:
            object.__setattr__(self, "effective_from", min(r["from"] for r in self.rates))

    @classmethod
    def from_json(cls, data: dict) -> RateTable:
        return cls(data["version"], tuple(data["income_bands"]), tuple(data["rates"]), tuple(data["discounts"]),
                   data.get("effective_from") or "")

    def to_json(self) -> dict:
        return {"version": self.version, "effective_from": self.effective_from,
                "income_bands": list(self.income_bands), "rates": list(self.rates), "discounts": list(self.discounts)}

    def covers(self, month: dt.date) -> bool:
        key = _month_key(month)
        return key >= self.effective_from and any(_in_window(key, r) for r in self.rates)


@dataclass(frozen=True, slots=True)
class RateBook:
    """The tables received from the server (newest first) in front of the shipped one: a month is computed with
    the newest received table that covers it, else with ``resources/rates.json``."""

    received: tuple[RateTable, ...]
    shipped: RateTable

    def for_month(self, month: dt.date) -> RateTable:
        return next((t for t in self.received if t.covers(month)), self.shipped)

    @property
    def newest(self) -> RateTable:
        return self.received[0] if self.received else self.shipped


def newest_first(tables: Iterable[RateTable]) -> tuple[RateTable, ...]:
    return tuple(sorted(tables, key=lambda t: (t.effective_from, t.version), reverse=True))


class InvalidRates(UserFacingError):
    def __init__(self, where: str, id_text: str, en_text: str):
        super().__init__(f"Tabel iuran, {where}: {id_text}", f"Rate table, {where}: {en_text}", field=where,
                         code="invalid_rates")


_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])\Z")


def _check_month(value: object, where: str, *, optional: bool = False) -> None:
    if optional and value is None:
        return
    if not (isinstance(value, str) and _MONTH.match(value)):
        raise InvalidRates(where, "harus bulan YYYY-MM" + (" atau null" if optional else ""),
                           "must be a month YYYY-MM" + (" or null" if optional else ""))


def _check_number(value: object, where: str, low: Decimal, high: Decimal) -> None:
    try:
        number = Decimal(str(value)) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not low <= number <= high:
        raise InvalidRates(where, f"harus angka {low}..{high}", f"must be a number {low}..{high}")


def _check_window(entry: object, where: str) -> dict:
    if not isinstance(entry, dict):
        raise InvalidRates(where, "harus objek", "must be an object")
    _check_month(entry.get("from"), f"{where}.from")
    _check_month(entry.get("to"), f"{where}.to", optional=True)
    if entry.get("to") is not None and entry["to"] < entry["from"]:
        raise InvalidRates(f"{where}.to", "sebelum 'from'", "is before 'from'")
    return entry


def _check_subset(value: object, allowed: Iterable[str], where: str) -> None:
    allowed = tuple(allowed)
    if not (isinstance(value, list) and value and all(v in allowed for v in value)):
        raise InvalidRates(where, f"harus daftar dari {', '.join(allowed)}", f"must be a list of {', '.join(allowed)}")


def parse_rate_table(data: object) -> RateTable:
    """A published table, every field checked: ``InvalidRates`` names the first thing wrong."""
    if not isinstance(data, dict):
        raise InvalidRates("rates", "harus objek", "must be an object")
    version = data.get("version")
    if not (isinstance(version, str) and 0 < len(version) <= 64):
        raise InvalidRates("version", "harus teks 1-64 karakter", "must be a text of 1-64 characters")
    if data.get("effective_from") is not None:
        _check_month(data["effective_from"], "effective_from")
    bands = data.get("income_bands")
    if not (isinstance(bands, list) and bands and all(type(b) is int and b > 0 for b in bands)
            and bands == sorted(set(bands))):
        raise InvalidRates("income_bands", "harus daftar bilangan bulat positif yang naik",
                           "must be a rising list of positive whole numbers")
    rates = data.get("rates")
    if not (isinstance(rates, list) and rates):
        raise InvalidRates("rates", "harus daftar tarif yang tidak kosong", "must be a non-empty list of rates")
    for i, entry in enumerate(rates):
        where = f"rates[{i}]"
        _check_window(entry, where)
        _check_number(entry.get("jkk_percent"), f"{where}.jkk_percent", Decimal(0), Decimal(100))
        _check_number(entry.get("jht_percent"), f"{where}.jht_percent", Decimal(0), Decimal(100))
        if not (type(entry.get("jkm_flat")) is int and 0 <= entry["jkm_flat"] <= 10_000_000):
            raise InvalidRates(f"{where}.jkm_flat", "harus bilangan bulat rupiah", "must be whole rupiah")
    discounts = data.get("discounts", [])
    if not isinstance(discounts, list):
        raise InvalidRates("discounts", "harus daftar", "must be a list")
    for i, entry in enumerate(discounts):
        where = f"discounts[{i}]"
        _check_window(entry, where)
        if not (isinstance(entry.get("name"), str) and entry["name"]):
            raise InvalidRates(f"{where}.name", "wajib diisi", "is required")
        _check_subset(entry.get("sectors"), SECTORS, f"{where}.sectors")
        _check_subset(entry.get("programs"), PROGRAMS, f"{where}.programs")
        _check_number(entry.get("factor"), f"{where}.factor", Decimal(0), Decimal(1))
        excluded = entry.get("excluded_funding", [])
        if excluded:
            _check_subset(excluded, FUNDING_SOURCES, f"{where}.excluded_funding")
    return RateTable.from_json({**data, "discounts": [{"excluded_funding": [], **d} for d in discounts]})


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
    rates: RateTable | RateBook | None = None,
    dana_desa_counts_as_apbd: bool = True,
) -> Contribution:
    if isinstance(rates, RateBook):
        rates = rates.for_month(month)
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
