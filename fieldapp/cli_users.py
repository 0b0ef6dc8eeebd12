"""``fieldapp users list|add|password|remove``: accounts of a store (admins: everyone; supervisors: officers
and clerks). Each account has its own key slot, so adding, re-passwording or removing one changes who can open
the encrypted store.

New passwords come from a line of standard input (after the acting user's own, with --password-stdin) or from
FIELDAPP_NEW_PASSWORD, never from the command line where other users of the machine could read them.
"""

from __future__ import annotations

import argparse
import os
import sys

from fieldapp.domain.participant import ROLES
from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr


def _new_password(args: argparse.Namespace) -> str:
    password = sys.stdin.readline().rstrip("\r\n") if args.new_password_stdin else os.environ.get(
        "FIELDAPP_NEW_PASSWORD", "")
    if not password:
        raise UserFacingError(
            "Sebutkan kata sandi baru: --new-password-stdin (baris berikutnya) atau FIELDAPP_NEW_PASSWORD.",
            "Give the new password: --new-password-stdin (the next line) or FIELDAPP_NEW_PASSWORD.",
            field="new_password",
        )
    return password


def cmd_users(args: argparse.Namespace) -> int:
    from fieldapp.cli import credentials, workspace
    from fieldapp.services import accounts

    given = credentials(args)
    with workspace(args, given) as ws:
        if args.action == "list":
            for u in accounts.list_users(ws):
                print(f"{u.username}\t{u.role}\t{u.area_code or '-'}\t{u.full_name}")
            return 0
        if args.action == "add":
            accounts.add_user(ws, args.name, _new_password(args), args.role, full_name=args.full_name or "",
                              area_code=args.area)
            print(tr(f"Pengguna {args.name} ({args.role}) ditambahkan.", f"User {args.name} ({args.role}) added."))
        elif args.action == "password":
            accounts.set_password(ws, args.name, _new_password(args), current=given[1])
            print(tr(f"Kata sandi {args.name} diganti.", f"Password of {args.name} changed."))
        else:
            accounts.remove_user(ws, args.name)
            print(tr(f"Pengguna {args.name} dihapus; kata sandinya tidak lagi membuka data ini.",
                     f"User {args.name} removed; their password no longer opens this store."))
    return 0


def register(sub, add_store_args) -> None:
    p = sub.add_parser("users", help="list, add, re-password or remove accounts (admin; supervisor for officers)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, help_text in (("list", "the active accounts"), ("add", "a new account"),
                            ("password", "set an account's password"), ("remove", "deactivate an account")):
        a = actions.add_parser(name, help=help_text)
        add_store_args(a)
        if name != "list":
            a.add_argument("name", help="the account's user name")
        if name in ("add", "password"):
            a.add_argument("--new-password-stdin", action="store_true",
                           help="read the new password from the next line of standard input")
        if name == "add":
            a.add_argument("--role", choices=ROLES, required=True)
            a.add_argument("--full-name")
            a.add_argument("--area", help="region code of the account's area (e.g. a regency 3216)")
        a.set_defaults(func=cmd_users)
