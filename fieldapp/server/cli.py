"""``fieldapp-server``: run the central server and administer it.

A user mistake (missing file, bad CSV, wrong role, unreachable database) prints one line on stderr and exits
with status 2; nothing else leaves a traceback either, only a one-line "unexpected error" (status 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.server import accounts, batches, bpjs, intake, logs, reference
from fieldapp.server.db import init_schema, make_engine
from fieldapp.server.models import ROLES
from fieldapp.server.settings import ENV_DB, Settings


class CliError(UserFacingError):
    pass


def _engine(args):
    settings = Settings.from_env(db_url=args.db)
    engine = make_engine(settings.db_url)
    init_schema(engine)
    return settings, engine


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CliError(f"Berkas {path} tidak dapat dibaca: {exc.strerror}.", f"Cannot read {path}: {exc.strerror}.",
                       code="unreadable") from None
    except UnicodeDecodeError:
        raise CliError(f"Berkas {path} bukan teks UTF-8.", f"{path} is not UTF-8 text.", code="unreadable") from None


def cmd_serve(args) -> int:
    import uvicorn

    ttl = dt.timedelta(hours=args.token_ttl_hours) if args.token_ttl_hours is not None else None
    settings = Settings.from_env(db_url=args.db, max_records=args.max_records, token_ttl=ttl)
    engine = make_engine(settings.db_url)
    init_schema(engine)  # once, before any worker starts
    logs.configure(args.log_level.upper())
    print(tr(f"Basis data: {engine.url.render_as_string(hide_password=True)}",
             f"Database: {engine.url.render_as_string(hide_password=True)}"), file=sys.stderr, flush=True)
    common = dict(host=args.host, port=args.port, log_config=None, timeout_graceful_shutdown=10)
    if args.workers <= 1:
        from fieldapp.server.app import create_app

        uvicorn.run(create_app(settings, engine=engine), **common)
    else:
        engine.dispose()
        os.environ.update(settings.to_env())
        os.environ[logs.ENV_LEVEL] = args.log_level.upper()
        uvicorn.run("fieldapp.server.app:app_from_env", factory=True, workers=args.workers, **common)
    return 0


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CliError("Gunakan --password-stdin untuk membaca kata sandi dari masukan standar.",
                       "Use --password-stdin to read the password from standard input.", code="no_password")
    first = getpass.getpass(tr("Kata sandi: ", "Password: "))
    if getpass.getpass(tr("Ulangi kata sandi: ", "Repeat the password: ")) != first:
        raise CliError("Kedua kata sandi berbeda.", "The two passwords differ.", code="password_mismatch")
    return first


def cmd_add_user(args) -> int:
    _, engine = _engine(args)
    user = accounts.add_user(engine, args.name, args.role, _password(args))
    print(tr(f"Pengguna {user.username} ({user.role}) dibuat.", f"User {user.username} ({user.role}) created."))
    return 0


def cmd_revoke_tokens(args) -> int:
    _, engine = _engine(args)
    count = accounts.revoke_user_tokens(engine, args.user)
    print(tr(f"{count} token milik {args.user} dicabut; perangkatnya harus masuk lagi.",
             f"{count} tokens of {args.user} revoked; their devices must log in again."))
    return 0


def cmd_deactivate_user(args) -> int:
    _, engine = _engine(args)
    count = accounts.deactivate_user(engine, args.name)
    print(tr(f"Pengguna {args.name} dinonaktifkan; {count} token dicabut.",
             f"User {args.name} deactivated; {count} tokens revoked."))
    return 0


def cmd_import_kpj(args) -> int:
    _, engine = _engine(args)
    result = bpjs.import_kpj(engine, _read_text(args.file))
    print(tr(f"KPJ terbit: {result.issued}, ditolak BPJS: {result.rejected}, sudah ada: {result.unchanged}.",
             f"KPJ issued: {result.issued}, rejected by BPJS: {result.rejected}, already known: {result.unchanged}."))
    return 0


def cmd_export_bpjs(args) -> int:
    from fieldapp.server.bpjs_export import export_bpjs

    _, engine = _engine(args)
    count = export_bpjs(engine, Path(args.out), include_registered=args.all)
    print(tr(f"{count} peserta ditulis ke {args.out}.", f"{count} participants written to {args.out}."))
    return 0


def cmd_import_targets(args) -> int:
    _, engine = _engine(args)
    count = reference.import_targets(engine, _read_text(args.file))
    print(tr(f"Target {count} desa disimpan.", f"Targets for {count} villages saved."))
    return 0


def cmd_export_reference(args) -> int:
    _, engine = _engine(args)
    data = reference.export_reference(engine, Path(args.out))
    print(tr(f"Data referensi ditulis ke {args.out}: {len(data['village_targets'])} target desa, "
             f"{len(data['region_changes'])} perubahan kode wilayah, tarif {data['rates']['version']}.",
             f"Reference data written to {args.out}: {len(data['village_targets'])} village targets, "
             f"{len(data['region_changes'])} region code changes, rates {data['rates']['version']}."))
    return 0


def _open_batch(engine, args) -> tuple[accounts.User, dict]:
    """The account whose transfer key locked the file, and the batch it holds; nothing is stored before this."""
    from fieldapp.sync.transfer import TransferKey, read_batch_file

    sealed = read_batch_file(args.file)
    user = accounts.user_by_transfer_key(engine, sealed.key_id)
    if user is None or user.username != sealed.username:
        raise CliError(f"Kunci berkas ini (akun {sealed.username}) tidak dikenal di server ini, atau akunnya "
                       "nonaktif.", f"This file's key (account {sealed.username}) is unknown on this server, or the "
                       "account is deactivated.", code="transfer_key")
    if args.user and args.user != user.username:
        raise CliError(f"Berkas ini dari {user.username}, bukan {args.user}.",
                       f"This file is from {user.username}, not {args.user}.", code="wrong_user")
    return user, sealed.open(TransferKey(user.transfer_key_id, user.transfer_key))


def cmd_import_batch(args) -> int:
    from fieldapp.server.app import SENDERS, server_today
    from fieldapp.sync.transfer import TransferKey, write_receipt_file

    settings, engine = _engine(args)
    user, body = _open_batch(engine, args)
    if user.role not in SENDERS:
        raise CliError(f"Peran {user.role} tidak boleh mengirim data pendaftaran.",
                       f"The role {user.role} may not upload enrolments.", code="forbidden")
    try:
        batch = intake.prepare(body, max_records=settings.max_records, today=server_today())
    except (intake.BadBatch, intake.TooManyRecords) as exc:
        raise CliError(exc.indonesian, exc.english, code=exc.code) from None
    stored = batches.store_batch(engine, user, batch, via="file")
    receipt = json.loads(stored.body())
    write_receipt_file(receipt, args.receipt_out, TransferKey(user.transfer_key_id, user.transfer_key),
                       username=user.username)
    counts = ", ".join(f"{k}={v}" for k, v in receipt["counts"].items() if v) or "0"
    again = tr(" (kiriman ini sudah pernah diterima)", " (this batch was received before)") if stored.replayed else ""
    print(tr(f"Kiriman {batch.batch_id}: {counts}{again}. Tanda terima: {args.receipt_out}",
             f"Batch {batch.batch_id}: {counts}{again}. Receipt: {args.receipt_out}"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fieldapp-server", description="fieldapp central server")
    db_help = f"database URL (sqlite:///FILE or postgresql://…); default ${ENV_DB} or a SQLite file in the data dir"
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--token-ttl-hours", type=float, default=None, help="bearer token lifetime (default 12)")
    serve.add_argument("--max-records", type=int, default=None, help="records per batch (default 500)")
    serve.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    serve.set_defaults(func=cmd_serve)

    add = sub.add_parser("add-user", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first stdin line")
    add.set_defaults(func=cmd_add_user)

    revoke = sub.add_parser("revoke-tokens", help="end every session of an account (e.g. a lost laptop)")
    revoke.add_argument("--user", required=True)
    revoke.set_defaults(func=cmd_revoke_tokens)

    deactivate = sub.add_parser("deactivate-user", help="the account can no longer log in; its tokens are revoked")
    deactivate.add_argument("name")
    deactivate.set_defaults(func=cmd_deactivate_user)

    kpj = sub.add_parser("import-kpj", help="apply BPJS's answer: CSV nik,kpj[,reason]")
    kpj.add_argument("file")
    kpj.set_defaults(func=cmd_import_kpj)

    targets = sub.add_parser("import-targets", help="replace the village targets: CSV village_code,target")
    targets.add_argument("file")
    targets.set_defaults(func=cmd_import_targets)

    ref = sub.add_parser("export-reference", help="write the reference data file for laptops without internet")
    ref.add_argument("--out", required=True)
    ref.add_argument("--db", default=None, help=db_help)
    ref.set_defaults(func=cmd_export_reference)

    bpjs_out = sub.add_parser("export-bpjs", help="the collective registration list for BPJS (XLSX, IDs as text)")
    bpjs_out.add_argument("--out", required=True)
    bpjs_out.add_argument("--all", action="store_true", help="also participants that already have a KPJ")
    bpjs_out.set_defaults(func=cmd_export_bpjs)

    imp = sub.add_parser("import-batch", help="receive an encrypted offline batch file and write its receipt file")
    imp.add_argument("file")
    imp.add_argument("--receipt-out", required=True)
    imp.add_argument("--user", help="the account the batch must belong to (checked against the file's key)")
    imp.set_defaults(func=cmd_import_batch)

    for p in (serve, add, revoke, deactivate, kpj, targets, bpjs_out, imp):
        p.add_argument("--db", default=None, help=db_help)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UserFacingError as exc:
        print(f"fieldapp-server: {exc.text()}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
        print("fieldapp-server: " + tr("basis data tidak dapat dipakai: ", "the database cannot be used: ")
              + logs.mask_niks(reason), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback on the operator's screen
        print(f"fieldapp-server: unexpected error: {type(exc).__name__}: {logs.mask_niks(str(exc))[:300]}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
