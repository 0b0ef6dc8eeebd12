"""What the Laporan page shows: the sync log, coverage (per village, officer, day) and sync health per device.

Supervisors and admins only. Every function opens its own session and returns frozen dataclasses, so the page
can call them from the database thread and hand the results to Qt as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from fieldapp.db import reports as repo
from fieldapp.db.reports import (
    BATCH_STATES,
    RESULT_STATES,
    BatchRow,
    DayCoverage,
    OfficerCoverage,
    ReportFilter,
    ResultRow,
    VillageCoverage,
)
from fieldapp.domain.nik import mask_nik
from fieldapp.reports.contents import STATUS_LABELS, percent_text
from fieldapp.services import access
from fieldapp.services.workspace import Workspace

__all__ = [
    "BATCH_STATES",
    "RESULT_STATES",
    "STATUS_LABELS",
    "BatchRow",
    "Coverage",
    "DayCoverage",
    "DeviceHealth",
    "FilterChoices",
    "OfficerCoverage",
    "Overview",
    "ReportFilter",
    "ResultRow",
    "VillageCoverage",
    "percent_text",
]

REPORT_ROLES = access.REPORT.roles
VIEW_ACTION = access.REPORT.action
ALL = ReportFilter()



@dataclass(frozen=True, slots=True)
class Coverage:
    villages: tuple[VillageCoverage, ...]
    officers: tuple[OfficerCoverage, ...]
    days: tuple[DayCoverage, ...]

    @property
    def enrolled(self) -> int:
        return sum(v.enrolled for v in self.villages)

    @property
    def accepted(self) -> int:
        return sum(v.accepted for v in self.villages)

    @property
    def kpj(self) -> int:
        return sum(v.kpj for v in self.villages)

    @property
    def target(self) -> int:
        return sum(v.target for v in self.villages)


@dataclass(frozen=True, slots=True)
class DeviceHealth:
    device_id: int
    name: str
    this_device: bool
    last_sync: dt.datetime | None
    last_attempt: dt.datetime | None
    waiting: int
    oldest_waiting: dt.datetime | None
    failed_batches: int
    problems: int
    warning: bool  # not synced for longer than the ``sync_warning_hours`` setting
    hours_since_sync: float | None


@dataclass(frozen=True, slots=True)
class FilterChoices:
    officers: tuple[tuple[str, str], ...]  # (username, full name)
    devices: tuple[tuple[int, str], ...]  # (id, name)


@dataclass(frozen=True, slots=True)
class Overview:
    """Everything the page shows for one filter, read in one go on the database thread."""

    batches: tuple[BatchRow, ...]
    coverage: Coverage
    devices: tuple[DeviceHealth, ...]
    warning_hours: int


def may_view(ws: Workspace) -> bool:
    return ws.user.role in REPORT_ROLES


def _require(ws: Workspace) -> None:
    ws.require(*REPORT_ROLES, action=VIEW_ACTION)


def choices(ws: Workspace) -> FilterChoices:
    _require(ws)
    with ws.store.sessions() as session:
        return FilterChoices(tuple(repo.officers(session)), tuple(repo.devices(session)))


def sync_log(ws: Workspace, f: ReportFilter = ALL, limit: int | None = 1000) -> list[BatchRow]:
    _require(ws)
    with ws.store.sessions() as session:
        return repo.batches(session, f, limit)


def batch_results(ws: Workspace, batch_pk: int, status: str | None = None) -> list[ResultRow]:
    """Each record's result in one batch, NIKs masked (the screen is not an export)."""
    _require(ws)
    with ws.store.sessions() as session:
        rows = repo.batch_results(session, batch_pk, status)
    return [_masked(r) for r in rows]


def _masked(r: ResultRow) -> ResultRow:
    return replace(r, nik=mask_nik(r.nik)) if r.nik else r


def coverage(ws: Workspace, f: ReportFilter = ALL) -> Coverage:
    _require(ws)
    with ws.store.sessions() as session:
        return Coverage(tuple(repo.coverage_by_village(session, f)), tuple(repo.coverage_by_officer(session, f)),
                        tuple(repo.coverage_by_day(session, f)))


def warning_hours(ws: Workspace) -> int:
    try:
        return max(1, int(ws.setting("sync_warning_hours")))
    except ValueError:
        return 72


def device_health(ws: Workspace, now: dt.datetime | None = None) -> list[DeviceHealth]:
    """Per device: last sync, records waiting and since when, failures; ``warning`` when it is overdue.

    Overdue: the last receipted batch is older than ``sync_warning_hours``, or there never was one while
    records wait. A device with nothing to send and no sync yet is not warned about.
    """
    _require(ws)
    now = now or dt.datetime.now(dt.timezone.utc)
    limit = warning_hours(ws)
    with ws.store.sessions() as session:
        rows = repo.device_health(session)
    out = []
    for d in rows:
        hours = (now - d.last_sync).total_seconds() / 3600 if d.last_sync else None
        warn = hours > limit if hours is not None else d.waiting > 0
        out.append(DeviceHealth(d.device_id, d.name, d.this_device, d.last_sync, d.last_attempt, d.waiting,
                                d.oldest_waiting, d.failed_batches, d.problems, warn, hours))
    return out


def overview(ws: Workspace, f: ReportFilter = ALL, *, limit: int = 1000,
             now: dt.datetime | None = None) -> Overview:
    """The page's data for one filter; a batch status (failed, prepared) filters the log, not the coverage."""
    records = replace(f, status=None) if f.status in BATCH_STATES else f
    return Overview(tuple(sync_log(ws, f, limit)), coverage(ws, records), tuple(device_health(ws, now)),
                    warning_hours(ws))
