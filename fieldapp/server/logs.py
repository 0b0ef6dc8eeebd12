"""Server logging: every line passes through a formatter that masks anything shaped like a NIK."""

from __future__ import annotations

import logging
import os

from fieldapp.logmask import MaskingFormatter, mask_niks

__all__ = ["ENV_LEVEL", "configure", "mask_niks"]

ENV_LEVEL = "FIELDAPP_SERVER_LOG_LEVEL"  # hands ``serve --log-level`` to spawned worker processes
def configure(level: int | str | None = None) -> None:
    level = level or os.environ.get(ENV_LEVEL) or logging.INFO
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
