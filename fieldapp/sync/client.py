"""The laptop's side of the sync protocol v1 (DESIGN.md "Sync protocol"): HTTP only, no Qt, no database.

Every call is safe to repeat, so the session retries everything, POST included: a batch is idempotent by its
``batch_id``, and a resent batch returns the stored receipt. Failures surface as ``SyncError`` with an
Indonesian/English message and a ``code``: ``offline``, ``timeout``, ``tls``, ``auth``, ``server_error`` or
``protocol`` (the server's own problem code, when it sent one, is in ``problem_code``).
"""

from __future__ import annotations

import datetime as dt
import gzip as gziplib
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from fieldapp import __version__
from fieldapp.sync import answers
from fieldapp.sync.errors import TRANSPORT, SyncError, error

API = "/api/v1"
MAX_BATCH_RECORDS = 500  # the server's default cap
MAX_ANSWER_BYTES = 32 * 1024 * 1024  # the largest answer read (decompressed); a village's digests are ~110 B each


@dataclass(frozen=True, slots=True)
class EnrolledDigests:
    """Keyed digests of the NIKs already enrolled in a village: check a NIK offline, no NIK ever sent."""

    village_code: str
    key_id: str
    key: bytes
    digests: dict[str, str]  # HMAC-SHA256(key, NIK) hex → uuid of the server's record

    def digest(self, nik: str) -> str:
        return hmac.new(self.key, nik.encode("ascii"), hashlib.sha256).hexdigest()

    def lookup(self, nik: str) -> str | None:
        """The uuid of the server's record holding this NIK, or None."""
        return self.digests.get(self.digest(nik))

    def __contains__(self, nik: object) -> bool:
        return isinstance(nik, str) and nik.isascii() and self.lookup(nik) is not None


def make_batch(records: Iterable[dict], device_id: str, *, max_records: int = MAX_BATCH_RECORDS) -> dict:
    """A new batch: a fresh uuid4 ``batch_id`` (keep it: a resend must reuse it) and ``created_at`` now."""
    records = list(records)
    if len(records) > max_records:
        raise ValueError(f"a batch holds at most {max_records} records, got {len(records)}")
    return {"batch_id": str(uuid.uuid4()), "device_id": device_id,
            "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "records": records}


class SyncClient:
    def __init__(self, base_url: str, *, verify: bool | str = True, timeout: tuple[float, float] = (5, 30),
                 token: str | None = None, retries: int = 5, backoff: float = 0.5, deadline: float | None = None,
                 max_answer_bytes: int = MAX_ANSWER_BYTES):
        """``timeout`` is (connect, read between two packets); ``deadline`` caps the time to read one whole
        answer (default 10 x the read timeout), so a server that drips its answer cannot hold the laptop."""
        base = base_url.rstrip("/")
        self.base_url = base[: -len(API)] if base.endswith(API) else base
        self.timeout = timeout
        self.deadline = deadline if deadline is not None else 10 * timeout[1]
        self.max_answer_bytes = max_answer_bytes
        self.token = token
        self.retries = retries
        self.backoff = backoff
        self.clock_offset: dt.timedelta | None = None  # server clock minus laptop clock
        retry = Retry(total=retries, connect=retries, read=retries, status=retries, other=0,
                      backoff_factor=backoff, backoff_max=15, status_forcelist=(502, 503, 504),
                      allowed_methods=None,  # POST too: batches are idempotent by batch_id
                      raise_on_status=False, respect_retry_after_header=True)
        self.session = requests.Session()
        self.session.verify = verify
        self.session.headers["User-Agent"] = f"fieldapp/{__version__}"
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- calls ------------------------------------------------------------------------------------------------

    def health(self) -> dict:
        sent = dt.datetime.now(dt.timezone.utc)
        data = self._json(self._request("GET", "/health", auth=False))
        self._measure_offset(data.get("server_time"), sent)
        return data

    def login(self, username: str, password: str, device_id: str) -> dict:
        """Log in; the token is kept for the next calls. Returns ``{"token", "expires_at", "user",
        "transfer_key"}`` (the transfer key signs offline transfer files)."""
        data = self._json(self._request("POST", "/auth/token", auth=False, json={
            "username": username, "password": password, "device_id": device_id}))
        if not isinstance(data.get("token"), str):
            raise error("protocol")
        self.token = data["token"]
        return data

    def logout(self) -> None:
        """End this session on the server: the token stops working at once (``token_revoked``)."""
        if self.token:
            self._request("POST", "/auth/logout")
            self.token = None

    def post_batch(self, batch: dict, *, gzip: bool = True) -> dict:
        """Send one batch and return its receipt. An interrupted send is retried with the very same bytes
        (same ``batch_id``); calling again with the same batch is safe too."""
        # ASCII with \u escapes: a stray surrogate in one record stays that record's problem.
        body = json.dumps(batch, separators=(",", ":")).encode("ascii")
        headers = {"Content-Type": "application/json"}
        if gzip:
            body = gziplib.compress(body, compresslevel=5, mtime=0)
            headers["Content-Encoding"] = "gzip"
        sent = dt.datetime.now(dt.timezone.utc)
        receipt = self._json(self._request("POST", "/batches", data=body, headers=headers))
        receipt["results"] = answers.check_receipt(batch, receipt)
        self._measure_offset(receipt.get("server_time"), sent)
        return receipt

    def status_updates(self, since: str | None = None) -> tuple[list[dict], str]:
        """One page of server-side changes to this user's records after cursor ``since``, and the next cursor
        (pass it next time; an empty page means nothing new)."""
        data = self._json(self._request("GET", "/status-updates", params={"since": since} if since else None))
        return answers.check_status_page(data, since)

    def reference(self, etag: str | None = None) -> tuple[dict | None, str | None]:
        """Reference data and its ETag; ``(None, etag)`` when the copy tagged ``etag`` is still current."""
        resp = self._request("GET", "/reference", headers={"If-None-Match": etag} if etag else None)
        if resp.status_code == 304:
            return None, answers.check_etag(resp.headers.get("ETag")) or etag
        return answers.check_reference(self._json(resp)), answers.check_etag(resp.headers.get("ETag"))

    def record(self, uuid: str) -> dict:
        """The server's copy of one record (``{"uuid", "revision", "updated_at", "record"}``): the other side of a
        ``conflict``."""
        return answers.check_record_copy(uuid, self._json(self._request("GET", f"/records/{uuid}")))

    def enrolled(self, village_code: str) -> EnrolledDigests:
        data = self._json(self._request("GET", "/enrolled", params={"village_code": village_code}))
        return EnrolledDigests(village_code, *answers.check_enrolled(village_code, data))

    # -- plumbing ---------------------------------------------------------------------------------------------

    def _measure_offset(self, server_time: object, sent: dt.datetime) -> None:
        received = dt.datetime.now(dt.timezone.utc)
        try:
            server = dt.datetime.fromisoformat(server_time)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return
        if server.tzinfo is not None:
            self.clock_offset = server - (sent + (received - sent) / 2)

    def _request(self, method: str, path: str, *, auth: bool = True, headers: dict | None = None,
                 **kwargs) -> requests.Response:
        headers = dict(headers or {})
        if auth:
            if not self.token:
                raise SyncError("Silakan masuk ke server terlebih dahulu.", "Log in to the server first.",
                                code="auth")
            headers["Authorization"] = f"Bearer {self.token}"
        url = self.base_url + API + path
        for attempt in range(self.retries + 1):
            try:
                # ``verify`` per request: requests lets REQUESTS_CA_BUNDLE override the session's (psf/requests#3829)
                resp = self.session.request(method, url, headers=headers, timeout=self.timeout, stream=True,
                                            verify=self.session.verify, **kwargs)
                self._read_body(resp)
                break
            except (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError):
                # The answer was cut off mid-body: urllib3 does not retry that, so retry here, same bytes.
                if attempt == self.retries:
                    raise error("offline") from None
                time.sleep(min(self.backoff * 2**attempt, 15))
            except requests.exceptions.SSLError:
                raise error("tls") from None
            except requests.exceptions.ConnectTimeout:
                raise error("offline") from None
            except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError):
                raise error("timeout") from None
            except requests.exceptions.ConnectionError as exc:
                timed_out = "timed out" in str(exc).lower()  # a read timeout retried to exhaustion
                raise error("timeout" if timed_out else "offline") from None
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError):
                raise error("protocol") from None
        if resp.status_code < 400 or resp.status_code == 304:
            return resp
        raise self._problem(resp)

    def _read_body(self, resp: requests.Response) -> None:
        """Read the whole answer now, at most ``max_answer_bytes`` (after gzip) within ``deadline`` seconds."""
        deadline = time.monotonic() + self.deadline
        body = bytearray()
        try:
            while chunk := resp.raw.read1(64 * 1024, decode_content=True):
                body += chunk
                if len(body) > self.max_answer_bytes:
                    raise error("protocol", resp.status_code, "the answer is too large")
                if time.monotonic() > deadline:
                    raise error("timeout", resp.status_code, "the answer came too slowly")
        except BaseException:
            resp.close()
            raise
        resp._content, resp._content_consumed = bytes(body), True
        resp.raw.release_conn()

    @staticmethod
    def _problem(resp: requests.Response) -> SyncError:
        status = resp.status_code
        problem = {}
        if "json" in resp.headers.get("Content-Type", ""):
            try:
                problem = resp.json()
            except ValueError:
                problem = {}
        if not isinstance(problem, dict):
            problem = {}
        code = "auth" if status in (401, 403, 429) else "server_error" if status >= 500 else "protocol"
        detail_id, detail_en = problem.get("detail"), problem.get("detail_en")
        if isinstance(detail_id, str) and isinstance(detail_en, str):
            texts = (detail_id, detail_en)
        elif code == "server_error":
            texts = (f"Server sedang bermasalah (HTTP {status}); coba lagi nanti. Data tetap aman di laptop.",
                     f"The server has a problem (HTTP {status}); try again later. The data stays safe here.")
        else:
            texts = TRANSPORT["protocol"]
        problem_code = problem.get("code") if isinstance(problem.get("code"), str) else None
        return SyncError(*texts, code=code, status=status, problem_code=problem_code)

    @staticmethod
    def _json(resp: requests.Response) -> dict:
        media_type = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise error("protocol", resp.status_code, "the answer is not JSON")
        try:
            data = json.loads(resp.content)
        except (ValueError, RecursionError):
            raise error("protocol", resp.status_code, "the answer is not valid JSON") from None
        if not isinstance(data, dict):
            raise error("protocol", resp.status_code, "the answer is not a JSON object")
        return data
