"""Integrity of the open store: SQLite's quick check, telling a damaged store or a full disk from other
errors, and keeping the app from writing to a store found damaged.

Everything goes through the store's own engine (never ``sqlite3`` directly): the engine factory is the one place
a database file is opened, keyed and configured (SQLCipher).
"""

from __future__ import annotations

import errno
from collections.abc import Iterator

from sqlalchemy import event

from fieldapp.db.engine import Store
from fieldapp.errors import UserFacingError

MAX_PROBLEM_CHARS = 400  # a badly damaged file lists thousands of pages; the first lines say enough
SQLITE_FULL = 13
DAMAGE_MARKERS = ("malformed", "not a database", "corrupt", "btreeinitpage")


def quick_check(store: Store) -> str:
    """``PRAGMA quick_check`` on the store: "ok", or the problems found (shortened).

    Read-only; on a 1,000,000-participant store it takes seconds, so callers run it off the UI thread.
    A store too damaged to be read at all gives the error's text instead of raising.
    """
    try:
        with store.engine.connect() as conn:
            rows = [str(r) for r in conn.exec_driver_sql("PRAGMA quick_check").scalars()]
    except Exception as exc:  # the engine's StoreError("store_damaged") or the driver's DatabaseError
        if not is_damage(exc):
            raise
        return _shorten(str(getattr(exc, "orig", None) or exc))
    if rows == ["ok"]:
        return "ok"
    return _shorten("\n".join(rows).replace("*** in database main ***", "").strip())


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_PROBLEM_CHARS else text[: MAX_PROBLEM_CHARS - 1] + "…"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.extend((e.__cause__, e.__context__, getattr(e, "orig", None)))


def is_damage(exc: BaseException) -> bool:
    """True when ``exc`` says the store file itself is damaged or not a database (not: locked, busy, full)."""
    for e in _chain(exc):
        if isinstance(e, UserFacingError) and e.code == "store_damaged":
            return True
        # sqlite3's, sqlcipher3's and SQLAlchemy's DatabaseError share the name, not a class
        named = any(c.__name__ == "DatabaseError" for c in type(e).__mro__)
        if named and any(marker in str(e).lower() for marker in DAMAGE_MARKERS):
            return True
    return False


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc`` comes from a full disk: the engine's ``disk_full`` error, SQLite's SQLITE_FULL
    ("database or disk is full") or the operating system's ENOSPC, however deep in the chain."""
    for e in _chain(exc):
        if isinstance(e, UserFacingError) and e.code == "disk_full":
            return True
        if isinstance(e, OSError) and e.errno == errno.ENOSPC:
            return True
        if getattr(e, "sqlite_errorcode", None) == SQLITE_FULL or "database or disk is full" in str(e).lower():
            return True
    return False


def refuse_writes(store: Store) -> None:
    """From now on every connection of this store is read-only (``PRAGMA query_only``): a store found damaged
    is not written to any further, whatever part of the app tries. Pooled connections are replaced."""

    def read_only(dbapi_conn, _record) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA query_only = ON")
        cur.close()

    event.listen(store.engine, "connect", read_only)
    store.engine.dispose()
