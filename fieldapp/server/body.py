"""Reading a request body with hard caps: the raw size, and the size after gzip, cut off while inflating."""

from __future__ import annotations

import zlib

from fastapi import Request

from fieldapp.server.problems import Problem, problem_response


def too_large(limit: int) -> Problem:
    mib = limit / (1024 * 1024)
    return Problem(413, "payload_too_large", f"Kiriman terlalu besar (maksimum {mib:g} MiB setelah diurai).",
                   f"The request is too large (at most {mib:g} MiB decompressed).")


def _bad_gzip() -> Problem:
    return Problem(400, "bad_gzip", "Kiriman gzip rusak atau terpotong.", "The gzip body is corrupt or truncated.")


async def read_body(request: Request, limit: int) -> bytes:
    encoding = (request.headers.get("content-encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip"):
        raise Problem(415, "unsupported_encoding", "Content-Encoding hanya boleh gzip.",
                      "The only Content-Encoding accepted is gzip.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
    out = bytearray()
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise too_large(limit)
        if inflater is None:
            out += chunk
            continue
        if inflater.eof:
            if chunk:
                raise _bad_gzip()
            continue
        try:
            out += inflater.decompress(chunk, limit + 1 - len(out))
        except zlib.error:
            raise _bad_gzip() from None
        if len(out) > limit or inflater.unconsumed_tail:  # a gzip bomb stops here, at limit + 1 bytes
            raise too_large(limit)
    if inflater is not None and (not inflater.eof or inflater.unused_data):
        raise _bad_gzip()
    return bytes(out)


class ContentLengthCap:
    """ASGI middleware: any request that declares a body larger than ``limit`` gets 413 before it is read."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                    await problem_response(too_large(self.limit))(scope, receive, send)
                    return
        await self.app(scope, receive, send)
