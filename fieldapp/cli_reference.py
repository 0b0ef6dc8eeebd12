"""``fieldapp reference import FILE``: a supervisor applies a reference data file (regions, rates, targets)."""

from __future__ import annotations

import argparse
from pathlib import Path

from fieldapp.i18n import tr


def cmd_reference_import(args: argparse.Namespace) -> int:
    from fieldapp.cli import workspace
    from fieldapp.services import reference

    with workspace(args) as ws:
        done = reference.import_file(ws, args.file)
    print(tr(*reference.summary(done)))
    return 0


def register(sub, add_store_args) -> None:
    p = sub.add_parser("reference", help="reference data (regions, contribution rates, village targets)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help="apply a file from 'fieldapp-server export-reference' (supervisor)")
    add_store_args(imp)
    imp.add_argument("file", type=Path)
    imp.set_defaults(func=cmd_reference_import)
