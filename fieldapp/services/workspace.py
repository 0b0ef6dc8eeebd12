"""The logged-in context every service works in: the open store, the user, this device, the settings.

Built by the composition roots (``cli.py``, ``ui/app.py``) and passed in: no global state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, true

from fieldapp.db import models as m
from fieldapp.db import settings as settings_repo
from fieldapp.db.engine import Store
from fieldapp.domain.eligibility import AgeLimits
from fieldapp.domain.participant import UserInfo
from fieldapp.errors import PermissionDenied
from fieldapp.services.accounts import log_in


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    id: int
    uuid: str
    code: str
    name: str


DEFAULTS = {
    "language": "id",
    "server_url": "",
    "age_min": "15",
    "age_max": "60",
    "dana_desa_counts_as_apbd": "1",
    "font_size": "10",
    "sync_warning_hours": "72",
    "idle_lock_minutes": "10",
}


@dataclass
class Workspace:
    store: Store
    user: UserInfo
    device: DeviceInfo
    cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)  # services' per-workspace data

    @classmethod
    def open(cls, data_dir: Path, username: str, password: str) -> Workspace:
        store, user = log_in(Path(data_dir), username, password)
        try:
            return cls.for_user(store, user)
        except BaseException:
            store.close()
            raise

    @classmethod
    def for_user(cls, store: Store, user: UserInfo) -> Workspace:
        with store.sessions() as session:
            d = session.scalar(select(m.Device).where(m.Device.is_this_device == true()))
            device = DeviceInfo(d.id, d.device_uuid, d.code, d.name)
        return cls(store, user, device)

    @property
    def data_dir(self) -> Path:
        return self.store.data_dir

    def setting(self, key: str) -> str:
        with self.store.sessions() as session:
            return settings_repo.get(session, key, DEFAULTS.get(key, "")) or ""

    def set_setting(self, key: str, value: str) -> None:
        with self.store.sessions.begin() as session:
            settings_repo.put(session, key, value)

    def age_limits(self) -> AgeLimits:
        return AgeLimits(int(self.setting("age_min")), int(self.setting("age_max")))

    def require(self, *roles: str, action: tuple[str, str]) -> None:
        """Refuse ``action`` (Indonesian, English) unless the user has one of ``roles``."""
        if self.user.role not in roles:
            raise PermissionDenied(*action)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
