"""``fieldapp export`` and ``fieldapp import``: reports and participant lists from the shell.

    fieldapp export sync-log --data-dir D --format xlsx --from 2026-11-01 --to 2026-11-30 --out log.xlsx
    fieldapp import daftar.xlsx --data-dir D --village 3216062002 --report masalah.csv --dry-run --json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr


def _date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(tr(f"tanggal tidak dikenali: {text} (tulis 2026-11-30)",
                                        f"date not understood: {text} (write 2026-11-30)"))


def _village(text: str) -> str:
    code = text.replace(".", "").strip()
    if not code.isdigit() or len(code) not in (2, 4, 6, 10):
        raise argparse.ArgumentTypeError(tr(f"kode wilayah tidak valid: {text} (contoh 3216062002 atau 321606)",
                                            f"not a region code: {text} (e.g. 3216062002 or 321606)"))
    return code


def cmd_export(args: argparse.Namespace) -> int:
    from fieldapp.cli import progress, workspace
    from fieldapp.services import exports
    from fieldapp.services.reports_data import ReportFilter

    fmt = (args.format or args.out.suffix.lstrip(".")).lower()
    if fmt not in exports.FORMATS:
        raise UserFacingError("Sebutkan format: --format csv, xlsx atau pdf.", "Name the format: --format csv, xlsx "
                              "or pdf.", field="format")
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UserFacingError("--from harus sebelum --to.", "--from must come before --to.", field="from")
    ws = workspace(args)
    try:
        device_id = _device(ws, args.device) if args.device else None
        filters = ReportFilter(args.date_from, args.date_to, args.officer, device_id, args.village, args.status)
        result = exports.export(ws, args.kind, fmt, args.out, filters=filters, unmasked=args.unmasked,
                                file_password=_file_password(args) if args.unmasked else "",
                                progress=progress(tr("Baris", "Rows")))
    finally:
        ws.close()
    masked = tr("NIK disamarkan", "NIKs masked") if result.masked else tr("NIK LENGKAP", "FULL NIKs")
    print(tr(f"{result.kind} ({result.format}): {result.rows:,} baris, {masked} → {result.path}",
             f"{result.kind} ({result.format}): {result.rows:,} rows, {masked} → {result.path}"))
    return 0


def _file_password(args: argparse.Namespace) -> str:
    """The password that locks a file with full NIKs: the next line of standard input (after the user's own,
    with --password-stdin) or FIELDAPP_FILE_PASSWORD; never an argument other users of the machine could see."""
    if args.file_password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return os.environ.get("FIELDAPP_FILE_PASSWORD", "")


def _device(ws, name: str) -> int:
    from fieldapp.services import reports_data

    for device_id, device_name in reports_data.choices(ws).devices:
        if name in (device_name, str(device_id)):
            return device_id
    raise UserFacingError(f"Perangkat tidak dikenal: {name}", f"Unknown device: {name}", field="device")


def cmd_import(args: argparse.Namespace) -> int:
    from fieldapp.cli import progress, workspace
    from fieldapp.services import imports

    ws = workspace(args)
    try:
        options = imports.ImportOptions(village_code=args.village, dry_run=args.dry_run)
        report = imports.run(ws, args.file, options, progress=None if args.json else progress(tr("Baris", "Rows")))
    finally:
        ws.close()
    if args.report:
        imports.write_problems(report, args.report)
    if args.json:
        print(json.dumps(report.as_json()))
        return 0
    for p in report.problems:
        if p.kind != "warning" or args.verbose:
            print(f"{tr('baris', 'row')} {p.row} · {p.field}: {p.text}", file=sys.stderr)
    warned = tr(f", {report.warnings:,} peringatan", f", {report.warnings:,} warnings") if report.warnings else ""
    verb = tr("akan diimpor (uji coba, tidak disimpan)", "would be imported (dry run, nothing saved)") \
        if report.dry_run else tr("diimpor", "imported")
    print(tr(f"{report.rows:,} baris: {report.imported:,} {verb}, {report.duplicates:,} duplikat, "
             f"{report.rejected:,} ditolak{warned}.",
             f"{report.rows:,} rows: {report.imported:,} {verb}, {report.duplicates:,} duplicates, "
             f"{report.rejected:,} rejected{warned}."))
    if report.imported and not report.dry_run:
        print(tr("Persetujuan dicatat sebagai 'daftar_kolektif' pada waktu impor; simpan bukti persetujuan "
                 "daftar ini.",
                 "Consent is recorded as 'daftar_kolektif' at the import time; keep this list's consent records."))
    return 0


def register(sub, add_store_args) -> None:
    p = sub.add_parser("export", help="write the sync log, coverage or the participant list (CSV, XLSX, PDF)")
    p.add_argument("kind", choices=("sync-log", "coverage", "participants"))
    add_store_args(p)
    p.add_argument("--format", choices=("csv", "xlsx", "pdf"), help="file format (default: from --out)")
    p.add_argument("--from", dest="date_from", type=_date, help="first day, e.g. 2026-11-01")
    p.add_argument("--to", dest="date_to", type=_date, help="last day, e.g. 2026-11-30")
    p.add_argument("--village", type=_village, help="village code, or a kecamatan/regency code for all inside")
    p.add_argument("--officer", help="only this officer's records (username)")
    p.add_argument("--device", help="only this device (name or id)")
    p.add_argument("--status", help="only this sync state / result (e.g. rejected, pending, failed)")
    p.add_argument("--unmasked", action="store_true",
                   help="full NIKs (roles that may see them; XLSX only, locked with a file password)")
    p.add_argument("--file-password-stdin", action="store_true",
                   help="read the password that locks an --unmasked file from the next line of standard input "
                        "(or FIELDAPP_FILE_PASSWORD)")
    p.add_argument("--out", type=Path, required=True, help="file to write")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="import a participant list (XLSX or CSV), checked like the form")
    p.add_argument("file", type=Path)
    add_store_args(p)
    p.add_argument("--village", type=_village, help="village for rows without one; village names are looked up "
                                                     "in its kecamatan")
    p.add_argument("--report", type=Path, help="write every problem row to this CSV")
    p.add_argument("--dry-run", action="store_true", help="check only, save nothing")
    p.add_argument("--json", action="store_true", help='print {"rows", "imported", "duplicates", "rejected"}')
    p.add_argument("--verbose", action="store_true", help="also list warnings (rows imported with a warning)")
    p.set_defaults(func=cmd_import)
