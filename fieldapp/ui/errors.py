"""What a failed operation says to the person: one place that turns an exception into a message.

A ``UserFacingError`` speaks for itself. A full disk and a damaged store are recognised even when they arrive as
the driver's raw error (``fieldapp.services.integrity``), so the officer always reads what to do.
"""

from __future__ import annotations

from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.services import integrity


def disk_full_text() -> str:
    return tr(
        "Penyimpanan laptop penuh: data ini BELUM tersimpan. Kosongkan ruang disk (hapus berkas yang tidak perlu, "
        "kosongkan Recycle Bin), lalu simpan lagi. Data yang sudah tersimpan aman.",
        "The laptop's disk is full: this record was NOT saved. Free some disk space (delete files you do not "
        "need, empty the Recycle Bin), then save again. Records saved before are safe.",
    )


def damaged_text() -> str:
    return tr(
        "Penyimpanan data rusak. Jangan lanjutkan pendaftaran; minta supervisor memulihkan cadangan.",
        "The data store is damaged. Do not go on enrolling; ask a supervisor to restore a backup.",
    )


def error_text(exc: BaseException) -> str | None:
    """The message for ``exc``, or None when it is an unexpected error (a bug: the caller logs it)."""
    if integrity.is_disk_full(exc):
        return exc.text() if isinstance(exc, UserFacingError) else disk_full_text()
    if isinstance(exc, UserFacingError):
        return exc.text()
    if integrity.is_damage(exc):
        return damaged_text()
    return None
