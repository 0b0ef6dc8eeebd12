"""A small threaded HTTP/1.1 proxy on 127.0.0.1 that injects faults, one decision per request.

Modes:
- ``pass``: forward the request, relay the answer.
- ``drop_request``: read the request, then close the connection; the server never sees it.
- ``drop_response``: forward the request, wait for the server's whole answer, then close without relaying
  it (the server did the work; the client never learns the outcome).
- ``truncate_response``: relay only the first half of the answer, then close.
- ``error_503``: answer 503 itself, as an overloaded load balancer would.
- ``stall``: read the request and never answer (until the proxy stops or ``stall_seconds`` pass).

``choose`` decides per request: give a fixed ``plan`` (a list of modes, consumed in order, then ``pass``) or
``fault_rate`` with a seeded random generator.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections import Counter

MODES = ("pass", "drop_request", "drop_response", "truncate_response", "error_503", "stall")
FAULTS = ("drop_request", "drop_response", "truncate_response", "error_503")


class ConnectionClosed(Exception):
    pass


def _read_message(sock: socket.socket, buffer: bytearray, *, response: bool) -> bytes:
    """One whole HTTP/1.1 message (head + body by Content-Length or chunked) from ``sock``."""
    while b"\r\n\r\n" not in buffer:
        _fill(sock, buffer)
    head_end = buffer.index(b"\r\n\r\n") + 4
    head = bytes(buffer[:head_end]).decode("latin-1")
    lines = head.split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    status = int(lines[0].split()[1]) if response else None
    if response and (status in (204, 304) or 100 <= status < 200):
        length = 0
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        return _read_chunked(sock, buffer, head_end)
    else:
        length = int(headers.get("content-length", "0"))
    while len(buffer) < head_end + length:
        _fill(sock, buffer)
    message = bytes(buffer[:head_end + length])
    del buffer[:head_end + length]
    return message


def _read_chunked(sock: socket.socket, buffer: bytearray, pos: int) -> bytes:
    while True:
        while b"\r\n" not in buffer[pos:]:
            _fill(sock, buffer)
        line_end = buffer.index(b"\r\n", pos)
        size = int(bytes(buffer[pos:line_end]).split(b";")[0], 16)
        pos = line_end + 2 + size + 2
        while len(buffer) < pos:
            _fill(sock, buffer)
        if size == 0:
            message = bytes(buffer[:pos])
            del buffer[:pos]
            return message


def _fill(sock: socket.socket, buffer: bytearray) -> None:
    data = sock.recv(65536)
    if not data:
        raise ConnectionClosed
    buffer += data


class FaultProxy:
    def __init__(self, target_port: int, *, fault_rate: float = 0.0, faults: tuple[str, ...] = FAULTS,
                 seed: int | None = None, stall_seconds: float = 30.0):
        self.target_port = target_port
        self.fault_rate = fault_rate
        self.faults = faults
        self.plan: list[str] = []
        self.stall_seconds = stall_seconds
        self.random = random.Random(seed)
        self.seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.1)  # so the accept loop sees stop() promptly
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._sockets: set[socket.socket] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def choose(self) -> str:
        with self._lock:
            if self.plan:
                mode = self.plan.pop(0)
            elif self.fault_rate and self.random.random() < self.fault_rate:
                mode = self.random.choice(self.faults)
            else:
                mode = "pass"
            self.seen[mode] += 1
            return mode

    def start(self) -> FaultProxy:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._threads:
            self._threads[0].join(5)
        self._listener.close()
        with self._lock:
            for sock in list(self._sockets):
                _close(sock)
        for thread in self._threads:
            thread.join(5)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _track(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.add(sock)
        return sock

    def _serve(self, client: socket.socket) -> None:
        self._track(client)
        upstream = None
        from_client, from_server = bytearray(), bytearray()
        try:
            while not self._stop.is_set():
                request = _read_message(client, from_client, response=False)
                mode = self.choose()
                if mode == "drop_request":
                    return
                if mode == "error_503":
                    client.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                   b"Connection: close\r\n\r\n")
                    return
                if mode == "stall":
                    self._stop.wait(self.stall_seconds)
                    return
                if upstream is None:
                    upstream = self._track(socket.create_connection(("127.0.0.1", self.target_port), timeout=60))
                upstream.sendall(request)
                response = _read_message(upstream, from_server, response=True)
                if mode == "drop_response":
                    return
                if mode == "truncate_response":
                    client.sendall(response[: len(response) // 2])
                    return
                client.sendall(response)
        except (ConnectionClosed, OSError):
            return
        finally:
            _close(client)
            if upstream is not None:
                _close(upstream)
            with self._lock:
                self._sockets.discard(client)
                self._sockets.discard(upstream)


def _close(sock: socket.socket | None) -> None:
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
