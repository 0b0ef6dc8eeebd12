"""Log lines never carry a NIK: every handler of the laptop app and of the server formats through this."""

from __future__ import annotations

import logging
import re

# Any run of 16 or more digits: a NIK, or a NIK with digits stuck to it (which would still hold the NIK). ``\d``
# is Unicode-aware, so full-width digits (as typed on some keyboards) are masked too.
_NIK_LIKE = re.compile(r"(?<!\d)(\d{4})(\d{8,})(\d{4})(?!\d)")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def mask_niks(text: str) -> str:
    """'… 3216061207900003 …' → '… 3216********0003 …' (every run of 16 or more digits keeps only its ends)."""
    return _NIK_LIKE.sub(lambda m: m[1] + "*" * len(m[2]) + m[3], text)


class MaskingFormatter(logging.Formatter):
    def __init__(self, fmt: str = FORMAT) -> None:
        super().__init__(fmt)

    def format(self, record: logging.LogRecord) -> str:
        return mask_niks(super().format(record))
