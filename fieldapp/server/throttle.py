"""Log-in rate limiting, per username and per client address, with the counters in the server database so that
every uvicorn worker (and every host behind a load balancer) sees the same counts.

Each attempt is counted as a failure *before* the password is checked, in one write transaction that locks the
counter rows (``BEGIN IMMEDIATE`` on SQLite, ``SELECT … FOR UPDATE`` on PostgreSQL): concurrent attempts can
never get more than the limit of password checks through. A successful log-in then takes its attempt back:
the username's counter is reset, the address's counter goes down by one. The window is fixed: it starts at
the first counted failure, and a blocked caller is told (``Retry-After``) when it ends.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from fieldapp.errors import UserFacingError
from fieldapp.server.db import as_utc, utcnow, write_transaction
from fieldapp.server.models import login_throttle as T


@dataclass(frozen=True, slots=True)
class Limits:
    window: dt.timedelta = dt.timedelta(minutes=5)
    per_user: int = 5  # failed log-ins for one username within the window
    per_address: int = 20  # from one client address (an office behind one NAT shares it)


class TooManyAttempts(UserFacingError):
    def __init__(self, retry_after: int):
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(f"Terlalu banyak percobaan masuk yang gagal; coba lagi dalam {minutes} menit.",
                         f"Too many failed log-ins; try again in {minutes} minutes.", code="too_many_attempts")
        self.retry_after = retry_after


def _keys(limits: Limits, username: str, address: str) -> list[tuple[str, str, int]]:
    return [("user", username.lower()[:128], limits.per_user), ("address", address[:128], limits.per_address)]


def _locked(conn: Connection, scope: str, key: str, now: dt.datetime):
    """The counter row, locked for this transaction; created (with no failures) when missing."""
    query = select(T.c.window_start, T.c.failures).where(T.c.scope == scope, T.c.key == key).with_for_update()
    row = conn.execute(query).first()
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(insert(T).values(scope=scope, key=key, window_start=now, failures=0))
        except IntegrityError:  # another worker created it meanwhile
            pass
        row = conn.execute(query).first()
    return row


def begin_attempt(engine: Engine, limits: Limits, username: str, address: str) -> None:
    """Count one attempt for the username and the address, or raise ``TooManyAttempts`` (counting nothing)."""
    now = utcnow()
    with write_transaction(engine) as conn:
        conn.execute(delete(T).where(T.c.window_start < now - limits.window))  # housekeeping: ended windows
        current = []
        for scope, key, limit in _keys(limits, username, address):
            row = _locked(conn, scope, key, now)
            start = as_utc(row.window_start)
            failures = row.failures
            if start + limits.window <= now:
                start, failures = now, 0
            current.append((scope, key, start, failures, limit))
        waits = [(start + limits.window - now).total_seconds() for *_, start, failures, limit in current
                 if failures >= limit]
        if waits:
            raise TooManyAttempts(max(1, math.ceil(max(waits))))
        for scope, key, start, failures, _limit in current:
            conn.execute(update(T).where(T.c.scope == scope, T.c.key == key)
                         .values(window_start=start, failures=failures + 1))


def succeeded(engine: Engine, limits: Limits, username: str, address: str) -> None:
    """A correct password: the username's counter starts again, and this attempt no longer counts for the
    address."""
    (_, user_key, _), (_, address_key, _) = _keys(limits, username, address)
    with write_transaction(engine) as conn:
        conn.execute(delete(T).where(T.c.scope == "user", T.c.key == user_key))
        conn.execute(update(T).where(T.c.scope == "address", T.c.key == address_key, T.c.failures > 0)
                     .values(failures=T.c.failures - 1))
