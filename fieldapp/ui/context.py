"""What every page gets: the workspace, the task runner, and one bus of app-wide events."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from fieldapp.services.workspace import Workspace
from fieldapp.ui.tasks import TaskRunner


class Bus(QObject):
    """App-wide events between pages; pages never call each other directly."""

    participants_changed = Signal()  # a participant was enrolled or edited
    visit_changed = Signal(object)  # the open Visit, or None
    edit_participant = Signal(int)  # open this participant id in the enrolment form
    navigate = Signal(str)  # show the page with this name
    settings_changed = Signal(str)  # the key that changed
    status = Signal(str)  # a short message for the status bar


@dataclass
class Context:
    ws: Workspace
    runner: TaskRunner
    bus: Bus
    visit: object = None  # the open Visit (fieldapp.domain.participant.Visit) or None, kept by the main window
    visit_path: str = ""  # "Lambangsari, Tambun Selatan, Kabupaten Bekasi, Jawa Barat" for the open visit
