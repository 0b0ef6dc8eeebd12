"""Shared fixtures: a real (encrypted) SQLite store per test, copied from one built once per run by the real code."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything loads Qt

import pytest

from fieldapp import i18n
from fieldapp.db import engine
from fieldapp.services import accounts
from fieldapp.services.workspace import Workspace

PASSWORD = "rahasia123"
USERS = {"sup": "supervisor", "petugas": "officer", "kerani": "clerk", "admin": "admin"}


@pytest.fixture(scope="session")
def template_store(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("template")
    store = accounts.init_store(data_dir, "sup", PASSWORD, full_name="Supervisor Uji")
    for name, role in USERS.items():
        if name != "sup":
            accounts.create_user(store, "sup", name, PASSWORD, role, full_name=f"{name.title()} Uji", area_code="3216")
    store.close()
    return data_dir


@pytest.fixture
def data_dir(template_store, tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(template_store, target)  # the encrypted store and its key file (and the key file's copy)
    return target


def raw_connect(data_dir: Path, path: Path | None = None):
    """A plain DB-API connection to the store (or to ``path``, e.g. a backup), keyed like the app's: for tests
    that tamper with a file below the services."""
    return engine.connect(path or engine.store_path(data_dir), accounts.unlock(data_dir, "sup", PASSWORD))


def open_as(data_dir: Path, username: str) -> Workspace:
    return Workspace.open(data_dir, username, PASSWORD)


@pytest.fixture
def officer(data_dir):
    ws = open_as(data_dir, "petugas")
    yield ws
    ws.close()


@pytest.fixture
def supervisor(data_dir):
    ws = open_as(data_dir, "sup")
    yield ws
    ws.close()


@pytest.fixture(autouse=True)
def _indonesian():
    i18n.set_language("id")
    yield
    i18n.set_language("id")
