"""Server hardening: who may call what (one row per route of the app), expired and revoked tokens, log-out,
``revoke-tokens`` and ``deactivate-user``, and log-in rate limiting shared by several workers.

Runs on SQLite and, with ``FIELDAPP_TEST_PG_URL`` set, on PostgreSQL (the ``db_url`` fixture).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from fastapi.routing import APIRoute
from starlette.routing import Route

from fieldapp.server import accounts
from fieldapp.server.app import create_app
from fieldapp.server.settings import Settings
from fieldapp.sync.client import SyncClient, SyncError, make_batch
from tests.integration.conftest import PASSWORD, ServerProcess, free_port

API = "/api/v1"
CALLERS = ("none", "expired", "revoked", "officer", "other_officer", "clerk", "supervisor", "admin")
ANYONE = (200,) * 8
LOGGED_IN = (401, 401, 401, 200, 200, 200, 200, 200)

#: (method, path) → expected status for each caller in ``CALLERS``. "officer" owns the record the
#: ``records/{uuid}`` row asks for; "other_officer" is an officer who does not.
TABLE: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", f"{API}/health"): ANYONE,
    ("POST", f"{API}/auth/token"): ANYONE,  # credentials in the body; a bearer header changes nothing
    ("POST", f"{API}/auth/logout"): (401, 401, 401, 204, 204, 204, 204, 204),
    ("GET", f"{API}/reference"): LOGGED_IN,
    ("POST", f"{API}/batches"): (401, 401, 401, 200, 200, 403, 200, 200),
    ("GET", f"{API}/status-updates"): LOGGED_IN,  # each caller gets only the updates of their own records
    ("GET", f"{API}/records/{{uuid}}"): (401, 401, 401, 200, 404, 404, 200, 200),
    ("GET", f"{API}/enrolled"): (401, 401, 401, 200, 200, 403, 200, 200),  # digests + key: enrollers only
    ("GET", f"{API}/openapi.json"): ANYONE,
    ("GET", f"{API}/docs"): ANYONE,
}
ROLE_OF = {"officer": "officer", "other_officer": "officer", "clerk": "clerk", "supervisor": "supervisor",
           "admin": "admin"}
PROBLEM_CODES = {"none": "auth_required", "expired": "token_expired", "revoked": "token_revoked"}


def app_routes(settings: Settings) -> set[tuple[str, str]]:
    app = create_app(settings)
    found = set()
    for route in app.routes:
        assert isinstance(route, APIRoute | Route), route
        found |= {(method, route.path) for method in route.methods if method != "HEAD"}
    return found


def test_every_route_has_a_row_in_the_table(tmp_path):
    routes = app_routes(Settings(db_url=f"sqlite:///{tmp_path / 's.sqlite3'}"))
    assert routes - TABLE.keys() == set(), "a route with no row in TABLE: say who may call it"
    assert TABLE.keys() - routes == set(), "a row for a route the app no longer has"
    assert all(len(row) == len(CALLERS) for row in TABLE.values())


def problem(resp: requests.Response, status: int, code: str | None = None) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["status"] == status and body["detail"] and body["detail_en"]
    if code:
        assert body["code"] == code, body
    return body


class Callers:
    """Fresh tokens for each kind of caller, made by the real account code and the real log-out endpoint."""

    def __init__(self, server):
        self.server = server
        self.users = {who: server.add_user(f"u_{who}", role) for who, role in ROLE_OF.items()}

    def token(self, who: str) -> str | None:
        if who == "none":
            return None
        user = self.users.get(who, self.users["officer"])
        ttl = dt.timedelta(seconds=-1) if who == "expired" else dt.timedelta(hours=1)
        token = accounts.issue_token(self.server.engine, user, "laptop-t", ttl).token
        if who == "revoked":
            resp = requests.post(self.server.url + API + "/auth/logout", timeout=10,
                                 headers={"Authorization": f"Bearer {token}"})
            assert resp.status_code == 204
        return token


def test_role_table(server, new_record):
    callers = Callers(server)
    owned = new_record(0)
    server.client("u_officer").post_batch(make_batch([owned], "laptop-t"))
    numbers = itertools.count(1)

    def request_for(method: str, path: str, who: str) -> dict:
        if path.endswith("/auth/token"):
            return {"json": {"username": callers.users.get(who, callers.users["officer"]).username,
                             "password": PASSWORD, "device_id": "laptop-t"}}
        if path.endswith("/batches"):
            return {"json": make_batch([new_record(next(numbers))], "laptop-t")}
        if path.endswith("/enrolled"):
            return {"params": {"village_code": "3216062002"}}
        return {}

    mismatches, tried = [], 0
    for (method, path), row in TABLE.items():
        for who, expected in zip(CALLERS, row, strict=True):
            token = callers.token(who)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            url = server.url + path.replace("{uuid}", owned["uuid"])
            resp = requests.request(method, url, headers=headers, timeout=30, **request_for(method, path, who))
            tried += 1
            if resp.status_code != expected:
                mismatches.append((method, path, who, expected, resp.status_code, resp.text[:200]))
            elif expected == 401:
                problem(resp, 401, PROBLEM_CODES[who])
                assert resp.headers.get("WWW-Authenticate") == "Bearer"
            elif expected == 403:
                problem(resp, 403, "forbidden")
            elif expected == 404:
                problem(resp, 404, "not_found")
    assert mismatches == []
    assert tried == len(TABLE) * len(CALLERS)


# -- tokens: expiry, log-out, revocation, deactivation -------------------------------------------------------

def test_expired_token_is_refused_everywhere(make_server):
    server = make_server(token_ttl=dt.timedelta(seconds=1))
    client = server.client("budi")
    assert client.status_updates() == ([], "0")
    time.sleep(1.2)
    with pytest.raises(SyncError) as err:
        client.status_updates()
    assert err.value.code == "auth" and err.value.status == 401 and err.value.problem_code == "token_expired"


def test_logout_revokes_only_the_presented_token(server):
    laptop1, laptop2 = server.client("budi", device_id="laptop-1"), server.client("budi", device_id="laptop-2")
    token = laptop1.token
    laptop1.logout()
    assert laptop1.token is None
    body = problem(requests.get(server.url + API + "/reference", timeout=10,
                                headers={"Authorization": f"Bearer {token}"}), 401, "token_revoked")
    assert body["detail"].startswith("Sesi ini sudah diakhiri") and "log in again" in body["detail_en"]
    problem(requests.post(server.url + API + "/auth/logout", timeout=10,
                          headers={"Authorization": f"Bearer {token}"}), 401, "token_revoked")  # twice: still 401
    assert laptop2.status_updates() == ([], "0")  # the other laptop's session goes on


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fieldapp.server.cli", *args], text=True, capture_output=True,
                          timeout=120)


def test_revoke_tokens_command(server):
    budi1, budi2, siti = server.client("budi"), server.client("budi", device_id="laptop-2"), server.client("siti")
    done = cli("revoke-tokens", "--user", "budi", "--db", server.settings.db_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("2 token milik budi dicabut")
    for client in (budi1, budi2):
        with pytest.raises(SyncError) as err:
            client.status_updates()
        assert err.value.status == 401 and err.value.problem_code == "token_revoked"
    assert siti.status_updates() == ([], "0")
    assert server.client("budi").status_updates() == ([], "0")  # a new log-in works again
    missing = cli("revoke-tokens", "--user", "nobody", "--db", server.settings.db_url)
    assert missing.returncode == 2 and "nobody" in missing.stderr and "Traceback" not in missing.stderr


def test_deactivated_user_loses_tokens_and_cannot_log_in(server):
    budi = server.client("budi")
    done = cli("deactivate-user", "budi", "--db", server.settings.db_url)
    assert done.returncode == 0, done.stderr
    with pytest.raises(SyncError) as err:
        budi.status_updates()
    assert err.value.problem_code == "token_revoked"
    resp = requests.post(server.url + API + "/auth/token", timeout=10,
                         json={"username": "budi", "password": PASSWORD, "device_id": "laptop-1"})
    problem(resp, 401, "auth_failed")


# -- log-in rate limiting ---------------------------------------------------------------------------------------

def login(url: str, username: str, password: str, address: str | None = None) -> requests.Response:
    headers = {"X-Forwarded-For": address} if address else {}  # uvicorn trusts it from 127.0.0.1 (a local proxy)
    return requests.post(url + API + "/auth/token", headers=headers, timeout=30,
                         json={"username": username, "password": password, "device_id": "laptop-1"})


def test_five_failures_lock_the_username_with_retry_after(make_server):
    server = make_server(login_window=dt.timedelta(seconds=3))
    server.add_user("budi")
    statuses = [login(server.url, "budi", "wrong-password").status_code for _ in range(5)]
    assert statuses == [401] * 5
    for password in ("wrong-password", PASSWORD):  # locked: even the right password waits
        resp = login(server.url, "budi", password)
        body = problem(resp, 429, "too_many_attempts")
        assert body["detail"].startswith("Terlalu banyak percobaan masuk yang gagal")
        assert body["detail_en"].startswith("Too many failed log-ins")
        assert 1 <= int(resp.headers["Retry-After"]) <= 3
    assert login(server.url, "siti", "wrong-password").status_code == 401  # other names are not locked
    time.sleep(int(resp.headers["Retry-After"]) + 0.2)
    assert login(server.url, "budi", PASSWORD).status_code == 200


def test_a_successful_login_resets_the_username_counter(server):
    server.add_user("budi")
    statuses = []
    for _ in range(2):
        statuses += [login(server.url, "budi", "wrong-password").status_code for _ in range(4)]
        statuses.append(login(server.url, "budi", PASSWORD).status_code)
    assert statuses == [401, 401, 401, 401, 200] * 2
    assert [login(server.url, "budi", "wrong-password").status_code for _ in range(6)] == [401] * 5 + [429]


def test_failures_from_one_address_lock_that_address(make_server):
    server = make_server(login_failures_per_address=6)
    server.add_user("budi")
    names = [f"tebak{i}" for i in range(7)]  # one guess per name: only the address counter can trip
    statuses = [login(server.url, name, "wrong-password", "10.1.1.1").status_code for name in names]
    assert statuses == [401] * 6 + [429]
    assert login(server.url, "budi", PASSWORD, "10.1.1.1").status_code == 429
    assert login(server.url, "budi", PASSWORD, "10.2.2.2").status_code == 200  # another office is not
    for _ in range(10):  # successes never count against an address
        assert login(server.url, "budi", PASSWORD, "10.3.3.3").status_code == 200


def test_the_counter_rows_live_in_the_server_database(server):
    for _ in range(3):
        login(server.url, "budi", "wrong-password", "10.9.9.9")
    with server.engine.connect() as conn:
        rows = dict(conn.exec_driver_sql("SELECT scope || ':' || key, failures FROM login_throttle").all())
    assert rows == {"user:budi": 3, "address:10.9.9.9": 3}


class ServeProcess(ServerProcess):
    """``fieldapp-server serve`` as a child process with extra options (``--workers 2``, ``--log-level debug``)."""

    def __init__(self, db_url, port, log, *extra: str):
        super().__init__(db_url, port, log)
        self.extra = extra

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "fieldapp.server.cli", "serve", "--db", self.db_url, "--port", str(self.port),
                 *self.extra], stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + self.log.read_text()[-2000:])
            try:
                if requests.get(self.url + API + "/health", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("server did not start: " + self.log.read_text()[-2000:])


def test_limit_holds_across_workers_and_concurrent_attempts(db_url, tmp_path):
    from fieldapp.server.db import init_schema, make_engine

    engine = make_engine(db_url)
    init_schema(engine)
    accounts.add_user(engine, "budi", "officer", PASSWORD)
    engine.dispose()
    proc = ServeProcess(db_url, free_port(), tmp_path / "server.log", "--workers", "2")
    proc.start()
    try:
        def attempt(_):  # a new connection each time: the kernel spreads them over both workers
            with requests.Session() as s:
                return s.post(proc.url + API + "/auth/token", timeout=60, headers={"Connection": "close"},
                              json={"username": "budi", "password": "wrong-password", "device_id": "x"}).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = sorted(pool.map(attempt, range(24)))
        assert statuses == [401] * 5 + [429] * 19  # never more than 5 password checks, whichever worker
        assert attempt(0) == 429
    finally:
        proc.stop()
    assert "Traceback" not in proc.log.read_text()


def test_client_reports_a_lockout_as_an_auth_error_with_the_servers_words(server):
    server.add_user("budi")
    client = SyncClient(server.url, retries=0)
    for _ in range(5):
        with pytest.raises(SyncError):
            client.login("budi", "wrong-password", "laptop-1")
    with pytest.raises(SyncError) as err:
        client.login("budi", PASSWORD, "laptop-1")
    assert err.value.status == 429 and err.value.problem_code == "too_many_attempts"
    assert err.value.code == "auth" and err.value.indonesian.startswith("Terlalu banyak")
