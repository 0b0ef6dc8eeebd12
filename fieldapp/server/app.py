"""The FastAPI application: the sync protocol v1 under ``/api/v1`` (DESIGN.md "Sync protocol")."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from fieldapp import __version__
from fieldapp.server import accounts, batches, bpjs, intake, problems, records, reference, throttle
from fieldapp.server.accounts import User
from fieldapp.server.body import ContentLengthCap, read_body
from fieldapp.server.db import init_schema, make_engine, utcnow
from fieldapp.server.problems import Problem
from fieldapp.server.schemas import (
    BATCH_SCHEMA,
    Enrolled,
    Health,
    Receipt,
    Reference,
    StatusUpdates,
    StoredRecord,
    TokenOut,
    TokenRequest,
)
from fieldapp.server.settings import Settings

log = logging.getLogger("fieldapp.server")
PREFIX = "/api/v1"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
SENDERS = ("officer", "supervisor", "admin")  # who may upload enrolments
ENROLLERS = SENDERS  # who may fetch the enrolled-NIK digests (with their key: a NIK list, in effect)


_bearer = HTTPBearer(auto_error=False)


def current_user(request: Request,
                 creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> User:
    challenge = {"WWW-Authenticate": "Bearer"}
    if creds is None:
        raise Problem(401, "auth_required", "Silakan masuk terlebih dahulu.", "Log in first.", headers=challenge)
    try:
        user, _device = accounts.user_for_token(request.app.state.engine, creds.credentials)
    except accounts.TokenRejected as exc:
        raise Problem.of(401, exc, headers=challenge) from None
    return user


Caller = Annotated[User, Depends(current_user)]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def require(user: User, roles: tuple[str, ...], indonesian: str, english: str) -> None:
    if user.role not in roles:
        raise Problem(403, "forbidden", f"Peran Anda tidak boleh {indonesian}.", f"Your role may not {english}.")


def client_address(request: Request) -> str:
    """The caller's address; behind a reverse proxy on 127.0.0.1, uvicorn takes it from X-Forwarded-For."""
    return request.client.host if request.client else "unknown"


def create_app(settings: Settings | None = None, *, engine=None) -> FastAPI:
    settings = settings or Settings.from_env()
    engine = engine or make_engine(settings.db_url)
    init_schema(engine)
    app = FastAPI(title="fieldapp server", version=__version__, openapi_url=f"{PREFIX}/openapi.json",
                  docs_url=f"{PREFIX}/docs", redoc_url=None,
                  swagger_ui_oauth2_redirect_url=None)  # no OAuth2 flow: no page for it
    app.state.engine, app.state.settings = engine, settings
    problems.install(app)
    app.add_middleware(ContentLengthCap, limit=settings.max_body_bytes)

    @app.get(f"{PREFIX}/health", response_model=Health, responses=problems.responses())
    def health():
        return {"status": "ok", "server_time": utcnow().isoformat(timespec="milliseconds"), "version": __version__}

    limits = throttle.Limits(settings.login_window, settings.login_failures_per_user,
                             settings.login_failures_per_address)

    @app.post(f"{PREFIX}/auth/token", response_model=TokenOut, responses=problems.responses(400, 401, 422, 429))
    def token(body: TokenRequest, request: Request):
        address = client_address(request)
        try:
            throttle.begin_attempt(engine, limits, body.username, address)
        except throttle.TooManyAttempts as exc:
            log.warning("login refused for %r from %s: too many failures", body.username, address)
            raise Problem.of(429, exc, headers={"Retry-After": str(exc.retry_after)}) from None
        user = accounts.authenticate(engine, body.username, body.password)
        if user is None:
            log.info("failed login for %r from %s, device %r", body.username, address, body.device_id)
            raise Problem(401, "auth_failed", "Nama pengguna atau kata sandi salah.", "Wrong username or password.")
        throttle.succeeded(engine, limits, body.username, address)
        issued = accounts.issue_token(engine, user, body.device_id, settings.token_ttl)
        return {"token": issued.token, "expires_at": issued.expires_at.isoformat(timespec="seconds"),
                "user": {"username": user.username, "role": user.role},
                "transfer_key": {"key_id": user.transfer_key_id, "key": user.transfer_key.hex()}}

    @app.post(f"{PREFIX}/auth/logout", status_code=204, response_class=Response,
              responses={204: {"description": "Logged out: the token no longer works"}, **problems.responses(401)})
    def logout(user: Caller, creds: Bearer):
        accounts.revoke_token(engine, creds.credentials)
        log.info("logout of %s", user.username)
        return Response(status_code=204)

    @app.get(f"{PREFIX}/reference", responses={200: {"model": Reference}, 304: {"description": "Not Modified"},
                                               **problems.responses(401)})
    def get_reference(_user: Caller, if_none_match: Annotated[str | None, Header()] = None):
        body, etag = reference.reference_body(engine)
        if reference.etag_matches(if_none_match, etag):
            return Response(status_code=304, headers={"ETag": etag})
        return Response(body, media_type="application/json", headers={"ETag": etag})

    @app.post(f"{PREFIX}/batches", responses={200: {"model": Receipt}, **problems.responses(
        400, 401, 403, 409, 413, 415, 422)}, openapi_extra={"requestBody": {
            "required": True, "content": {"application/json": {"schema": BATCH_SCHEMA}}}})
    async def post_batch(request: Request, user: Caller):
        require(user, SENDERS, "mengirim data pendaftaran", "upload enrolments")
        raw = await read_body(request, settings.max_body_bytes)
        receipt = await run_in_threadpool(_receive, raw, user)
        return Response(receipt, media_type="application/json")

    def _receive(raw: bytes, user: User) -> bytes:
        batch = parse_batch(raw, settings.max_records)
        try:
            stored = batches.store_batch(engine, user, batch)
        except batches.BatchIdReused as exc:
            raise Problem.of(409, exc) from None
        return stored.body()

    @app.get(f"{PREFIX}/status-updates", response_model=StatusUpdates, responses=problems.responses(401, 422))
    def get_status_updates(user: Caller,
                           since: Annotated[str | None, Query(max_length=18, pattern=r"^[0-9]*$")] = None):
        start = int(since) if since else 0
        items, cursor, more = bpjs.updates_for(engine, user.id, start, settings.status_page_size)
        return {"items": items, "next": str(cursor), "more": more}

    @app.get(f"{PREFIX}/records/{{uuid}}", response_model=StoredRecord, responses=problems.responses(401, 404, 422))
    def get_record(user: Caller, uuid: Annotated[str, PathParam(pattern=UUID_PATTERN)]):
        return records.record_for(engine, user, uuid)

    @app.get(f"{PREFIX}/enrolled", response_model=Enrolled, responses=problems.responses(401, 403, 422))
    def get_enrolled(user: Caller, village_code: Annotated[str, Query(pattern=r"^[0-9]{10}$")]):
        require(user, ENROLLERS, "mengambil daftar NIK terdaftar", "fetch the enrolled-NIK digests")
        return bpjs.enrolled_in(engine, village_code)

    return app


def server_today() -> dt.date:
    """The date the rules use: Indonesia's latest calendar day (WIT, UTC+9), so a laptop's "today" is never
    in the server's future, whatever time zone the server machine runs in."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=9))).date()


def parse_batch(raw: bytes, max_records: int, today: dt.date | None = None) -> intake.BatchInput:
    """Bytes → checked batch, or a ``Problem`` (400 malformed JSON, 413 too many records, 422 bad envelope)."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise Problem(400, "malformed_json", "Isi kiriman bukan JSON yang sah.",
                      "The body is not valid JSON.") from None
    try:
        return intake.prepare(body, max_records=max_records, today=today or server_today())
    except intake.TooManyRecords as exc:
        raise Problem.of(413, exc) from None
    except intake.BadBatch as exc:
        raise Problem.of(422, exc) from None


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` worker processes: settings come from the environment."""
    from fieldapp.server import logs

    logs.configure()  # a spawned worker starts with no logging set up
    return create_app(Settings.from_env())
