"""Offline transfer (USB stick): pending records out as encrypted batch files, the server's receipt files back in.

Same batches, same batch_ids and same receipts as online: a batch sent both ways is stored once. Files are
locked with the account's transfer key (``fieldapp.sync.transfer``), which the laptop keeps from its last
online log-in; without it nothing is written, so no NIK ever lands on a stick in clear.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from fieldapp.db import models as m
from fieldapp.db import sync_log
from fieldapp.errors import UserFacingError
from fieldapp.services import audit
from fieldapp.services.sync import apply_receipt, prepare_batches
from fieldapp.services.workspace import Workspace
from fieldapp.sync.transfer import TransferKey, read_receipt_file, write_batch_file


def transfer_key(ws: Workspace) -> TransferKey | None:
    """The account's key from its last online log-in, or None."""
    stored = ws.setting(f"transfer_key:{ws.user.username}")
    if not stored:
        return None
    key_id, key_hex = stored.split(":", 1)
    return TransferKey(key_id, bytes.fromhex(key_hex))


def _required_key(ws: Workspace) -> TransferKey:
    key = transfer_key(ws)
    if key is None:
        name = ws.user.username
        raise UserFacingError(
            f"Akun {name} belum punya kunci transfer di laptop ini, jadi berkas tidak dapat dienkripsi. Sinkronkan "
            "sekali secara online (masuk ke server) dengan akun ini, lalu ulangi.",
            f"The account {name} has no transfer key on this laptop yet, so the file cannot be encrypted. Sync "
            "online once (log in to the server) with this account, then try again.", code="no_transfer_key")
    return key


def _numbered(out: Path, n: int) -> Path:
    return out if n == 1 else out.with_name(f"{out.stem}-{n}{out.suffix}")


def export_batches(ws: Workspace, out: Path) -> list[Path]:
    """Write every batch not yet receipted (pending records are batched first): ``out``, ``out-2``, …"""
    key = _required_key(ws)  # before anything is batched
    prepare_batches(ws, f"file:{out.name}")
    with ws.store.sessions() as session:
        batches = [(b.batch_id, b.payload) for b in sync_log.open_batches(session)]
    if not batches:
        raise UserFacingError("Tidak ada data yang menunggu dikirim.", "Nothing is waiting to be sent.",
                              code="nothing_pending")
    paths = [write_batch_file(json.loads(payload), _numbered(out, i), key, username=ws.user.username)
             for i, (_batch_id, payload) in enumerate(batches, start=1)]
    with ws.store.sessions.begin() as session:
        audit.record(session, ws.user.username, "export_batch", "file", out.name, batches=len(paths),
                     key_id=key.key_id)
    return paths


def import_receipt(ws: Workspace, path: Path) -> dict:
    """Apply a receipt file from the server operator; importing it twice changes nothing."""
    receipt = read_receipt_file(path, _required_key(ws))
    with ws.store.sessions() as session:
        if session.scalar(select(m.SyncBatch.id).where(m.SyncBatch.batch_id == receipt.get("batch_id"))) is None:
            raise UserFacingError(f"Tanda terima {path.name} bukan untuk laptop ini.",
                                  f"Receipt {path.name} is not for this laptop.", code="receipt_unknown")
    return apply_receipt(ws, receipt["batch_id"], receipt)
