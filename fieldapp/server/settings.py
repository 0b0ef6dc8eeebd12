"""Server settings: built once by the CLI (or a test) and passed in; environment variables give defaults."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

ENV_DB = "FIELDAPP_SERVER_DB"
ENV_TOKEN_TTL = "FIELDAPP_SERVER_TOKEN_TTL_HOURS"
ENV_MAX_RECORDS = "FIELDAPP_SERVER_MAX_RECORDS"
ENV_MAX_BODY = "FIELDAPP_SERVER_MAX_BODY_BYTES"
ENV_LOGIN_WINDOW = "FIELDAPP_SERVER_LOGIN_WINDOW_SECONDS"
ENV_LOGIN_PER_USER = "FIELDAPP_SERVER_LOGIN_FAILURES_PER_USER"
ENV_LOGIN_PER_ADDRESS = "FIELDAPP_SERVER_LOGIN_FAILURES_PER_ADDRESS"


def default_db_url() -> str:
    """``FIELDAPP_SERVER_DB`` if set, else a SQLite file in the platform's data directory."""
    env = os.environ.get(ENV_DB)
    if env:
        return env
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("fieldapp-server", appauthor=False))
    return f"sqlite:///{folder / 'fieldapp-server.sqlite3'}"


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


@dataclass(frozen=True)
class Settings:
    db_url: str = field(default_factory=default_db_url)
    token_ttl: dt.timedelta = dt.timedelta(hours=12)
    max_records: int = 500  # records per batch
    max_body_bytes: int = 8 * 1024 * 1024  # decompressed request body
    status_page_size: int = 500
    login_window: dt.timedelta = dt.timedelta(minutes=5)
    login_failures_per_user: int = 5
    login_failures_per_address: int = 20

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        values = {
            "token_ttl": dt.timedelta(hours=_env_number(ENV_TOKEN_TTL, 12)),
            "max_records": int(_env_number(ENV_MAX_RECORDS, 500)),
            "max_body_bytes": int(_env_number(ENV_MAX_BODY, 8 * 1024 * 1024)),
            "login_window": dt.timedelta(seconds=_env_number(ENV_LOGIN_WINDOW, 300)),
            "login_failures_per_user": int(_env_number(ENV_LOGIN_PER_USER, 5)),
            "login_failures_per_address": int(_env_number(ENV_LOGIN_PER_ADDRESS, 20)),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The environment that makes ``from_env`` rebuild these settings (for uvicorn worker processes)."""
        return {
            ENV_DB: self.db_url,
            ENV_TOKEN_TTL: repr(self.token_ttl.total_seconds() / 3600),
            ENV_MAX_RECORDS: str(self.max_records),
            ENV_MAX_BODY: str(self.max_body_bytes),
            ENV_LOGIN_WINDOW: repr(self.login_window.total_seconds()),
            ENV_LOGIN_PER_USER: str(self.login_failures_per_user),
            ENV_LOGIN_PER_ADDRESS: str(self.login_failures_per_address),
        }
