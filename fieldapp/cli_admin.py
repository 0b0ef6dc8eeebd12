"""``fieldapp backup``, ``restore``, ``audit verify`` and ``incident-report``: looking after the data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr


def cmd_backup(args: argparse.Namespace) -> int:
    from fieldapp.cli import workspace
    from fieldapp.services import backup

    with workspace(args) as ws:  # only a user of this store may copy it
        print(backup.backup_now(ws.store))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from fieldapp.cli import credentials
    from fieldapp.services import backup

    chosen, replaced = backup.restore_as(args.data_dir, *credentials(args), backup=args.backup)
    print(tr(f"Dipulihkan dari {chosen.name}; data sebelumnya disimpan di {replaced}.",
             f"Restored from {chosen.name}; the previous store is kept in {replaced}."))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from fieldapp.cli import workspace
    from fieldapp.services import audit

    with workspace(args) as ws:
        if args.action == "export":
            ws.require("supervisor", "admin", action=("mengekspor jejak audit", "export the audit trail"))
            if not args.out:
                raise UserFacingError("Sebutkan berkas tujuan: --out FILE.csv", "Name the file: --out FILE.csv",
                                      field="out")
            with ws.store.sessions.begin() as session:
                n = audit.export_csv(session, args.out)
                audit.record(session, ws.user.username, "export", "audit", args.out.name, rows=n)
            print(args.out)
            return 0
        with ws.store.sessions() as session:
            broken = audit.verify(session)
            total = audit.count(session)
    if broken is None:
        print(tr(f"Jejak audit utuh: {total} catatan.", f"Audit trail intact: {total} entries."))
        return 0
    print(tr(f"Jejak audit RUSAK mulai catatan #{broken}: ada yang diubah, dihapus atau ditukar.",
             f"Audit trail BROKEN from entry #{broken}: an entry was changed, deleted or re-ordered."),
          file=sys.stderr)
    return 1


def cmd_incident(args: argparse.Namespace) -> int:
    from fieldapp.cli import workspace
    from fieldapp.services import incident

    with workspace(args) as ws:
        summary = incident.incident_report(ws, args.out)
    print(tr(f"{summary.people} orang tercatat di perangkat ini; laporan: {summary.out}",
             f"{summary.people} people held on this device; report: {summary.out}"))
    return 0


def register(sub, add_store_args) -> None:
    p = sub.add_parser("backup", help="copy the store into the backups folder now")
    add_store_args(p)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the store with a backup (the newest intact one by default)")
    add_store_args(p)
    p.add_argument("backup", nargs="?", type=Path, help="backup file (default: the newest intact backup)")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("audit", help="check the audit trail's hash chain (verify) or write it to CSV (export)")
    add_store_args(p)
    p.add_argument("action", choices=["verify", "export"])
    p.add_argument("--out", type=Path, help="CSV file for export")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("incident-report", help="whose data this device holds (UU PDP Pasal 46)")
    add_store_args(p)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_incident)
