"""RFC 9457 problem details for every error: ``application/problem+json`` with a stable ``code``.

``detail`` is Indonesian (the users' language), ``detail_en`` English. Never an HTML page, never a trace.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from fieldapp.errors import UserFacingError

log = logging.getLogger("fieldapp.server")
MEDIA_TYPE = "application/problem+json"

TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
          405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type",
          422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error",
          503: "Service Unavailable"}
_HTTP_TEXT = {
    400: ("malformed_body", "Isi permintaan tidak dapat dibaca.", "The request body cannot be read."),
    404: ("not_found", "Alamat tidak ditemukan.", "Not found."),
    405: ("method_not_allowed", "Metode HTTP tidak diizinkan di alamat ini.", "Method not allowed here."),
}


class Problem(Exception):
    def __init__(self, status: int, code: str, indonesian: str, english: str, *, headers: dict | None = None,
                 extra: dict | None = None):
        super().__init__(english)
        self.status, self.code, self.indonesian, self.english = status, code, indonesian, english
        self.headers = headers or {}
        self.extra = extra or {}

    @classmethod
    def of(cls, status: int, error: UserFacingError, **kwargs) -> Problem:
        return cls(status, error.code, error.indonesian, error.english, **kwargs)


def problem_response(p: Problem) -> Response:
    body = {"type": f"urn:fieldapp:problem:{p.code}", "title": TITLES.get(p.status, "Error"), "status": p.status,
            "detail": p.indonesian, "detail_en": p.english, "code": p.code, **p.extra}
    return Response(json.dumps(body, ensure_ascii=False).encode(), status_code=p.status, media_type=MEDIA_TYPE,
                    headers=p.headers)


def _schema() -> dict:
    return {"type": "object", "required": ["type", "title", "status", "detail", "code"], "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "detail_en": {"type": "string"}, "code": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}}}}


def responses(*statuses: int) -> dict:
    """OpenAPI ``responses`` entries for the problems an operation can answer with."""
    return {s: {"description": TITLES.get(s, "Error"), "content": {MEDIA_TYPE: {"schema": _schema()}}}
            for s in (*statuses, 500)}


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_request: Request, exc: Problem):
        return problem_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        code, indonesian, english = _HTTP_TEXT.get(
            exc.status_code, (f"http_{exc.status_code}", "Permintaan tidak dapat diproses.", str(exc.detail)))
        return problem_response(Problem(exc.status_code, code, indonesian, english, headers=exc.headers))

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError):
        # Never echo the input back: it may hold a password or a NIK.
        errors = [{"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", "")),
                   "type": str(e.get("type", ""))} for e in exc.errors()]
        where = ", ".join(".".join(e["loc"]) for e in errors[:5])
        return problem_response(Problem(
            422, "validation_failed", f"Isi permintaan tidak sah ({where}).", f"The request is not valid ({where}).",
            extra={"errors": errors}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(Problem(500, "internal_error", "Terjadi kesalahan di server; coba lagi nanti.",
                                        "The server hit an error; try again later."))
