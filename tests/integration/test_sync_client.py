"""SyncClient against the real server, directly and through the fault proxy: retries and error classes."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
import uuid

import pytest
from sqlalchemy import func, select

from fieldapp.server.models import participants
from fieldapp.sync.client import SyncClient, SyncError, make_batch
from tests.integration.faultproxy import FaultProxy


def count_rows(server) -> int:
    with server.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(participants)).scalar()


@pytest.fixture
def proxy(server):
    with FaultProxy(server.port, seed=1) as p:
        yield p


@pytest.fixture
def via_proxy(server, proxy):
    """A logged-in client that talks to the server through the proxy."""
    token = server.client("budi").token
    client = SyncClient(proxy.url, token=token, retries=3, backoff=0.01, timeout=(2, 5))
    yield client
    client.close()


def test_make_batch():
    batch = make_batch([{"a": 1}], "laptop-9")
    assert uuid.UUID(batch["batch_id"]).version == 4
    assert dt.datetime.fromisoformat(batch["created_at"]).tzinfo is not None
    assert batch["device_id"] == "laptop-9" and batch["records"] == [{"a": 1}]
    assert make_batch([], "x")["batch_id"] != batch["batch_id"]
    with pytest.raises(ValueError):
        make_batch([{}] * 501, "x")


def test_clock_offset_from_receipt(server, new_records):
    client = server.client("budi")
    assert client.clock_offset is None
    client.post_batch(make_batch(new_records(1), "laptop-1"), gzip=False)
    assert abs(client.clock_offset) < dt.timedelta(seconds=2)


@pytest.mark.parametrize("faults", [["error_503", "error_503"], ["drop_request"], ["drop_response"],
                                    ["truncate_response"], ["drop_response", "error_503", "drop_request"]])
def test_interrupted_post_is_retried_with_the_same_batch(server, proxy, via_proxy, new_records, faults):
    batch = make_batch(new_records(5), "laptop-1")
    proxy.plan = list(faults)
    receipt = via_proxy.post_batch(batch)
    assert receipt["batch_id"] == batch["batch_id"]
    assert [r["status"] for r in receipt["results"]] == ["accepted"] * 5  # first answer, or the stored one
    assert count_rows(server) == 5
    assert sum(proxy.seen.values()) == len(faults) + 1


def test_server_error_class_after_retries(server, proxy, via_proxy, new_records):
    proxy.fault_rate, proxy.faults = 1.0, ("error_503",)
    with pytest.raises(SyncError) as err:
        via_proxy.post_batch(make_batch(new_records(1), "laptop-1"))
    assert err.value.code == "server_error" and err.value.status == 503
    assert "coba lagi" in err.value.indonesian
    assert proxy.seen["error_503"] == 4  # first try + 3 retries


def test_offline_class(server, proxy, via_proxy, new_records):
    proxy.fault_rate, proxy.faults = 1.0, ("drop_request",)
    with pytest.raises(SyncError) as err:
        via_proxy.post_batch(make_batch(new_records(1), "laptop-1"))
    assert err.value.code == "offline"
    closed = SyncClient("http://127.0.0.1:9", retries=1, backoff=0.01)
    with pytest.raises(SyncError) as err:
        closed.health()
    assert err.value.code == "offline" and err.value.english.startswith("Cannot reach the server")


def test_timeout_class(server, proxy, new_records):
    proxy.fault_rate, proxy.faults, proxy.stall_seconds = 1.0, ("stall",), 5
    client = SyncClient(proxy.url, token=server.client("budi").token, retries=0, timeout=(1, 0.5))
    with pytest.raises(SyncError) as err:
        client.post_batch(make_batch(new_records(1), "laptop-1"))
    assert err.value.code == "timeout"


def test_auth_class(server):
    client = SyncClient(server.url)
    with pytest.raises(SyncError) as err:
        client.status_updates()
    assert err.value.code == "auth"
    client.token = "not-a-token"
    with pytest.raises(SyncError) as err:
        client.status_updates()
    assert err.value.code == "auth" and err.value.status == 401 and err.value.problem_code == "token_invalid"


class _HtmlHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html><body>Captive portal: please log in to the Wi-Fi</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def html_server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HtmlHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_protocol_and_tls_classes(html_server):
    with pytest.raises(SyncError) as err:
        SyncClient(f"http://{html_server}").health()
    assert err.value.code == "protocol"
    with pytest.raises(SyncError) as err:
        SyncClient(f"https://{html_server}", retries=0).health()
    assert err.value.code == "tls"
