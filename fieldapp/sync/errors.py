"""``SyncError``: every way a sync call can fail, as one typed, user-facing error with a failure class."""

from __future__ import annotations

from fieldapp.errors import UserFacingError


class SyncError(UserFacingError):
    """A sync call failed. ``code`` is the failure class (``offline``, ``timeout``, ``tls``, ``auth``,
    ``server_error``, ``protocol``); ``status`` the HTTP status, if an answer came; ``problem_code`` the server's
    own code, when it sent a problem document; ``reason`` our own words for what was wrong with an answer."""

    def __init__(self, indonesian: str, english: str, *, code: str, status: int | None = None,
                 problem_code: str | None = None, reason: str = ""):
        super().__init__(indonesian, english, code=code)
        self.status = status
        self.problem_code = problem_code
        self.reason = reason


TRANSPORT = {
    "offline": ("Server tidak dapat dihubungi. Periksa koneksi internet lalu coba lagi; data tetap aman di laptop.",
                "Cannot reach the server. Check the internet connection and try again; the data stays safe on "
                "this laptop."),
    "timeout": ("Server terlalu lama menjawab. Coba lagi nanti; mengirim ulang selalu aman.",
                "The server took too long to answer. Try again later; sending again is always safe."),
    "tls": ("Sertifikat server tidak dipercaya; hubungi admin. Data tidak dikirim.",
            "The server's certificate is not trusted; call the administrator. Nothing was sent."),
    "protocol": ("Jawaban server tidak dapat dipahami; perbarui aplikasi atau hubungi admin.",
                 "The server's answer cannot be understood; update the software or call the administrator."),
}


def error(code: str, status: int | None = None, reason: str = "") -> SyncError:
    """A transport or protocol failure; ``reason`` (technical, fixed words of ours, never a value from the
    answer) is added to the English text, so the sync log ("Indonesian / English") says what was wrong."""
    indonesian, english = TRANSPORT[code]
    if reason:
        english = f"{english} ({reason})"
    return SyncError(indonesian, english, code=code, status=status, reason=reason)
