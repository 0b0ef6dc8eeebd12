"""Work-arounds for bugs in the Qt bindings, applied once by the composition root.

PySide6 6.12.0 on CPython 3.11 returns ``None`` (and some ``True``/``False``) from wrapped calls without
taking a reference: every call to a void method such as ``QLineEdit.setText`` lowers ``None``'s reference
count by one, and after a few thousand calls the interpreter aborts with "none_dealloc: deallocating None".
PySide6 6.11.3 does not do this, and from Python 3.12 on these singletons are immortal so the bug is harmless.
Until the dependency is pinned away from the broken release, the singletons are made immortal here the way
Python 3.12 does it: a reference count so large that no leak of this kind can bring it to zero.
"""

from __future__ import annotations

import ctypes
import sys

import PySide6

_IMMORTAL = 1 << 40
_done = False


def affected() -> bool:
    version = tuple(int(p) for p in PySide6.__version__.split(".")[:2])
    return sys.version_info < (3, 12) and version >= (6, 12)


def protect_singletons() -> None:
    """Give None, True and False an immortal reference count (CPython < 3.12 with PySide6 >= 6.12 only)."""
    global _done
    if _done or not affected() or sys.implementation.name != "cpython":
        return
    for obj in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt: the first field of every PyObject
        refcount.value += _IMMORTAL
    _done = True
