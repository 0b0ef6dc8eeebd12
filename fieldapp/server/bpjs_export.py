"""The collective registration list BPJS Ketenagakerjaan receives (``fieldapp-server export-bpjs``).

One row per active participant without a KPJ yet (or every active one with ``include_registered``). NIK, KK,
KPJ and phone cells are typed as text, so Excel never turns a 16-digit NIK into 3.21606E+15.
"""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import Engine, select

from fieldapp.domain import occupations
from fieldapp.server.models import participants

COLUMNS = (
    ("NIK", 18, True), ("No KK", 18, True), ("Nama Lengkap", 30, False), ("Tempat Lahir", 16, False),
    ("Tanggal Lahir", 13, False), ("Jenis Kelamin", 8, False), ("Alamat", 30, False), ("RT", 5, True),
    ("RW", 5, True), ("Kode Desa", 12, True), ("No HP", 16, True), ("Pekerjaan", 20, False),
    ("Penghasilan", 12, False), ("Program", 14, False), ("Sumber Dana", 12, False), ("Mulai Iuran", 10, False),
    ("Ahli Waris", 24, False), ("Hubungan Ahli Waris", 12, False), ("KPJ", 13, True), ("ID Pendaftaran", 38, True),
)


def _row(record: dict, kpj: str | None, uuid: str) -> list:
    address, heir = record["address"], record.get("heir") or {}
    occupation = occupations.get(record["occupation"])
    phone = record.get("phone") or ""
    return [
        record["nik"], record.get("kk_number") or "", record["full_name"], record["birth_place"],
        record["birth_date"], record["sex"], address["street"], address["rt"], address["rw"],
        address["village_code"], ("0" + phone[3:]) if phone.startswith("+62") else phone,
        occupation.label_id if occupation else record["occupation"], record["income_band"],
        "+".join(record["programs"]), record["funding_source"], record["start_month"], heir.get("name") or "",
        heir.get("relationship") or "", kpj or "", uuid,
    ]


def export_bpjs(engine: Engine, out: Path, *, include_registered: bool = False) -> int:
    stmt = select(participants.c.record, participants.c.kpj, participants.c.uuid).where(participants.c.active)
    if not include_registered:
        stmt = stmt.where(participants.c.kpj.is_(None))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Pendaftaran Kolektif")
    ws.freeze_panes = "A2"
    for index, (_, width, _) in enumerate(COLUMNS):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    header = []
    for title, _, _ in COLUMNS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    count = 0
    with engine.connect() as conn:
        for record_json, kpj, uuid in conn.execute(stmt.order_by(participants.c.id)):
            cells = []
            for value, (_, _, as_text) in zip(_row(json.loads(record_json), kpj, uuid), COLUMNS, strict=True):
                cell = WriteOnlyCell(ws, value=str(value) if as_text else value)
                if as_text:
                    cell.number_format = "@"
                cells.append(cell)
            ws.append(cells)
            count += 1
    ws.auto_filter.ref = f"A1:{chr(ord('A') + len(COLUMNS) - 1)}{count + 1}"
    wb.save(out)
    return count
