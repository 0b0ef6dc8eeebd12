"""Certificates and participant cards: choose who, preview, issue (serials, issue log, audit, PDF), verify.

Issuing runs in three steps so that a caller can keep the store free while pages are drawn:
``prepare`` (read the people, check reprints, reserve serials: short store work), ``render`` (no store at
all: the PDF) and ``record`` (the issue log and the audit entry in one transaction). ``issue`` does all
three. A cancelled or failed render records nothing; its reserved serial numbers are simply never used
(serials are unique, not gap-free).

Printed papers are always in Indonesian, whatever language the screens use. Checking papers (QR texts, PDF
files) is :mod:`fieldapp.services.certificate_checks`.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fieldapp.certificates import (
    CertificateData,
    generate_keypair,
    render_cards,
    render_certificates,
)
from fieldapp.db import certificates as repo
from fieldapp.db import participants as participants_repo
from fieldapp.db import regions
from fieldapp.db.timeutil import utcnow
from fieldapp.domain import occupations
from fieldapp.domain.nik import mask_nik
from fieldapp.domain.participant import Participant, SearchQuery
from fieldapp.errors import UserFacingError
from fieldapp.services import access, audit
from fieldapp.services.workspace import Workspace

PRINT_ROLES = access.PRINT.roles
PRINT_ACTION = access.PRINT.action
KINDS = repo.KINDS
SERIAL_PREFIX = {"certificate": "SRT", "card": "KRT"}
KIND_LABELS = {"certificate": ("sertifikat", "certificates"), "card": ("kartu peserta", "participant cards")}
DRAFT_MARK = "PRATINJAU"  # serial and key id of a preview: its QR never verifies
MAX_REASON = 200

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Selection:
    """Who to print: a village, a visit, the ids chosen in a list, or everyone; ``text`` narrows by name."""

    village_code: str | None = None
    visit_id: int | None = None
    participant_ids: tuple[int, ...] | None = None
    everyone: bool = False
    text: str = ""

    @property
    def empty(self) -> bool:
        return (
            not self.village_code
            and self.visit_id is None
            and self.participant_ids is None
            and not self.everyone
            and not self.text.strip()
        )

    def for_audit(self) -> dict:
        """What was asked, without names or NIKs."""
        out = {
            "village": self.village_code,
            "visit": self.visit_id,
            "all": self.everyone or None,
            "chosen": None if self.participant_ids is None else len(self.participant_ids),
            "search": bool(self.text.strip()) or None,
        }
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True, slots=True)
class CertificatePreviewRow:
    participant_id: int
    full_name: str
    masked_nik: str
    local_number: str
    kpj: str | None
    village_name: str
    certificates_printed: int
    cards_printed: int

    @property
    def final(self) -> bool:
        return self.kpj is not None

    def printed(self, kind: str) -> int:
        return self.certificates_printed if kind == "certificate" else self.cards_printed


@dataclass(frozen=True)
class IssuePlan:
    """Everything a print run needs, read and checked: hand it to ``render`` and then ``record``."""

    kind: str
    selection: Selection
    participant_ids: tuple[int, ...]
    items: tuple[CertificateData, ...]
    key_id: str
    signing_key: Ed25519PrivateKey = field(repr=False)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def finals(self) -> int:
        return sum(1 for d in self.items if d.is_final)

    @property
    def reprints(self) -> int:
        return sum(1 for d in self.items if d.is_reprint)


# --- choosing ------------------------------------------------------------------------------------------------


def _name_key(row: repo.PrintRow) -> tuple[str, int]:
    """Alphabetical the way a person reads a list: case and accents do not move a name to the end."""
    decomposed = unicodedata.normalize("NFKD", row.full_name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(plain.split()), row.id


def _resolve(session, selection: Selection) -> list[repo.PrintRow]:
    if selection.empty:
        raise UserFacingError(
            "Pilih desa, kunjungan atau peserta yang akan dicetak.",
            "Choose a village, a visit or the participants to print.",
            field="selection",
            code="no_selection",
        )
    if selection.participant_ids is not None:
        ids = repo.active_ids(session, selection.participant_ids)
    else:
        query = SearchQuery(
            text=selection.text.strip(), village_code=selection.village_code, visit_id=selection.visit_id
        )
        ids = repo.ids_matching(session, query)
    rows = repo.print_rows(session, ids)
    return sorted(rows.values(), key=_name_key)


def selected_ids(ws: Workspace, selection: Selection) -> list[int]:
    """The active participants of ``selection``, sorted by name: the order of the papers."""
    ws.require(*PRINT_ROLES, action=PRINT_ACTION)
    with ws.store.sessions() as session:
        return [r.id for r in _resolve(session, selection)]


def preview(ws: Workspace, selection: Selection) -> list[CertificatePreviewRow]:
    """One row per participant to print, in print order, with how often each kind was printed before."""
    ws.require(*PRINT_ROLES, action=PRINT_ACTION)
    with ws.store.sessions() as session:
        rows = _resolve(session, selection)
        counts = repo.issue_counts(session, [r.id for r in rows])
    return [
        CertificatePreviewRow(
            r.id,
            r.full_name,
            mask_nik(r.nik),
            r.local_number,
            r.kpj,
            r.village_name,
            counts.get(r.id, {}).get("certificate", 0),
            counts.get(r.id, {}).get("card", 0),
        )
        for r in rows
    ]


def issue_count(ws: Workspace, participant_id: int) -> dict[str, int]:
    """{kind: papers issued} for one participant, every kind present (0 when never printed)."""
    with ws.store.sessions() as session:
        found = repo.issue_counts(session, [participant_id]).get(participant_id, {})
    return {kind: found.get(kind, 0) for kind in KINDS}


# --- keys ----------------------------------------------------------------------------------------------------


def _signing_key(ws: Workspace) -> tuple[Ed25519PrivateKey, str]:
    with ws.store.sessions.begin() as session:
        return repo.signing_key(session)


def public_keys(ws: Workspace) -> dict[str, Ed25519PublicKey]:
    """This store's public key (once it has printed) and those the server publishes in its reference data."""
    with ws.store.sessions() as session:
        return repo.public_keys(session)


# --- building the papers -------------------------------------------------------------------------------------


class _Regions:
    def __init__(self, session) -> None:
        self.session, self.names = session, {}

    def __call__(self, code: str) -> str:
        if code not in self.names:
            self.names[code] = regions.name(self.session, code) or ""
        return self.names[code]


def _paths(ws: Workspace, value: str) -> tuple[str, ...]:
    """Image settings: a JSON list, or paths one per line (or ';'-separated); relative to the data folder."""
    value = value.strip()
    if not value:
        return ()
    try:
        items = json.loads(value) if value.startswith("[") else None
    except ValueError:
        items = None
    if not isinstance(items, list):
        items = [p for line in value.splitlines() for p in line.split(";")]
    out = []
    for item in items:
        text = str(item).strip()
        if text:
            path = Path(text).expanduser()
            out.append(str(path if path.is_absolute() else ws.data_dir / path))
    return tuple(out)


def _payer(p: Participant, region: _Regions, donor: str) -> str:
    code, source = p.data.village_code, p.data.funding_source
    if source == "apbd":
        return region(code[:4])
    if source == "dana_desa":
        return p.village_name
    if source == "apbn":
        return "Pemerintah Pusat"
    return donor if source == "donor" else ""


def _papers(
    ws: Workspace, session, ids: list[int], *, serials: list[str], reasons: dict[int, str], today: dt.date
) -> list[CertificateData]:
    region = _Regions(session)
    signer = ws.setting("certificate_signer_name").strip()
    title = ws.setting("certificate_signer_title").strip()
    signature = _paths(ws, ws.setting("certificate_signature_image"))
    logos = _paths(ws, ws.setting("certificate_logos"))
    donor = ws.setting("certificate_donor_name").strip()
    people: dict[int, Participant] = {}
    for start in range(0, len(ids), 500):
        people.update((p.id, p) for p in participants_repo.many(session, ids[start : start + 500]))
    papers = []
    for pid, serial in zip(ids, serials, strict=True):
        p = people[pid]
        e, code = p.data, p.data.village_code
        regency = region(code[:4])
        occupation = occupations.get(e.occupation)
        papers.append(
            CertificateData(
                participant_uuid=p.uuid,
                local_number=p.local_number,
                kpj=p.kpj or None,
                full_name=e.full_name,
                nik=e.nik,
                birth_place=e.birth_place,
                birth_date=e.birth_date or today,
                village_name=p.village_name,
                district_name=region(code[:6]),
                regency_name=regency,
                province_name=region(code[:2]),
                occupation_label=occupation.label_id if occupation else e.occupation,
                programs=tuple(e.programs),
                coverage_start=e.start_month,
                funding_source=e.funding_source,
                payer_region_name=_payer(p, region, donor),
                issue_date=today,
                serial=serial,
                reprint_reason=reasons.get(pid),
                signer_name=signer,
                signer_title=title or f"Kepala Dinas Tenaga Kerja {regency}".strip(),
                signature_image=signature[0] if signature else None,
                logo_images=logos,
            )
        )
    return papers


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise UserFacingError(
            f"Jenis cetakan tidak dikenal: {kind}. Pilih: certificate atau card.",
            f"Unknown kind: {kind}. Choose: certificate or card.",
            field="kind",
        )


def _clean_reason(reason: str | None) -> str | None:
    text = " ".join((reason or "").split())
    if len(text) > MAX_REASON:
        raise UserFacingError(
            f"Alasan cetak ulang terlalu panjang (paling banyak {MAX_REASON} huruf).",
            f"The reprint reason is too long (at most {MAX_REASON} characters).",
            field="reason",
        )
    return text or None


def _names(rows: list[repo.PrintRow], limit: int = 5) -> tuple[str, str]:
    shown = ", ".join(f"{r.full_name} ({r.local_number})" for r in rows[:limit])
    more = len(rows) - limit
    return (shown + (f" dan {more} lainnya" if more > 0 else ""), shown + (f" and {more} more" if more > 0 else ""))


def _reprint_refused(kind: str, rows: list[repo.PrintRow]) -> UserFacingError:
    label_id, label_en = KIND_LABELS[kind]
    names_id, names_en = _names(rows)
    return UserFacingError(
        f"{len(rows)} peserta sudah pernah dicetak {label_id}nya: {names_id}. Cetak ulang perlu alasan "
        f"(misalnya hilang, rusak, data diperbaiki).",
        f"{len(rows)} participant(s) already had their {label_en} printed: {names_en}. A reprint needs a reason "
        f"(e.g. lost, damaged, data corrected).",
        field="reason",
        code="reprint_needs_reason",
    )


def prepare(
    ws: Workspace, selection: Selection, kind: str, *, reason: str | None = None, today: dt.date | None = None
) -> IssuePlan:
    """Read and check a print run and reserve its serials. Raises UserFacingError when nobody is selected or
    when a reprint has no reason (naming who was printed before)."""
    ws.require(*PRINT_ROLES, action=PRINT_ACTION)
    _check_kind(kind)
    reason = _clean_reason(reason)
    today = today or dt.date.today()
    with ws.store.sessions() as session:
        rows = _resolve(session, selection)
        if not rows:
            raise UserFacingError("Tidak ada peserta untuk dicetak.", "There is nobody to print.", code="empty")
        counts = repo.issue_counts(session, [r.id for r in rows])
    again = [r for r in rows if counts.get(r.id, {}).get(kind, 0)]
    if again and reason is None:
        raise _reprint_refused(kind, again)
    key, key_id = _signing_key(ws)
    stem = f"{SERIAL_PREFIX[kind]}-{ws.device.code}-{today.year}"
    with ws.store.sessions.begin() as session:
        first = repo.reserve_serials(session, stem, len(rows))
    serials = [f"{stem}-{n:06d}" for n in range(first, first + len(rows))]
    ids = [r.id for r in rows]
    with ws.store.sessions() as session:
        items = _papers(ws, session, ids, serials=serials, reasons={r.id: reason for r in again}, today=today)
    return IssuePlan(kind, selection, tuple(ids), tuple(items), key_id, key)


def render(
    plan: IssuePlan,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    workers: int | None = None,
) -> bytes:
    """The PDF of a prepared run. Touches no store: it may run on any thread."""
    draw = render_certificates if plan.kind == "certificate" else render_cards
    return draw(
        plan.items, signing_key=plan.signing_key, key_id=plan.key_id, progress=progress, cancel=cancel, workers=workers
    )


def record(ws: Workspace, plan: IssuePlan) -> None:
    """Write the issue log (one row per paper) and one audit entry, in one transaction."""
    ws.require(*PRINT_ROLES, action=PRINT_ACTION)
    firsts = [pid for pid, d in zip(plan.participant_ids, plan.items, strict=True) if not d.is_reprint]
    rows = [
        repo.IssueRow(d.serial, pid, plan.kind, d.is_final, d.reprint_reason if d.is_reprint else None)
        for pid, d in zip(plan.participant_ids, plan.items, strict=True)
    ]
    with ws.store.sessions.begin() as session:
        counts = repo.issue_counts(session, firsts)
        meanwhile = [pid for pid in firsts if counts.get(pid, {}).get(plan.kind)]
        if meanwhile:
            raise UserFacingError(
                f"{len(meanwhile)} peserta dicetak oleh orang lain sementara ini disiapkan. Ulangi pencetakan.",
                f"{len(meanwhile)} participant(s) were printed by someone else meanwhile. Print again.",
                code="printed_meanwhile",
            )
        repo.add_issues(session, rows, ws.user.id, utcnow())
        audit.record(
            session,
            ws.user.username,
            "print",
            plan.kind,
            plan.items[0].serial,
            count=plan.count,
            final=plan.finals,
            provisional=plan.count - plan.finals,
            reprint=plan.reprints > 0,
            reprints=plan.reprints,
            last_serial=plan.items[-1].serial,
            selection=plan.selection.for_audit(),
        )


def issue(
    ws: Workspace,
    selection: Selection,
    kind: str,
    *,
    reason: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    workers: int | None = None,
    today: dt.date | None = None,
) -> bytes:
    """Print ``selection`` (sorted by name): the PDF, once its papers are in the issue log and the audit."""
    plan = prepare(ws, selection, kind, reason=reason, today=today)
    pdf = render(plan, progress=progress, cancel=cancel, workers=workers)
    record(ws, plan)
    return pdf


def draft(
    ws: Workspace,
    selection: Selection,
    kind: str,
    *,
    reason: str | None = None,
    limit: int = 6,
    today: dt.date | None = None,
) -> bytes:
    """A preview of the first ``limit`` papers: nothing reserved or recorded, serial "PRATINJAU", and a QR
    signed by a throw-away key, so a preview can never pass for an issued paper."""
    ws.require(*PRINT_ROLES, action=PRINT_ACTION)
    _check_kind(kind)
    reason = _clean_reason(reason) or "(alasan belum diisi)"
    today = today or dt.date.today()
    with ws.store.sessions() as session:
        rows = _resolve(session, selection)[: max(1, limit)]
        if not rows:
            raise UserFacingError("Tidak ada peserta untuk dicetak.", "There is nobody to print.", code="empty")
        counts = repo.issue_counts(session, [r.id for r in rows])
        reasons = {r.id: reason for r in rows if counts.get(r.id, {}).get(kind, 0)}
        items = _papers(
            ws, session, [r.id for r in rows], serials=[DRAFT_MARK] * len(rows), reasons=reasons, today=today
        )
    key, _public = generate_keypair()
    plan = IssuePlan(kind, selection, tuple(r.id for r in rows), tuple(items), DRAFT_MARK, key)
    return render(plan, workers=0)
