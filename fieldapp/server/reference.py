"""Reference data the laptops download: region list version, contribution rates, occupations, village targets."""

from __future__ import annotations

import csv
import hashlib
import io
import json

from sqlalchemy import Engine, delete, insert, select

from fieldapp.domain import contributions, occupations, regions
from fieldapp.server.bpjs import ImportFailed
from fieldapp.server.db import utcnow, write_transaction
from fieldapp.server.models import village_targets

DEFAULT_VILLAGE_TARGET = 100  # "100 orang per desa" (DOMAIN.md)


def reference_body(engine: Engine) -> tuple[bytes, str]:
    """The JSON body and its strong ETag (a digest of the body: it changes exactly when the data does)."""
    rates = contributions.default_rates()
    with engine.connect() as conn:
        targets = [{"village_code": r.village_code, "target": r.target}
                   for r in conn.execute(select(village_targets).order_by(village_targets.c.village_code))]
    data = {
        "regions_version": regions.DATA_VERSION,
        "rates": {"version": rates.version, "income_bands": list(rates.income_bands),
                  "rates": list(rates.rates), "discounts": list(rates.discounts)},
        "occupations": [{"code": o.code, "label_id": o.label_id, "label_en": o.label_en, "sector": o.sector}
                        for o in occupations.OCCUPATIONS],
        "default_village_target": DEFAULT_VILLAGE_TARGET,
        "village_targets": targets,
    }
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def import_targets(engine: Engine, text: str) -> int:
    """Replace the village targets with a CSV (village_code,target). All rows are checked first."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not {"village_code", "target"} <= {(c or "").strip().lower() for c in reader.fieldnames or []}:
        raise ImportFailed(["kolom village_code dan target wajib ada / "
                            "the columns village_code and target are required"])
    problems, targets = [], {}
    for row in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        code = regions.compact(row.get("village_code", ""))
        target = row.get("target", "")
        if not (len(code) == 10 and code.isdigit() and regions.is_known(code)):
            problems.append(f"baris/line {reader.line_num}: kode desa tidak dikenal / unknown village code")
        elif not (target.isdigit() and 0 <= int(target) <= 1_000_000):
            problems.append(f"baris/line {reader.line_num}: target harus bilangan bulat / "
                            "target must be a whole number")
        else:
            targets[code] = int(target)
    if problems:
        raise ImportFailed(problems)
    now = utcnow()
    with write_transaction(engine) as conn:
        conn.execute(delete(village_targets))
        if targets:
            conn.execute(insert(village_targets),
                         [{"village_code": c, "target": t, "updated_at": now} for c, t in sorted(targets.items())])
    return len(targets)
