"""Faults injected for real: a proxy that drops and cuts connections, a server killed with SIGKILL mid-batch.

After the laptop resends until it has a receipt, the server holds every record exactly once.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from sqlalchemy import func, select

from fieldapp.server import accounts
from fieldapp.server.db import init_schema, make_engine
from fieldapp.server.models import participants
from fieldapp.sync.client import SyncClient, SyncError, make_batch
from tests.integration.faultproxy import FaultProxy

DEFAULT_TRIALS = 20
SLOW_TRIALS = 200


def stored(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(participants.c.uuid, func.count()).group_by(participants.c.uuid)).all())


def resend_until_receipt(client: SyncClient, proxy: FaultProxy, records: list[dict], rng: random.Random):
    """What the laptop does: resend the batch until a receipt comes; now and then it has lost the batch and
    builds a new one (new batch_id) from the same records. Returns (receipt, whether it was rebuilt)."""
    batch = make_batch(records, "laptop-1")
    rebuilt = False
    for attempt in range(1, 100):
        try:
            return client.post_batch(batch, gzip=rng.random() < 0.5), rebuilt
        except SyncError as exc:
            assert exc.code in ("offline", "server_error", "timeout"), exc
            if rng.random() < 0.3:
                batch, rebuilt = make_batch(records, "laptop-1"), True
            if attempt >= 8:
                proxy.fault_rate = 0.0  # the network comes back in the end
    raise AssertionError("no receipt after 100 attempts")


def run_trials(server, new_records, trials: int, seed: int) -> None:
    rng = random.Random(seed)
    token = server.client("budi").token
    sent: dict[str, dict] = {}
    with FaultProxy(server.port, seed=seed) as proxy:
        client = SyncClient(proxy.url, token=token, retries=2, backoff=0.01, timeout=(2, 10))
        for _ in range(trials):
            records = new_records(rng.randint(1, 40))
            if sent and rng.random() < 0.3:  # an old record resent along with new ones
                records.append(sent[rng.choice(sorted(sent))])
            proxy.fault_rate = rng.uniform(0.3, 0.8)
            receipt, rebuilt = resend_until_receipt(client, proxy, records, rng)
            assert [r["uuid"] for r in receipt["results"]] == [r["uuid"] for r in records]
            for record, result in zip(records, receipt["results"], strict=True):
                known_before = record["uuid"] in sent
                if known_before:
                    assert result["status"] == "unchanged"
                elif not rebuilt:
                    assert result["status"] == "accepted"  # the first answer, or the stored receipt
                else:  # an earlier batch_id may have stored it before its answer was lost
                    assert result["status"] in ("accepted", "unchanged")
                sent[record["uuid"]] = record
        assert sum(v for k, v in proxy.seen.items() if k != "pass") > 0
        proxy.fault_rate = 0.0
        everything = list(sent.values())
        for start in range(0, len(everything), 500):  # the resync: all of it again, nothing changes
            receipt = client.post_batch(make_batch(everything[start:start + 500], "laptop-1"))
            assert {r["status"] for r in receipt["results"]} == {"unchanged"}
        client.close()
    counts = stored(server.engine)
    assert counts.keys() == sent.keys()
    assert set(counts.values()) == {1}


def test_resend_loop_through_faulty_network(server, new_records):
    run_trials(server, new_records, DEFAULT_TRIALS, seed=20260521)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_resend_loop_through_faulty_network_long(server, new_records, seed):
    run_trials(server, new_records, SLOW_TRIALS, seed=seed)


def test_server_killed_mid_batch_then_resync(server_process, db_url, new_records):
    engine = make_engine(db_url)
    init_schema(engine)
    accounts.add_user(engine, "budi", "officer", "rahasia-123")
    server_process.start()
    client = SyncClient(server_process.url, retries=0, backoff=0.01)
    client.login("budi", "rahasia-123", "laptop-1")
    rng = random.Random(7)
    interrupted, sent = 0, []
    for _ in range(3):  # each round sends new work, so a kill always has something in flight to cut
        batches = [make_batch(new_records(300), "laptop-1") for _ in range(10)]
        sent += batches
        failures: list[SyncError] = []

        def send(batches=batches, failures=failures):
            for batch in batches:
                try:
                    client.post_batch(batch, gzip=False)
                except SyncError as exc:
                    failures.append(exc)
                    return

        thread = threading.Thread(target=send)
        thread.start()
        time.sleep(rng.uniform(0.05, 0.25))
        server_process.kill()
        thread.join(60)
        interrupted += bool(failures)
        server_process.start()
    assert interrupted, "the kills never interrupted a send"
    for batch in sent:  # the resync: same batch_ids
        receipt = client.post_batch(batch)
        assert {r["status"] for r in receipt["results"]} == {"accepted"}
    counts = stored(engine)
    assert len(counts) == len(sent) * 300 and set(counts.values()) == {1}
    client.close()
    engine.dispose()
