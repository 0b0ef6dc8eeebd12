"""Server logging: every line passes through a formatter that masks anything shaped like a NIK."""

from __future__ import annotations

import logging
import os
import re

ENV_LEVEL = "FIELDAPP_SERVER_LOG_LEVEL"  # hands ``serve --log-level`` to spawned worker processes
# Any run of 16 or more digits: a NIK, or a NIK with digits stuck to it (which would still hold the NIK). ``\d``
# is Unicode-aware, so full-width digits (as typed on some keyboards) are masked too.
_NIK_LIKE = re.compile(r"(?<!\d)(\d{4})(\d{8,})(\d{4})(?!\d)")


def mask_niks(text: str) -> str:
    """'… 3216061207900003 …' → '… 3216********0003 …' (every run of 16 or more digits keeps only its ends)."""
    return _NIK_LIKE.sub(lambda m: m[1] + "*" * len(m[2]) + m[3], text)


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_niks(super().format(record))


def configure(level: int | str | None = None) -> None:
    level = level or os.environ.get(ENV_LEVEL) or logging.INFO
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
