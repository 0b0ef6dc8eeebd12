"""The real server on 127.0.0.1 (uvicorn in a thread, or a subprocess), on a fresh database per test.

Every server test runs on SQLite (a new file per test); with ``FIELDAPP_TEST_PG_URL`` set it runs a second
time on PostgreSQL, in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import requests
import uvicorn
from sqlalchemy import Engine, create_engine, text

from fieldapp.server import accounts
from fieldapp.server.app import create_app
from fieldapp.server.db import make_engine
from fieldapp.server.settings import Settings
from fieldapp.sync.client import SyncClient

PG_URL = os.environ.get("FIELDAPP_TEST_PG_URL")
PASSWORD = "rahasia-123"
WIB = dt.timezone(dt.timedelta(hours=7))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- databases --------------------------------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("FIELDAPP_TEST_PG_URL is not set")
    schema = "t_" + secrets.token_hex(6)
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


# -- servers ----------------------------------------------------------------------------------------------------

@dataclass
class RunningServer:
    url: str
    port: int
    settings: Settings
    engine: Engine

    def add_user(self, name: str, role: str = "officer", password: str = PASSWORD) -> accounts.User:
        return accounts.add_user(self.engine, name, role, password)

    def client(self, name: str | None = None, *, device_id: str = "laptop-1", **kwargs) -> SyncClient:
        """A client, logged in as ``name`` (created as an officer when missing) unless ``name`` is None."""
        kwargs.setdefault("backoff", 0.05)
        client = SyncClient(self.url, **kwargs)
        if name:
            if accounts.get_user(self.engine, name) is None:
                self.add_user(name)
            client.login(name, PASSWORD, device_id)
        return client


class ThreadedServer:
    """uvicorn in a daemon thread of the test process."""

    def __init__(self, app, port: int):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture
def make_server(db_url):
    """Start a server with settings overrides, e.g. ``make_server(token_ttl=timedelta(seconds=1))``."""
    started: list[tuple[ThreadedServer, Engine]] = []

    def start(**overrides) -> RunningServer:
        settings = replace(Settings(db_url=db_url), **overrides)
        engine = make_engine(settings.db_url)
        port = free_port()
        threaded = ThreadedServer(create_app(settings, engine=engine), port)
        threaded.start()
        started.append((threaded, engine))
        return RunningServer(f"http://127.0.0.1:{port}", port, settings, engine)

    yield start
    for threaded, engine in started:
        threaded.stop()
        engine.dispose()


@pytest.fixture
def server(make_server) -> RunningServer:
    return make_server()


class ServerProcess:
    """``fieldapp-server serve`` as a child process: for killing it with SIGKILL mid-batch."""

    def __init__(self, db_url: str, port: int, log: Path):
        self.db_url, self.port, self.log = db_url, port, log
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "fieldapp.server.cli", "serve", "--db", self.db_url, "--port",
                 str(self.port)], stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + self.log.read_text()[-2000:])
            try:
                if requests.get(self.url + "/api/v1/health", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("server did not start: " + self.log.read_text()[-2000:])

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server_process(db_url, tmp_path):
    proc = ServerProcess(db_url, free_port(), tmp_path / "server.log")
    yield proc
    proc.stop()


# -- records ----------------------------------------------------------------------------------------------------

def make_nik(i: int, *, female: bool = False) -> str:
    """A valid NIK from Kabupaten Bekasi, kecamatan 06, distinct for each ``i`` below 3,700,000."""
    serial = i % 9999 + 1
    rest = i // 9999
    day, month, year = 1 + rest % 28, 1 + (rest // 28) % 12, 70 + (rest // 336) % 30
    return f"321606{day + (40 if female else 0):02d}{month:02d}{year:02d}{serial:04d}"


def birth_date_of(nik: str) -> str:
    day = int(nik[6:8]) % 40
    return f"19{nik[10:12]}-{nik[8:10]}-{day:02d}"


def make_record(i: int = 0, *, nik: str | None = None, uuid_: str | None = None, revision: int = 1,
                base_revision: int = 0, **fields) -> dict:
    """A record that passes ``validate`` (unless ``fields`` say otherwise)."""
    nik = nik or make_nik(i)
    now = dt.datetime(2026, 5, 4, 9, 30, tzinfo=WIB).isoformat()
    record = {
        "uuid": uuid_ or str(uuid.uuid4()), "revision": revision, "base_revision": base_revision,
        "nik": nik, "kk_number": None, "full_name": f"Budi Santoso {chr(65 + i % 26)}", "birth_place": "Bekasi",
        "birth_date": birth_date_of(nik), "sex": "P" if int(nik[6:8]) > 40 else "L",
        "address": {"street": "Jl. Melati No. 3", "rt": "3", "rw": "5", "village_code": "3216062002"},
        "phone": "0812-3456-7890", "occupation": "petani", "income_band": 1000000, "programs": ["JKK", "JKM"],
        "funding_source": "apbd", "sector": "other", "start_month": "2026-05", "period_months": 1,
        "heir": {"name": "Siti Aminah", "relationship": "istri", "phone": None},
        "consent": {"given_at": now, "method": "tanda_tangan", "guardian_name": None},
        "mother_name": None, "email": None, "officer": "budi", "visit_id": None,
        "enrolled_at": now, "updated_at": now,
    }
    record.update(fields)
    return record


@pytest.fixture
def new_records():
    """``new_records(n, start=None)`` → n valid records with distinct NIKs."""
    counter = iter(range(10**6))

    def build(n: int, start: int | None = None) -> list[dict]:
        first = next(counter) * 1000 if start is None else start
        return [make_record(first + k) for k in range(n)]

    return build


@pytest.fixture
def new_record():
    """``new_record(i, nik=…, uuid_=…, revision=…, base_revision=…, **fields)`` → a valid record."""
    return make_record


@pytest.fixture
def new_nik():
    return make_nik


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.slow`` tests here run only when asked for (``-m slow`` or ``FIELDAPP_SLOW=1``)."""
    if "slow" in (config.getoption("markexpr") or "") or os.environ.get("FIELDAPP_SLOW"):
        return
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason="slow: run with -m slow or FIELDAPP_SLOW=1")
    for item in items:
        if item.get_closest_marker("slow") and Path(str(item.path)).parent == here:
            item.add_marker(skip)


@pytest.fixture
def laptop(data_dir, server):
    """An officer's laptop store, whose account the server knows with the same name and password."""
    from tests.conftest import PASSWORD as LOCAL_PASSWORD
    from tests.conftest import open_as

    server.add_user("petugas", "officer", LOCAL_PASSWORD)
    ws = open_as(data_dir, "petugas")
    yield ws
    ws.close()


def conflicted(laptop, server):
    """A record the server holds at revision 2 while the laptop (restored from a backup) edited revision 1."""
    from sqlalchemy import text as sql

    from fieldapp.services import enrolment, sync
    from tests.conftest import PASSWORD as LOCAL_PASSWORD
    from tests.factories import enrol_people

    mine = enrol_people(laptop, 1)[0]
    edit = enrolment.edit(laptop, mine.id, enrolment.draft_from(mine, street="Jl. Dua"), expected_revision=1)
    sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD)
    with laptop.store.engine.begin() as conn:
        conn.execute(sql("UPDATE participants SET revision=1, synced_revision=0, sync_state='accepted'"))
    enrolment.edit(laptop, mine.id, enrolment.draft_from(edit, street="Jl. Tiga"), expected_revision=1)
    assert sync.sync_now(laptop, server.url, "petugas", LOCAL_PASSWORD).counts == {"conflict": 1}
    return mine
