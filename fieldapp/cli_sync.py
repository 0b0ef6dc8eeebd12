"""``fieldapp sync``, ``export-batch`` and ``import-receipt``: the laptop's side of sync, from the shell."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr


def _counts(counts: dict[str, int]) -> str:
    from fieldapp.domain.participant import SYNC_LABELS  # here, not at the top: `fieldapp --version` stays light

    return ", ".join(f"{tr(*SYNC_LABELS.get(k, (k, k)))} {v}" for k, v in sorted(counts.items())) or "-"


def cmd_sync(args: argparse.Namespace) -> int:
    from fieldapp.cli import credentials, progress, workspace
    from fieldapp.services import sync

    username, password = credentials(args)
    with workspace(args, (username, password)) as ws:
        server = args.server or ws.setting("server_url")
        if not server:
            raise UserFacingError("Sebutkan alamat server: --server URL.", "Name the server: --server URL.",
                                  field="server")
        verify = args.ca_bundle or os.environ.get("FIELDAPP_CA_BUNDLE") or True
        report = sync.sync_now(ws, server, username, password, verify=verify,
                               progress=progress(tr("Kiriman", "Batches")))
    counts = _counts(report.counts)
    print(tr(f"{report.records} data dalam {report.batches} kiriman: {counts}. KPJ baru: {report.kpj_updates}.",
             f"{report.records} records in {report.batches} batches: {counts}. New KPJ numbers: "
             f"{report.kpj_updates}."))
    return 0


def cmd_export_batch(args: argparse.Namespace) -> int:
    from fieldapp.cli import workspace
    from fieldapp.services import transfer

    with workspace(args) as ws:
        paths = transfer.export_batches(ws, args.out)
    for path in paths:
        print(path)
    return 0


def cmd_import_receipt(args: argparse.Namespace) -> int:
    from fieldapp.cli import workspace
    from fieldapp.services import transfer

    with workspace(args) as ws:
        counts = transfer.import_receipt(ws, args.file)
    print(_counts(counts))
    return 0


def register(sub, add_store_args) -> None:
    p = sub.add_parser("sync", help="send pending records to the server and pull KPJ numbers")
    add_store_args(p)
    p.add_argument("--server", help="server address, e.g. https://bpu.example.go.id (default: the setting)")
    p.add_argument("--ca-bundle", help="CA bundle for a server with its own certificate authority")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("export-batch", help="write pending records to an encrypted batch file (offline transfer)")
    add_store_args(p)
    p.add_argument("--out", type=Path, required=True, help="file to write, e.g. /media/usb/kiriman.json")
    p.set_defaults(func=cmd_export_batch)

    p = sub.add_parser("import-receipt", help="apply the server's receipt file (offline transfer)")
    add_store_args(p)
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_import_receipt)
