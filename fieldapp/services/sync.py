"""Sync with the central server: batches with receipts, then status updates, reference data and the
enrolled-NIK digests. Safe to stop at any point and run again: nothing is lost or doubled.

Order of work: (1) batches prepared earlier but never receipted are resent with the same batch_id and bytes;
(2) pending records go into new batches, stored (with their payload) before the first byte is sent; (3) each
receipt is applied in its own transaction; (4) KPJ numbers and BPJS answers are pulled; (5) reference data
(village targets) is refreshed with its ETag; (6) the digests for the villages this laptop works in.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from fieldapp.db import models as m
from fieldapp.db import settings as settings_repo
from fieldapp.db import sync_log
from fieldapp.errors import UserFacingError
from fieldapp.services import audit, conflicts, reference
from fieldapp.services.workspace import Workspace
from fieldapp.sync import answers
from fieldapp.sync.client import MAX_BATCH_RECORDS, SyncClient
from fieldapp.sync.errors import SyncError
from fieldapp.sync.transfer import TransferKey

Progress = Callable[[int, int], None]
MAX_STATUS_PAGES = 1000  # per sync: a server that never stops paging cannot hold the laptop; the rest next time


@dataclass
class SyncReport:
    batches: int = 0
    records: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    kpj_updates: int = 0
    clock_offset_ms: int | None = None

    def add(self, counts: dict[str, int]) -> None:
        for status, n in counts.items():
            self.counts[status] = self.counts.get(status, 0) + n


def _cancelled() -> UserFacingError:
    return UserFacingError("Sinkronisasi dihentikan; sisanya dikirim lain kali.",
                           "Sync stopped; the rest goes next time.", code="cancelled")


def prepare_batches(ws: Workspace, server: str, batch_size: int = MAX_BATCH_RECORDS) -> int:
    """Put pending records into stored batches; returns how many batches were made."""
    with ws.store.sessions.begin() as session:
        device = session.get(m.Device, ws.device.id)
        made = sync_log.prepare(session, user_id=ws.user.id, device=device, server=server, batch_size=batch_size)
        return len(made)


def apply_receipt(ws: Workspace, batch_id: str, receipt: dict, clock_offset_ms: int | None = None) -> dict:
    """Apply one receipt (online or from a transfer file); applying the same receipt twice changes nothing.

    The whole receipt is checked against the batch as it was sent (``answers.check_receipt``) before anything
    is applied; then every record's state changes in this one transaction, or none does."""
    if not isinstance(receipt, dict) or receipt.get("batch_id") != batch_id or not isinstance(
            receipt.get("results"), list):
        raise UserFacingError("Tanda terima tidak cocok dengan kiriman ini.", "The receipt does not match this batch.",
                              code="receipt_mismatch")
    with ws.store.sessions.begin() as session:
        entry = session.scalar(select(m.SyncBatch).where(m.SyncBatch.batch_id == batch_id))
        if entry is None:
            raise UserFacingError("Kiriman untuk tanda terima ini tidak ada di laptop ini.",
                                  "This laptop holds no batch for this receipt.", code="receipt_unknown")
        if entry.status == "receipted":
            return json.loads(entry.counts_json)
        results = answers.check_receipt(json.loads(entry.payload), receipt)
        counts = sync_log.apply_receipt(session, entry, {**receipt, "results": results}, clock_offset_ms)
        audit.record(session, ws.user.username, "sync_receipt", "batch", batch_id, counts=counts)
        return counts


def _offset_ms(client: SyncClient) -> int | None:
    return round(client.clock_offset.total_seconds() * 1000) if client.clock_offset is not None else None


def sync_now(ws: Workspace, server_url: str, username: str, password: str, *, progress: Progress | None = None,
             cancel: threading.Event | None = None, verify: bool | str = True,
             timeout: tuple[float, float] = (5, 30)) -> SyncReport:
    """Send everything pending and pull what the server has for this user. A failure is recorded in the audit
    trail (``sync_failed``, with its class) and raised; what was done before it stays done."""
    try:
        with SyncClient(server_url, verify=verify, timeout=timeout) as client:
            connect(ws, client, username, password)
            report = send_pending(ws, client, server_url, progress=progress, cancel=cancel)
            conflicts.fetch_copies(ws, client)
            report.kpj_updates = pull_status_updates(ws, client)
            refresh_reference(ws, client)
            refresh_digests(ws, client)
            _logout(client)
    except UserFacingError as exc:
        with ws.store.sessions.begin() as session:
            audit.record(session, ws.user.username, "sync_failed", "server", server_url, code=exc.code,
                         reason=getattr(exc, "reason", ""))
        raise
    with ws.store.sessions.begin() as session:
        audit.record(session, ws.user.username, "sync", "server", server_url, batches=report.batches,
                     counts=report.counts)
    return report


def _logout(client: SyncClient) -> None:
    """The session ends with the sync: the token is revoked on the server (best effort)."""
    with contextlib.suppress(SyncError):
        client.logout()


def connect(ws: Workspace, client: SyncClient, username: str, password: str) -> None:
    """Check the server, log in, and keep the account's transfer key for offline files."""
    client.health()
    login = client.login(username, password, ws.device.uuid)
    if "transfer_key" in login:
        key = TransferKey.from_login(login)
        ws.set_setting(f"transfer_key:{ws.user.username}", f"{key.key_id}:{key.key.hex()}")


def send_pending(ws: Workspace, client: SyncClient, server_url: str, *, progress: Progress | None = None,
                 cancel: threading.Event | None = None) -> SyncReport:
    """Resend open batches, batch and send pending records, apply each receipt as it comes."""
    report = SyncReport(clock_offset_ms=_offset_ms(client))  # measured by connect()'s health check
    prepare_batches(ws, server_url)
    with ws.store.sessions() as session:
        todo = [(b.batch_id, b.payload) for b in sync_log.open_batches(session)]
    for done, (batch_id, payload) in enumerate(todo, start=1):
        if cancel is not None and cancel.is_set():
            raise _cancelled()
        batch = json.loads(payload)
        try:
            receipt = client.post_batch(batch)
            report.clock_offset_ms = _offset_ms(client)
            report.add(apply_receipt(ws, batch_id, receipt, report.clock_offset_ms))
        except UserFacingError as exc:
            _mark_failed(ws, batch_id, f"{exc.indonesian} / {exc.english}")
            raise
        report.batches += 1
        report.records += len(batch["records"])
        if progress:
            progress(done, len(todo))
    return report


def _mark_failed(ws: Workspace, batch_id: str, error: str) -> None:
    with ws.store.sessions.begin() as session:
        entry = session.scalar(select(m.SyncBatch).where(m.SyncBatch.batch_id == batch_id))
        entry.status, entry.error = "failed", error[:500]


def pull_status_updates(ws: Workspace, client: SyncClient) -> int:
    """KPJ numbers issued by BPJS (certificates then print as final) and BPJS rejections."""
    applied = 0
    key = f"status_cursor:{ws.user.username}"
    for _page in range(MAX_STATUS_PAGES):
        with ws.store.sessions() as session:
            cursor = settings_repo.get(session, key)
        items, next_cursor = client.status_updates(cursor)  # checked whole: see answers.check_status_page
        with ws.store.sessions.begin() as session:
            for item in items:
                row = session.scalar(select(m.Participant).where(m.Participant.uuid == item["uuid"]))
                if row is None:
                    continue
                if item["kind"] == "kpj_issued":
                    row.kpj, row.bpjs_status = item["kpj"], "kpj_issued"
                    applied += 1
                else:
                    row.bpjs_status, row.sync_message = "bpjs_rejected", item["reason"]
            settings_repo.put(session, key, next_cursor)
        if not items:
            break
    return applied


def refresh_reference(ws: Workspace, client: SyncClient) -> bool:
    """Village targets (and the rest of the reference data) from the server, only when it changed."""
    with ws.store.sessions() as session:
        etag = settings_repo.get(session, "reference_etag")
    data, new_etag = client.reference(etag)
    if data is None:
        return False
    reference.apply(ws, data, source=client.base_url, etag=new_etag or "")  # regions, rates, targets: one service
    return True


def refresh_digests(ws: Workspace, client: SyncClient) -> int:
    """The server's enrolled-NIK digests for every village this laptop has records or visits in."""
    with ws.store.sessions() as session:
        villages = set(session.scalars(select(m.Participant.village_code).distinct()))
        villages |= set(session.scalars(select(m.Visit.village_code).where(m.Visit.closed_at.is_(None))))
    stored = 0
    for village in sorted(villages):
        digests = client.enrolled(village)
        with ws.store.sessions.begin() as session:
            session.execute(delete(m.EnrolledDigest).where(m.EnrolledDigest.village_code == village))
            session.add_all(m.EnrolledDigest(digest=d, village_code=village, key_id=digests.key_id, server_uuid=u)
                            for d, u in digests.digests.items())
            settings_repo.put(session, f"digest_key:{digests.key_id}", digests.key.hex())
        stored += len(digests.digests)
    return stored


def log(ws: Workspace, limit: int = 500) -> list[sync_log.BatchLogEntry]:
    with ws.store.sessions() as session:
        return sync_log.entries(session, limit)
