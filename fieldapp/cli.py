"""The ``fieldapp`` command: starts the desktop app, or runs a headless subcommand.

Every subcommand that opens a store acts as a user: ``--user NAME --password-stdin``, or the environment
variables FIELDAPP_USER and FIELDAPP_PASSWORD for scripts. A user's mistake is one clear line on stderr and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from fieldapp import cli_admin, cli_certificates, cli_reference, cli_reports, cli_sync, cli_users, i18n
from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.paths import default_data_dir

EXIT_USER_ERROR = 2


class VersionAction(argparse.Action):
    """``--version``: the version, build date and where the data, backups and log are (fieldapp.buildinfo)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from fieldapp import buildinfo

        if getattr(namespace, "lang", None):
            i18n.set_language(namespace.lang)
        print(buildinfo.info(getattr(namespace, "data_dir", None)).text())
        parser.exit()


def credentials(args: argparse.Namespace) -> tuple[str, str]:
    username = args.user or os.environ.get("FIELDAPP_USER")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = os.environ.get("FIELDAPP_PASSWORD")
    if not username or password is None:
        raise UserFacingError(
            "Sebutkan pengguna: --user NAMA --password-stdin, atau FIELDAPP_USER dan FIELDAPP_PASSWORD.",
            "Say who you are: --user NAME --password-stdin, or FIELDAPP_USER and FIELDAPP_PASSWORD.",
            field="user",
        )
    return username, password


def workspace(args: argparse.Namespace, given: tuple[str, str] | None = None):
    """The store in ``--data-dir``, opened as the user the arguments (or ``given``) name."""
    from fieldapp.db.engine import require_store
    from fieldapp.services.workspace import Workspace

    require_store(args.data_dir)  # before asking who the user is
    return Workspace.open(args.data_dir, *(given or credentials(args)))


def progress(label: str) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        if sys.stderr.isatty() or done == total:
            end = "\n" if done == total else "\r"
            print(f"{label}: {done:,}/{total:,}", end=end, file=sys.stderr, flush=True)

    return report


def cmd_init(args: argparse.Namespace) -> int:
    from fieldapp.services import accounts

    username, password = credentials(args)
    accounts.init_store(args.data_dir, username, password, full_name=args.full_name or "").close()
    print(
        tr(
            f"Penyimpanan data dibuat di {args.data_dir}; supervisor: {username}.",
            f"Data store created in {args.data_dir}; supervisor: {username}.",
        )
    )
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from fieldapp.db.engine import store_path
    from fieldapp.services import seed

    new_store = not store_path(args.data_dir).exists()
    # An existing store: only its users may add to it.
    added = seed.seed_demo(args.data_dir, args.participants, progress=progress(tr("Peserta", "Participants")),
                           credentials=None if new_store else credentials(args))
    print(
        tr(
            f"{added:,} peserta contoh ditambahkan di {args.data_dir}.",
            f"{added:,} demo participants added in {args.data_dir}.",
        )
    )
    if new_store:
        users = ", ".join(f"{u} ({role})" for u, role, _ in seed.DEMO_USERS)
        print(
            tr(
                f"Akun demo: {users}; kata sandi {seed.DEMO_PASSWORD}.",
                f"Demo accounts: {users}; password {seed.DEMO_PASSWORD}.",
            )
        )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from fieldapp.services import stats

    with workspace(args) as ws:
        data = stats.counts(ws)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        p = data["participants"]
        print(tr("Peserta", "Participants") + f": {p['total']:,}")
        for state, n in sorted(p["by_sync_state"].items()):
            print(f"  {state}: {n:,}")
        print(
            tr("Desa", "Villages")
            + f": {data['villages']:,}   "
            + tr("Kunjungan", "Visits")
            + f": {data['visits']:,}   "
            + tr("Pengguna", "Users")
            + f": {data['users']:,}"
        )
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from fieldapp.ui.app import main as gui_main

    return gui_main(args.data_dir)


def _add_store_args(p: argparse.ArgumentParser, *, credentials: bool = True) -> None:
    p.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help="data directory (default: FIELDAPP_DATA_DIR or the user data directory)",
    )
    if credentials:
        p.add_argument("--user", help="act as this user (or FIELDAPP_USER)")
        p.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input (or FIELDAPP_PASSWORD)",
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldapp",
        description="fieldapp: enrolment of informal workers into BPJS Ketenagakerjaan (BPU), offline first.",
    )
    parser.add_argument("--version", action=VersionAction, help="show the version, build date and data folders")
    parser.add_argument("--data-dir", type=Path, default=None, help="data directory")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, help="language of messages (id, en)")
    parser.set_defaults(func=cmd_gui)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create a new store and its first supervisor")
    _add_store_args(p)
    p.add_argument("--full-name", help="the supervisor's full name")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("seed-demo", help="add synthetic demo participants (creates a demo store if none)")
    _add_store_args(p)
    p.add_argument("--participants", type=int, default=500, help="how many (default 500)")
    p.set_defaults(func=cmd_seed_demo)

    p = sub.add_parser("stats", help="counts of participants, villages, visits, users")
    _add_store_args(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_stats)

    cli_sync.register(sub, _add_store_args)
    cli_reports.register(sub, _add_store_args)
    cli_admin.register(sub, _add_store_args)
    cli_certificates.register(sub, _add_store_args)
    cli_reference.register(sub, _add_store_args)
    cli_users.register(sub, _add_store_args)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the certificate renderer's QR helper process, in a frozen app
    args = build_parser().parse_args(argv)
    if args.lang:
        i18n.set_language(args.lang)
    args.data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    try:
        return args.func(args)
    except UserFacingError as exc:
        print(f"fieldapp: {exc.text()}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(tr("fieldapp: dibatalkan.", "fieldapp: cancelled."), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
