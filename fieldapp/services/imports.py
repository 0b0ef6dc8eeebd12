"""Importing participant lists (XLSX/CSV) that villages and Dinas offices keep, checked like the form checks.

Every row goes through ``fieldapp.domain.enrolment.validate`` with the same settings ``enrolment.check`` uses.
What a list does not hold comes from the options, else from the officer's open visit, else from defaults:
income band (the lowest band), programmes (JKK+JKM), funding source (APBD), start month (this month), sector
(the occupation's, like the form). Consent is recorded as method ``daftar_kolektif`` at the import time: the
list was collected with the participants' consent, which the person importing confirms.

Duplicates are reported, never imported: a NIK twice in the file (the first valid row wins), a NIK already
active in this store, a NIK the server already holds (the enrolled digests of the last sync). All valid rows
are inserted in ONE transaction as ``pending``; importing the same file again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import hmac
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, true, update
from sqlalchemy.exc import IntegrityError

from fieldapp.db import models as m
from fieldapp.db import participants as participant_repo
from fieldapp.db import regions as region_repo
from fieldapp.db.timeutil import utcnow
from fieldapp.domain.enrolment import Enrolment, validate
from fieldapp.domain.nik import mask_nik
from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.reports import import_columns as cols
from fieldapp.reports.import_rows import RowDefaults, RowReader, village_key
from fieldapp.reports.sheet_in import RawSheet, read_sheet
from fieldapp.services import access, audit, reference, visits
from fieldapp.services.workspace import Workspace

IMPORT_ROLES = access.IMPORT.roles
FIELDS = cols.FIELDS  # field → (Indonesian, English) label, for the wizard's mapping screen
CONSENT_METHOD = "daftar_kolektif"
CHECK_EVERY = 1_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    village_code: str | None = None  # default village (its kecamatan is where names are looked up), or an area code
    income_band: int | None = None
    programs: tuple[str, ...] | None = None
    funding_source: str | None = None
    sector: str | None = None  # None: the occupation's sector, like the form
    start_month: dt.date | None = None
    mapping: tuple[str | None, ...] | None = None  # one field per column, as confirmed in the wizard
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    row: int  # the spreadsheet's row number
    field: str  # the list's column header, or the field's label
    kind: str  # "error" (row not imported), "duplicate" (not imported), "warning" (imported)
    indonesian: str
    english: str
    name: str = ""
    masked_nik: str = ""

    @property
    def text(self) -> str:
        return tr(self.indonesian, self.english)


@dataclass(frozen=True, slots=True)
class Preview:
    path: Path
    headers: tuple[str, ...]
    mapping: tuple[str | None, ...]
    header_row: int
    rows: int
    sample: tuple[tuple[int, tuple[str, ...]], ...]  # first rows as text, for the wizard


@dataclass(frozen=True, slots=True)
class ImportReport:
    rows: int
    imported: int
    duplicates: int
    rejected: int
    problems: tuple[Problem, ...]
    dry_run: bool = False
    warnings: int = 0
    first_number: str = ""
    last_number: str = ""
    defaults: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # what filled the visit-level fields

    def as_json(self) -> dict:
        out = {"rows": self.rows, "imported": self.imported, "duplicates": self.duplicates, "rejected": self.rejected}
        if self.dry_run:
            out["dry_run"] = True
        return out


class Lookup:
    """What checking the rows needs from the store, read once: the settings ``enrolment.check`` uses, the
    defaults for visit-level fields, village names of the area, active NIKs and the server's NIK digests."""

    def __init__(self, ws: Workspace, options: ImportOptions, today: dt.date | None = None) -> None:
        self.today = today or dt.date.today()
        self.limits = ws.age_limits()
        self.rates = reference.rate_book(ws)
        self.village_known = reference.known_regions(ws)
        self.dana_desa_counts_as_apbd = ws.setting("dana_desa_counts_as_apbd") == "1"
        visit = visits.current_visit(ws)
        self.visit = visit
        given = options.village_code
        if given and not (given.isdigit() and self.village_known(given)):
            raise UserFacingError(f"Kode wilayah {given} tidak dikenal.", f"Unknown region code {given}.",
                                  field="village")
        self.area_code = ws.user.area_code or ""
        area_only = given is not None and len(given) < 10  # a kecamatan or regency: where names are looked up
        if given and not area_only:  # a wider area only says where names are looked up: rows outside are refused
            access.require_area(ws, given)
        village = None if area_only else (given or (visit.village_code if visit else None))
        month = options.start_month or (visit.start_month if visit else dt.date.today().replace(day=1))
        self.row_defaults = RowDefaults(
            village_code=village,
            income_band=options.income_band or self.rates.for_month(month).income_bands[0],
            programs=options.programs or (visit.programs if visit else ("JKK", "JKM")),
            funding_source=options.funding_source or (visit.funding_source if visit else "apbd"),
            sector=options.sector, fallback_sector=visit.sector if visit else "other",
            start_month=month.replace(day=1), consent_at=utcnow().replace(microsecond=0),
            consent_method=CONSENT_METHOD, today=self.today)
        scope = given if area_only else (village[:6] if village else (ws.user.area_code or ""))
        with ws.store.sessions() as session:
            self.area = region_repo.path(session, scope) if scope else tr("seluruh Indonesia", "all of Indonesia")
            names: dict[str, list[str]] = {}
            stmt = select(m.Region.code, m.Region.name).where(m.Region.level == 4, m.Region.code.startswith(scope))
            for code, name in session.execute(stmt):
                names.setdefault(village_key(name), []).append(code)
            self.active = set(session.scalars(select(m.Participant.nik).where(m.Participant.active == true())))
            keys = session.execute(select(m.Setting.key, m.Setting.value)
                                   .where(m.Setting.key.startswith("digest_key:")))
            self.keys = [(k.split(":", 1)[1], bytes.fromhex(v)) for k, v in keys]
            self.digests = {(k, d) for k, d in session.execute(select(m.EnrolledDigest.key_id,
                                                                      m.EnrolledDigest.digest))}
        self.reader = RowReader(self.row_defaults, names, self.area)

    def enrolment(self, values: dict[str, object]):
        return self.reader.enrolment(values)

    def check(self, e: Enrolment):
        """``validate`` with exactly what ``enrolment.check`` passes (read once here, not once per row)."""
        return validate(e, today=self.today, limits=self.limits, rates=self.rates, village_known=self.village_known,
                        dana_desa_counts_as_apbd=self.dana_desa_counts_as_apbd)

    def duplicate(self, nik: str) -> tuple[str, str] | None:
        if nik in self.active:
            return ("NIK ini sudah terdaftar di laptop ini; baris dilewati.",
                    "This NIK is already enrolled on this laptop; row skipped.")
        for key_id, key in self.keys:
            if (key_id, hmac.new(key, nik.encode("ascii"), hashlib.sha256).hexdigest()) in self.digests:
                return ("NIK ini sudah terdaftar di server; baris dilewati.",
                        "This NIK is already enrolled on the server; row skipped.")
        return None

    def outside_area(self, village_code: str) -> tuple[str, str] | None:
        if village_code.startswith(self.area_code):
            return None
        return (f"Desa {village_code} di luar wilayah Anda ({self.area_code}); baris dilewati.",
                f"Village {village_code} is outside your area ({self.area_code}); row skipped.")

    def visit_for(self, village_code: str) -> int | None:
        return self.visit.id if self.visit and self.visit.village_code == village_code else None

    def describe(self) -> tuple[tuple[str, str], ...]:
        d = self.row_defaults
        source = tr("kunjungan yang sedang dibuka", "the open visit") if self.visit else tr("bawaan", "defaults")
        return (
            (tr("Desa bawaan", "Default village"), d.village_code or "-"),
            (tr("Nama desa dicari di", "Village names looked up in"), self.area),
            (tr("Penghasilan", "Income band"), f"Rp{d.income_band:,}".replace(",", ".")),
            (tr("Program", "Programmes"), "+".join(d.programs)),
            (tr("Sumber dana", "Funding"), d.funding_source),
            (tr("Bulan mulai", "Start month"), f"{d.start_month:%m-%Y}"),
            (tr("Sektor", "Sector"), d.sector or tr("menurut pekerjaan", "from the occupation")),
            (tr("Persetujuan", "Consent"),
             tr(f"{CONSENT_METHOD} pada waktu impor", f"{CONSENT_METHOD} at the import time")),
            (tr("Sumber isian", "Filled from"), source),
        )


def _require(ws: Workspace) -> None:
    access.require(ws, access.IMPORT)


def _mapping(sheet: RawSheet, options: ImportOptions) -> tuple[str | None, ...]:
    mapping = tuple(options.mapping) if options.mapping is not None else tuple(cols.guess_mapping(list(sheet.headers)))
    mapping = (mapping + (None,) * len(sheet.headers))[: len(sheet.headers)]
    missing = [f for f in ("nik", "full_name") if f not in mapping]
    if missing:
        names = ", ".join(cols.FIELDS[f][0] for f in missing)
        raise UserFacingError(
            f"Kolom {names} tidak ditemukan. Judul kolom yang terbaca: {', '.join(sheet.headers) or '-'}.",
            f"No {', '.join(cols.FIELDS[f][1] for f in missing)} column found. Headers read: "
            f"{', '.join(sheet.headers) or '-'}.", field="mapping", code="mapping")
    return mapping


def preview(ws: Workspace, path: Path, options: ImportOptions | None = None, sample: int = 8) -> Preview:
    """The file's columns with the fields they were matched to, and its first rows, for confirmation."""
    _require(ws)
    sheet = read_sheet(Path(path))
    options = options or ImportOptions()
    guessed = tuple(options.mapping) if options.mapping else tuple(cols.guess_mapping(list(sheet.headers)))
    shown = tuple((n, tuple(cols.text(c) for c in cells)) for n, cells in sheet.rows[:sample])
    return Preview(Path(path), sheet.headers, guessed, sheet.header_row, len(sheet.rows), shown)


def run(ws: Workspace, path: Path, options: ImportOptions | None = None, *, progress: Progress | None = None,
        cancel: threading.Event | None = None, today: dt.date | None = None) -> ImportReport:
    """Check every row and import the valid ones (unless ``options.dry_run``)."""
    _require(ws)
    options = options or ImportOptions()
    sheet = read_sheet(Path(path))
    lookup = Lookup(ws, options, today=today)
    checker = _Checker(lookup, sheet, _mapping(sheet, options), progress, cancel)
    first = last = ""
    collecting = gc.isenabled()
    gc.disable()  # 100,000 rows make a million small objects; the cyclic collector only slows their making
    try:
        valid = list(checker.valid())
    finally:
        if collecting:
            gc.enable()
    if valid and not options.dry_run:
        first, last = _import(ws, lookup, checker, valid, Path(path).name)
    if progress:
        progress(len(sheet.rows), len(sheet.rows))
    return ImportReport(len(sheet.rows), checker.accepted, checker.duplicates, checker.rejected,
                        tuple(checker.problems), options.dry_run, checker.warnings, first, last, lookup.describe())


class _Checker:
    """Goes through the rows once: yields each valid, new enrolment and keeps the problems and the counts."""

    def __init__(self, lookup: Lookup, sheet: RawSheet, mapping: tuple[str | None, ...],
                 progress: Progress | None, cancel: threading.Event | None) -> None:
        self.lookup, self.sheet, self.progress, self.cancel = lookup, sheet, progress, cancel
        self.headers = {f: sheet.headers[i] for i, f in enumerate(mapping) if f}
        self.columns = [(i, f) for i, f in enumerate(mapping) if f]
        self.problems: list[Problem] = []
        self._labels: dict[str, str] = {}
        self.accepted = self.duplicates = self.rejected = self.warnings = 0

    def _add(self, number: int, e: Enrolment, kind: str, fld: str, msg: tuple[str, str]) -> None:
        label = self._labels.get(fld)
        if label is None:
            label = self._labels[fld] = (self.headers.get(_source(fld, self.headers))
                                         or tr(*cols.FIELDS.get(fld, (fld, fld))))
        self.problems.append(Problem(number, label, kind, *msg, e.full_name, mask_nik(e.nik) if e.nik else ""))

    def valid(self) -> Iterator[Enrolment]:
        lookup, columns, add = self.lookup, self.columns, self._add
        seen: dict[str, int] = {}
        total = len(self.sheet.rows)
        for done, (number, cells) in enumerate(self.sheet.rows, start=1):
            if done % CHECK_EVERY == 0:
                _check_cancel(self.cancel)
                if self.progress:
                    self.progress(done, total)
            e, found = lookup.enrolment({f: cells[i] for i, f in columns})
            findings = lookup.check(e)
            if findings.errors or found.errors:
                self.rejected += 1
                for fld, msg in {**findings.errors, **found.errors}.items():  # a damaged cell says more
                    add(number, e, "error", fld, msg)
                continue
            e = findings.normalized
            outside = lookup.outside_area(e.village_code)
            if outside:
                self.rejected += 1
                add(number, e, "error", "village", outside)
                continue
            earlier = seen.get(e.nik)
            duplicate = _duplicate_message(earlier) if earlier else lookup.duplicate(e.nik)
            if duplicate:
                self.duplicates += 1
                add(number, e, "duplicate", "nik", duplicate)
                continue
            seen[e.nik] = number
            for fld, msg in {**found.warnings, **findings.warnings}.items():
                self.warnings += 1
                add(number, e, "warning", fld, msg)
            self.accepted += 1
            yield e
        _check_cancel(self.cancel)


def _import(ws: Workspace, lookup: Lookup, checker: _Checker, valid: list[Enrolment],
            file_name: str) -> tuple[str, str]:
    """All valid rows in ONE transaction, numbered from this device's counter."""
    now = utcnow()
    code = ws.device.code
    constants = {"officer_id": ws.user.id, "device_id": ws.device.id, "enrolled_at": now, "updated_at": now,
                 "revision": 1, "synced_revision": 0, "sync_state": "pending", "sync_message": "", "kpj": None,
                 "bpjs_status": None, "active": True}
    try:
        with ws.store.sessions.begin() as session:
            # Taking the device counter takes SQLite's write lock: no other writer can number rows meanwhile.
            base = session.execute(update(m.Device).where(m.Device.id == ws.device.id)
                                   .values(counter=m.Device.counter).returning(m.Device.counter)).scalar_one()

            def per_row(k: int, e: Enrolment) -> tuple[str, str, int | None]:
                return uuid4_text(), f"{e.village_code}-{code}-{base + k:06d}", lookup.visit_for(e.village_code)

            n = participant_repo.insert_participants(session, valid, per_row, constants)
            first = f"{valid[0].village_code}-{code}-{base + 1:06d}"
            last = f"{valid[-1].village_code}-{code}-{base + n:06d}"
            session.execute(update(m.Device).where(m.Device.id == ws.device.id).values(counter=base + n))
            audit.record(session, ws.user.username, "import", "file", file_name, rows=len(checker.sheet.rows),
                         imported=n, duplicates=checker.duplicates, rejected=checker.rejected, first=first,
                         last=last, consent=CONSENT_METHOD)
    except IntegrityError:
        raise UserFacingError(
            "Sebagian NIK baru saja disimpan dari tempat lain saat impor berjalan; tidak ada yang disimpan. "
            "Jalankan impor sekali lagi.",
            "Some NIKs were saved elsewhere while the import ran; nothing was saved. Run the import again.",
            code="conflict") from None
    return first, last


def uuid4_text() -> str:
    """A random (version 4) UUID as text, like ``str(uuid.uuid4())`` at a third of the cost."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _source(fld: str, headers: dict[str, str]) -> str:
    """The validator's field name → the field whose column the user should look at."""
    if fld in ("birth_date", "birth_place") and fld not in headers and "birth_place_date" in headers:
        return "birth_place_date"
    if fld in ("rt", "rw") and fld not in headers and "rt_rw" in headers:
        return "rt_rw"
    return fld


def _duplicate_message(row: int) -> tuple[str, str]:
    return (f"NIK sama dengan baris {row} di berkas ini; baris ini dilewati.",
            f"Same NIK as row {row} of this file; this row is skipped.")


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise UserFacingError("Impor dibatalkan; tidak ada data yang disimpan.", "Import cancelled; nothing was saved.",
                              code="cancelled")


def write_problems(report: ImportReport, path: Path) -> Path:
    """The problem report as CSV (UTF-8 with BOM): row, name, masked NIK, column, kind, Indonesian, English."""
    import csv

    kinds = {"error": ("ditolak", "rejected"), "duplicate": ("duplikat", "duplicate"),
             "warning": ("peringatan", "warning")}
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow([tr("Baris", "Row"), tr("Nama", "Name"), "NIK", tr("Kolom", "Column"), tr("Jenis", "Kind"),
                    "Masalah", "Problem"])
        for p in report.problems:
            w.writerow([p.row, p.name, p.masked_nik, p.field, tr(*kinds[p.kind]), p.indonesian, p.english])
    return Path(path)
