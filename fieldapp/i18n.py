"""User-facing text in two languages, Indonesian first.

Every string a user reads is written once as a pair, ``tr("Simpan", "Save")``, so no string can be left without
its translation. The language is process-wide state set once by the composition root (``cli.py``/``ui/app.py``)
from the user's settings; core code only ever builds pairs.
"""

from __future__ import annotations

import os

LANGUAGES = ("id", "en")
_current = os.environ.get("FIELDAPP_LANG", "id") if os.environ.get("FIELDAPP_LANG") in LANGUAGES else "id"


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    _current = lang


def language() -> str:
    return _current


def tr(indonesian: str, english: str) -> str:
    """The text in the current language."""
    return english if _current == "en" else indonesian
