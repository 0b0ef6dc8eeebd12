"""Typed errors whose message is safe to show to a user, in Indonesian and English.

Core code raises these; only ``ui/`` and ``cli.py`` decide how they look.
"""

from __future__ import annotations

from fieldapp.i18n import language


class UserFacingError(Exception):
    """An error a person can act on. ``field`` names the input at fault, when there is one."""

    def __init__(self, indonesian: str, english: str, *, field: str | None = None, code: str = "error"):
        super().__init__(indonesian)
        self.indonesian = indonesian
        self.english = english
        self.field = field
        self.code = code

    def text(self, lang: str | None = None) -> str:
        return self.english if (lang or language()) == "en" else self.indonesian

    def __str__(self) -> str:
        return self.text()


class ValidationError(UserFacingError):
    """One or more fields of a record are wrong; ``problems`` maps field name to a message pair."""

    def __init__(self, problems: dict[str, tuple[str, str]]):
        self.problems = dict(problems)
        id_text = "; ".join(f"{f}: {p[0]}" for f, p in self.problems.items())
        en_text = "; ".join(f"{f}: {p[1]}" for f, p in self.problems.items())
        super().__init__(id_text, en_text, field=next(iter(self.problems), None), code="invalid")


class NotFound(UserFacingError):
    pass


class PermissionDenied(UserFacingError):
    def __init__(self, action_id: str, action_en: str):
        super().__init__(
            f"Anda tidak berhak {action_id}.", f"You are not allowed to {action_en}.", code="forbidden"
        )


class AuthenticationFailed(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "Nama pengguna atau kata sandi salah.", "Wrong username or password.", code="auth_failed"
        )


class DuplicateNik(UserFacingError):
    """A NIK already has an active enrolment; ``existing`` is the participant already stored."""

    def __init__(self, existing: object):
        super().__init__(
            "NIK ini sudah terdaftar.", "This NIK is already enrolled.", field="nik", code="duplicate_nik"
        )
        self.existing = existing
