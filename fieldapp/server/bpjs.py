"""What comes back from BPJS (KPJ numbers, rejections) and what flows to the laptops: status updates and the
keyed digests of NIKs already enrolled in a village.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update

from fieldapp.domain.nik import InvalidNik, parse_nik
from fieldapp.errors import UserFacingError
from fieldapp.server.db import as_utc, utcnow, write_transaction
from fieldapp.server.models import participants, server_keys, status_updates

_KPJ = re.compile(r"^[0-9]{11}$")
MAX_ERRORS_SHOWN = 20


class ImportFailed(UserFacingError):
    def __init__(self, problems: list[str]):
        shown = problems[:MAX_ERRORS_SHOWN]
        more = len(problems) - len(shown)
        tail_id = f" (dan {more} lagi)" if more else ""
        tail_en = f" (and {more} more)" if more else ""
        super().__init__("Berkas tidak diimpor, tidak ada yang diubah: " + "; ".join(shown) + tail_id,
                         "File not imported, nothing changed: " + "; ".join(shown) + tail_en, code="import_failed")
        self.problems = problems


@dataclass
class KpjImport:
    issued: int = 0
    rejected: int = 0
    unchanged: int = 0


def _rows(text: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {(c or "").strip().lower() for c in reader.fieldnames or []}
    if not {"nik", "kpj"} <= columns:
        raise ImportFailed(["kolom nik dan kpj wajib ada / the columns nik and kpj are required"])
    return [(reader.line_num, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k})
            for row in reader]


def import_kpj(engine: Engine, text: str) -> KpjImport:
    """Apply BPJS's answer (CSV: nik,kpj[,reason]): an 11-digit KPJ is issued; an empty KPJ with a reason is a
    BPJS rejection. All rows are checked first; one bad row and nothing is imported. Re-importing is harmless.
    """
    rows = _rows(text)
    problems: list[str] = []
    wanted: list[tuple[int, str, str, str]] = []
    for line, row in rows:
        nik, kpj, reason = row.get("nik", ""), row.get("kpj", ""), row.get("reason", "")
        if not (nik or kpj or reason):
            continue
        try:
            parse_nik(nik)
        except InvalidNik:
            problems.append(f"baris/line {line}: NIK tidak valid / invalid NIK")
            continue
        if kpj and not _KPJ.match(kpj):
            problems.append(f"baris/line {line}: KPJ harus 11 angka / a KPJ has 11 digits")
        elif not kpj and not reason:
            problems.append(f"baris/line {line}: isi KPJ atau alasan penolakan / give a KPJ or a rejection reason")
        else:
            wanted.append((line, nik, kpj, reason))
    outcome = KpjImport()
    with write_transaction(engine) as conn:
        found = {}
        niks = sorted({w[1] for w in wanted})
        for start in range(0, len(niks), 500):
            query = select(participants.c.id, participants.c.uuid, participants.c.nik, participants.c.owner_id,
                           participants.c.kpj, participants.c.bpjs_status).where(
                participants.c.active, participants.c.nik.in_(niks[start:start + 500]))
            found.update({row.nik: row for row in conn.execute(query)})
        problems += [f"baris/line {line}: NIK tidak terdaftar di server / NIK not enrolled on this server"
                     for line, nik, _, _ in wanted if nik not in found]
        if problems:
            raise ImportFailed(problems)
        now = utcnow()
        state = {nik: (row.kpj, row.bpjs_status) for nik, row in found.items()}
        for _line, nik, kpj, reason in wanted:
            row = found[nik]
            kind = "kpj_issued" if kpj else "bpjs_rejected"
            held_kpj, held_status = state[nik]
            if (kind == "kpj_issued" and held_kpj == kpj) or (kind == "bpjs_rejected" and held_status == kind):
                outcome.unchanged += 1
                continue
            state[nik] = (kpj or held_kpj, kind)
            conn.execute(update(participants).where(participants.c.id == row.id)
                         .values(kpj=kpj or held_kpj, bpjs_status=kind))
            conn.execute(insert(status_updates).values(
                participant_id=row.id, owner_id=row.owner_id, uuid=row.uuid, kind=kind, kpj=kpj or None,
                reason=reason or None, created_at=now))
            if kind == "kpj_issued":
                outcome.issued += 1
            else:
                outcome.rejected += 1
    return outcome


def updates_for(engine: Engine, owner_id: int, since: int, limit: int) -> tuple[list[dict], int, bool]:
    """Status updates of this user's records after cursor ``since``: (items, next cursor, more waiting)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(status_updates).where(status_updates.c.owner_id == owner_id, status_updates.c.id > since)
            .order_by(status_updates.c.id).limit(limit + 1)
        ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [{"cursor": str(r.id), "uuid": r.uuid, "kind": r.kind, "kpj": r.kpj, "reason": r.reason,
              "at": as_utc(r.created_at).isoformat(timespec="seconds")} for r in rows]
    return items, (rows[-1].id if rows else since), more


def digest_key(engine: Engine) -> tuple[str, bytes]:
    with engine.connect() as conn:
        row = conn.execute(select(server_keys.c.key_id, server_keys.c.secret)
                           .where(server_keys.c.purpose == "enrolled_digest")).one()
    return row.key_id, bytes(row.secret)


def nik_digest(key: bytes, nik: str) -> str:
    return hmac.new(key, nik.encode("ascii"), hashlib.sha256).hexdigest()


def enrolled_in(engine: Engine, village_code: str) -> dict:
    key_id, key = digest_key(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(participants.c.nik, participants.c.uuid).where(
            participants.c.village_code == village_code, participants.c.active)).all()
    digests = dict(sorted((nik_digest(key, r.nik), r.uuid) for r in rows))
    return {"village_code": village_code, "algorithm": "HMAC-SHA256", "key_id": key_id, "key": key.hex(),
            "count": len(digests), "digests": digests}
