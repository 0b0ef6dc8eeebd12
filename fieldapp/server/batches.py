"""Storing a batch: one write transaction, uniqueness enforced by the database, a SAVEPOINT per record.

Fast path: every new record of the batch is inserted with one ``executemany`` inside one SAVEPOINT. If the
database refuses it (a uuid or an active NIK already there, perhaps written by a concurrent batch a moment
ago), that SAVEPOINT is rolled back and the records go in one by one, each in its own SAVEPOINT, where an
``IntegrityError`` becomes ``duplicate_person`` (or, for a uuid that appeared meanwhile, the status against
that row). Nothing is ever checked first and inserted later.

Ownership: a row's ``owner_id`` and ``device_id`` are those of its first upload and never change. A later
revision of that uuid is stored only when it comes from that account, from that device (a laptop shared by
several officers sends every pending record under whoever syncs), or from a supervisor or admin; anything else
is that record's ``rejected`` / ``not_owner`` result, decided before revisions are compared, so a stranger learns
nothing about the revision the server holds.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from fieldapp.domain.nik import mask_nik
from fieldapp.errors import UserFacingError
from fieldapp.server.accounts import User
from fieldapp.server.db import utcnow, write_transaction
from fieldapp.server.intake import STATUSES, BatchInput, Prepared, compact, outcome
from fieldapp.server.models import batches, participants
from fieldapp.server.records import READERS_OF_ANY

EDITORS_OF_ANY = READERS_OF_ANY  # the roles that may read any record may also send a revision of any record

log = logging.getLogger("fieldapp.server.batches")
_COLUMNS = [c.name for c in participants.c if c.name not in ("id", "kpj", "bpjs_status")]


class BatchIdReused(UserFacingError):
    def __init__(self, batch_id: str):
        super().__init__(
            f"batch_id {batch_id} sudah dipakai untuk kiriman dengan isi berbeda.",
            f"batch_id {batch_id} was already used for a batch with different content.",
            code="batch_id_reused",
        )


@dataclass(frozen=True, slots=True)
class StoredReceipt:
    batch_id: str
    results_json: str  # stored once; every resend returns these very bytes
    counts_json: str
    replayed: bool

    def body(self, server_time: dt.datetime | None = None) -> bytes:
        stamp = (server_time or utcnow()).isoformat(timespec="milliseconds")
        return (f'{{"batch_id":{json.dumps(self.batch_id)},"server_time":{json.dumps(stamp)},'
                f'"results":{self.results_json},"counts":{self.counts_json}}}').encode()


def _stored(conn: Connection, batch: BatchInput) -> StoredReceipt | None:
    row = conn.execute(select(batches.c.content_hash, batches.c.results_json, batches.c.counts_json)
                       .where(batches.c.batch_id == batch.batch_id)).first()
    if row is None:
        return None
    if row.content_hash != batch.content_hash:
        raise BatchIdReused(batch.batch_id)
    return StoredReceipt(batch.batch_id, row.results_json, row.counts_json, replayed=True)


def store_batch(engine: Engine, user: User, batch: BatchInput, *, via: str = "online") -> StoredReceipt:
    with write_transaction(engine) as conn:
        stored = _stored(conn, batch)
        if stored:
            return stored
        now = utcnow()
        try:
            with conn.begin_nested():
                conn.execute(insert(batches).values(
                    batch_id=batch.batch_id, user_id=user.id, device_id=batch.device_id,
                    created_at=batch.created_at, received_at=now, content_hash=batch.content_hash,
                    record_count=batch.count, via=via))
        except IntegrityError:  # the same batch_id committed by a concurrent request meanwhile
            stored = _stored(conn, batch)
            if stored:
                return stored
            raise
        writer = _Writer(conn, user, batch, now)
        results = list(batch.results)
        for item, status in writer.run():
            results[item.index] = outcome(item.uuid, status)
            if status == "duplicate_person":
                log.info("batch %s: NIK %s already enrolled (record %s)", batch.batch_id, mask_nik(item.nik),
                         item.uuid)
            elif status == "not_owner":
                log.warning("batch %s: %s (device %s) may not change record %s, first sent by another account",
                            batch.batch_id, user.username, batch.device_id, item.uuid)
        counts = dict.fromkeys(STATUSES, 0)
        for entry in results:
            counts[entry["status"]] += 1
        results_json, counts_json = compact(results), compact(counts)
        conn.execute(update(batches).where(batches.c.batch_id == batch.batch_id)
                     .values(results_json=results_json, counts_json=counts_json))
    log.info("batch %s from %s (%s, %s): %s", batch.batch_id, user.username, batch.device_id, via,
             ", ".join(f"{k}={v}" for k, v in counts.items() if v))
    return StoredReceipt(batch.batch_id, results_json, counts_json, replayed=False)


class _Writer:
    def __init__(self, conn: Connection, user: User, batch: BatchInput, now: dt.datetime):
        self.conn, self.user, self.batch, self.now = conn, user, batch, now

    def run(self):
        items = self.batch.prepared
        if not items:
            return []
        existing = self._existing([p.uuid for p in items])
        done: list[tuple[Prepared, str]] = []
        fresh: list[Prepared] = []
        for p in items:
            row = existing.get(p.uuid)
            if row is None:
                fresh.append(p)
            else:
                done.append((p, self._against(p, row)))
        if fresh:
            try:
                with self.conn.begin_nested():
                    self._insert_many(fresh)
                done.extend((p, "accepted") for p in fresh)
            except IntegrityError:
                done.extend((p, self._insert_one(p)) for p in fresh)
        return done

    def _insert_many(self, items: list[Prepared]) -> None:
        """One driver-level ``executemany``: the statement is compiled once and the values that are the same
        for the whole batch are converted once, not once per row (this is the hot path of a sync)."""
        compiled = insert(participants).compile(dialect=self.conn.dialect, column_keys=_COLUMNS)
        shared = {c.name: self._bind(c, self._row_shared()[c.name]) for c in participants.c
                  if c.name in self._row_shared()}
        rows = [{**shared, **self._row_own(p)} for p in items]
        if compiled.positional:
            self.conn.exec_driver_sql(compiled.string, [tuple(r[k] for k in compiled.positiontup) for r in rows])
        else:
            self.conn.exec_driver_sql(compiled.string, rows)

    def _bind(self, column, value):
        process = column.type.dialect_impl(self.conn.dialect).bind_processor(self.conn.dialect)
        return process(value) if process else value

    def _row_shared(self) -> dict:
        return dict(active=True, owner_id=self.user.id, device_id=self.batch.device_id,
                    batch_id=self.batch.batch_id, received_at=self.now, updated_at=self.now)

    @staticmethod
    def _row_own(p: Prepared) -> dict:
        return dict(uuid=p.uuid, nik=p.nik, village_code=p.village_code, revision=p.revision,
                    base_revision=p.base_revision, content_hash=p.content_hash, record=p.stored)

    def _existing(self, uuids: list[str]) -> dict[str, object]:
        found = {}
        cols = (participants.c.id, participants.c.uuid, participants.c.revision, participants.c.content_hash,
                participants.c.owner_id, participants.c.device_id)
        for start in range(0, len(uuids), 500):
            chunk = uuids[start:start + 500]
            for row in self.conn.execute(select(*cols).where(participants.c.uuid.in_(chunk))):
                found[row.uuid] = row
        return found

    def _row(self, p: Prepared) -> dict:
        return {**self._row_shared(), **self._row_own(p)}

    def _insert_one(self, p: Prepared) -> str:
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(participants).values(**self._row(p)))
            return "accepted"
        except IntegrityError:
            row = self._existing([p.uuid]).get(p.uuid)
            if row is None:  # not the uuid: the active-NIK index refused it
                return "duplicate_person"
            return self._against(p, row)

    def _may_change(self, row) -> bool:
        return (row.owner_id == self.user.id or row.device_id == self.batch.device_id
                or self.user.role in EDITORS_OF_ANY)

    def _against(self, p: Prepared, row, attempts: int = 3) -> str:
        """The decision for ``p`` against the row the server holds for its uuid; stores it when newer."""
        if not self._may_change(row):  # owner and first device never change: checked once
            return "not_owner"
        for _ in range(attempts):
            if row.revision == p.revision and row.content_hash == p.content_hash:
                return "unchanged"
            if row.revision > p.base_revision:
                return "conflict"
            try:
                with self.conn.begin_nested():
                    changed = self.conn.execute(
                        update(participants)
                        .where(participants.c.id == row.id, participants.c.revision == row.revision)
                        .values(nik=p.nik, village_code=p.village_code, revision=p.revision,
                                base_revision=p.base_revision, content_hash=p.content_hash, record=p.stored,
                                batch_id=self.batch.batch_id, updated_at=self.now)
                    ).rowcount
            except IntegrityError:
                return "duplicate_person"
            if changed == 1:
                return "updated"
            row = self._existing([p.uuid]).get(p.uuid)  # changed by a concurrent batch: look again
        return "conflict"
