"""Server logging: every line passes through a formatter that masks anything shaped like a NIK."""

from __future__ import annotations

import logging
import re

_NIK_LIKE = re.compile(r"(?<![0-9])([0-9]{4})[0-9]{8}([0-9]{4})(?![0-9])")


def mask_niks(text: str) -> str:
    """'… 3216061207900003 …' → '… 3216********0003 …' (any run of exactly 16 digits)."""
    return _NIK_LIKE.sub(r"\1********\2", text)


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_niks(super().format(record))


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
