"""``fieldapp certificates`` and ``fieldapp verify-certificate``: print papers and check them from the shell.

    fieldapp certificates --data-dir D --village 3216062002 --kind card --out kartu.pdf
    fieldapp certificates --data-dir D --all --reason "kertas rusak" --out sertifikat.pdf
    fieldapp verify-certificate --data-dir D --payload 'FA1:ZWL734VW:...'
    fieldapp verify-certificate --data-dir D --pdf sertifikat.pdf

``verify-certificate`` exits 0 when valid, 1 when not. With --public-key alone it needs no log-in; the keys kept
in a store are read after logging in (the store is encrypted).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr

EXIT_VALID, EXIT_INVALID = 0, 1


def _village(text: str) -> str:
    code = text.replace(".", "").strip()
    if not code.isdigit() or len(code) != 10:
        raise argparse.ArgumentTypeError(
            tr(
                f"kode desa tidak valid: {text} (10 angka, contoh 3216062002)",
                f"not a village code: {text} (10 digits, e.g. 3216062002)",
            )
        )
    return code


def _selection(args: argparse.Namespace):
    from fieldapp.services.certificates import Selection

    if args.village:
        return Selection(village_code=args.village)
    if args.visit is not None:
        return Selection(visit_id=args.visit)
    return Selection(everyone=True)


def cmd_certificates(args: argparse.Namespace) -> int:
    from fieldapp.cli import progress, workspace
    from fieldapp.services import certificates as cert

    out = Path(args.out)
    if not out.parent.is_dir():
        raise UserFacingError(
            f"Folder tujuan tidak ada: {out.parent}", f"The folder does not exist: {out.parent}", field="out"
        )
    part = out.with_name(f".{out.name}.part")
    label = tr("Sertifikat", "Certificates") if args.kind == "certificate" else tr("Kartu", "Cards")
    ws = workspace(args)
    try:
        plan = cert.prepare(ws, _selection(args), args.kind, reason=args.reason)
        pdf = cert.render(plan, progress=progress(label))
        try:
            part.write_bytes(pdf)
            cert.record(ws, plan)  # recorded only once the file is written whole
            os.replace(part, out)
        except OSError as exc:
            raise UserFacingError(
                f"Berkas tidak dapat ditulis: {out} ({exc.strerror or exc})",
                f"The file cannot be written: {out} ({exc.strerror or exc})",
                field="out",
            ) from exc
    finally:
        part.unlink(missing_ok=True)
        ws.close()
    kind_id, kind_en = cert.KIND_LABELS[args.kind]
    again = tr(f", {plan.reprints} cetak ulang", f", {plan.reprints} reprints") if plan.reprints else ""
    serials = f"{plan.items[0].serial} … {plan.items[-1].serial}" if plan.count > 1 else plan.items[0].serial
    print(
        tr(
            f"{plan.count:,} {kind_id} ({plan.finals:,} final, {plan.count - plan.finals:,} sementara{again}), "
            f"no. seri {serials} → {out}",
            f"{plan.count:,} {kind_en} ({plan.finals:,} final, {plan.count - plan.finals:,} provisional{again}), "
            f"serials {serials} → {out}",
        )
    )
    return 0


def _keys(args: argparse.Namespace) -> dict:
    from fieldapp.certificates import key_id_for, public_key_from_text
    from fieldapp.cli import workspace
    from fieldapp.db.engine import store_path
    from fieldapp.services import certificates

    keys = {}
    for text in args.public_key or ():
        text = text.strip()
        key_id, _, value = text.partition("=") if "=" in text.rstrip("=") else ("", "", text)
        try:
            public = public_key_from_text(value.rstrip("="))
        except ValueError:
            raise UserFacingError(
                f"Kunci publik tidak valid: {text}", f"Not a public key: {text}", field="public_key"
            ) from None
        keys[key_id.strip() or key_id_for(public)] = public
    if store_path(args.data_dir).exists() and not keys:
        with workspace(args) as ws:
            keys.update(certificates.public_keys(ws))
    if not keys:
        raise UserFacingError(
            f"Tidak ada kunci publik untuk memeriksa: tidak ada penyimpanan data di {args.data_dir}, atau "
            "penyimpanan itu belum pernah mencetak. Sebutkan --data-dir atau --public-key.",
            f"No public key to check against: no data store in {args.data_dir}, or it has never printed. "
            "Give --data-dir or --public-key.",
            code="no_keys",
        )
    return keys


def _describe(result) -> list[str]:
    from fieldapp.certificates import date_id

    word = tr("SAH", "VALID") if result.valid else tr("TIDAK SAH", "NOT VALID")
    lines = [f"{word}: {tr(result.reason_id, result.reason_en)}"]
    f = result.fields
    if f is not None:
        number = tr("Nomor KPJ", "KPJ number") if f.number_kind == "kpj" else tr("No. pendaftaran", "Registration no.")
        lines += [
            f"  {tr('No. seri', 'Serial')}: {f.serial}",
            f"  {number}: {f.number}",
            f"  {tr('Tanggal terbit', 'Issued on')}: {date_id(f.issue_date)}",
            f"  {tr('ID peserta', 'Participant id')}: {f.participant_uuid}",
            f"  {tr('Kunci', 'Key')}: {result.key_id}",
        ]
    elif result.key_id:
        lines.append(f"  {tr('Kunci', 'Key')}: {result.key_id}")
    return lines


def cmd_verify(args: argparse.Namespace) -> int:
    from fieldapp.services import certificate_checks as checks

    keys = _keys(args)
    if args.payload is not None:
        result = checks.verify_text(args.payload, keys)
        print("\n".join(_describe(result)))
        return EXIT_VALID if result.valid else EXIT_INVALID
    try:
        data = Path(args.pdf).read_bytes()
    except OSError as exc:
        raise UserFacingError(
            f"Berkas tidak dapat dibaca: {args.pdf} ({exc.strerror or exc})",
            f"The file cannot be read: {args.pdf} ({exc.strerror or exc})",
            field="pdf",
        ) from exc
    found = checks.verify_pdf(data, keys)
    if not found:
        print(
            tr(
                "TIDAK SAH: berkas ini tidak memuat kode sertifikat dari fieldapp.",
                "NOT VALID: this file holds no fieldapp certificate code.",
            )
        )
        return EXIT_INVALID
    good = 0
    for check in found:
        lines = _describe(check.result)
        if check.result.valid and not check.on_page:
            lines[0] = tr(
                "TIDAK SAH: nomor seri atau nomor peserta yang tercetak di halaman ini tidak sama dengan "
                "yang ditandatangani.",
                "NOT VALID: the serial or participant number printed on this page differs from the signed one.",
            )
        good += check.result.valid and check.on_page
        print(f"{tr('Halaman', 'Page')} {check.page} · " + "\n".join(lines))
    print(tr(f"{good} dari {len(found)} kode sah.", f"{good} of {len(found)} codes valid."))
    return EXIT_VALID if good == len(found) else EXIT_INVALID


def register(sub, add_store_args) -> None:
    p = sub.add_parser("certificates", help="print certificates or participant cards (PDF), sorted by name")
    add_store_args(p)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--village", type=_village, help="everyone enrolled in this village (code, e.g. 3216062002)")
    who.add_argument("--visit", type=int, help="everyone enrolled during this outreach visit (its number)")
    who.add_argument("--all", action="store_true", help="every participant in the store")
    p.add_argument(
        "--kind",
        choices=("certificate", "card"),
        default="certificate",
        help="certificate (one A4 page each, default) or card (ten per A4 sheet)",
    )
    p.add_argument("--reason", help="why papers printed before are printed again (needed for any reprint)")
    p.add_argument("--out", type=Path, required=True, help="PDF file to write")
    p.set_defaults(func=cmd_certificates)

    p = sub.add_parser("verify-certificate", help="check a certificate's QR text or a certificate PDF")
    add_store_args(p)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--payload", help="the text read from the QR code (FA1:…)")
    what.add_argument("--pdf", type=Path, help="a PDF printed by fieldapp: every code in it is checked")
    p.add_argument(
        "--public-key",
        action="append",
        metavar="[KEYID=]KEY",
        help="a published public key to trust as well (repeatable)",
    )
    p.set_defaults(func=cmd_verify)
