"""Issuing papers from the Sertifikat page, off the UI thread, with a progress dialog and a cancel button.

    prepare (database thread: people, reprint check, serials)
    → draw the PDF, then ``before`` (worker thread: e.g. write the file beside its target)
    → record (database thread: the issue log and the audit entry, one transaction)
    → ``deliver`` (worker thread: move the file into place, or paint the pages onto a printer)

The store stays free while pages are drawn. A cancel or a failure before ``record`` leaves nothing recorded.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QProgressDialog, QWidget

from fieldapp.errors import UserFacingError
from fieldapp.i18n import tr
from fieldapp.services import certificates as cert
from fieldapp.services.certificates import IssuePlan, Selection
from fieldapp.ui.context import Context
from fieldapp.ui.pdf_pages import print_pdf
from fieldapp.ui.widgets import number

Progress = Callable[[int, int], None]
Step = Callable[[IssuePlan, bytes, Progress, threading.Event], object]
Done = Callable[[str | None, BaseException | None], None]


def _what(plan: IssuePlan) -> tuple[str, str]:
    label_id, label_en = cert.KIND_LABELS[plan.kind]
    return f"{number(plan.count)} {label_id}", f"{number(plan.count)} {label_en}"


def _unwritable(path: Path, exc: OSError) -> UserFacingError:
    return UserFacingError(
        f"Berkas tidak dapat ditulis: {path} ({exc.strerror or exc})",
        f"The file cannot be written: {path} ({exc.strerror or exc})",
        field="out",
    )


def save_steps(path: Path) -> tuple[Step, Step, Callable[[], None]]:
    """Write the PDF beside ``path`` before the issue is recorded, move it into place after: (before, deliver,
    cleanup)."""
    part = path.with_name(f".{path.name}.part")

    def before(plan: IssuePlan, pdf: bytes, _progress: Progress, _cancel: threading.Event) -> None:
        try:
            part.write_bytes(pdf)
        except OSError as exc:
            raise _unwritable(path, exc) from exc

    def deliver(plan: IssuePlan, _pdf: bytes, _progress: Progress, _cancel: threading.Event) -> str:
        try:
            os.replace(part, path)
        except OSError as exc:
            raise _unwritable(path, exc) from exc
        what_id, what_en = _what(plan)
        return tr(f"{what_id} tersimpan: {path}", f"{what_en} saved: {path}")

    return before, deliver, lambda: part.unlink(missing_ok=True)


def print_step(printer: QPrinter) -> Step:
    def deliver(plan: IssuePlan, pdf: bytes, progress: Progress, cancel: threading.Event) -> str:
        pages = plan.count if plan.kind == "certificate" else -(-plan.count // 10)
        print_pdf(printer, pdf, pages, progress, cancel)
        what_id, what_en = _what(plan)
        return tr(f"{what_id} dikirim ke printer.", f"{what_en} sent to the printer.")

    return deliver


class IssueJob(QObject):
    """One print run. ``done(text, None)`` on success, ``done(None, error)`` otherwise (on the UI thread)."""

    progressed = Signal(int, int)

    def __init__(
        self,
        owner: QWidget,
        ctx: Context,
        deliver: Step,
        done: Done,
        *,
        before: Step | None = None,
        cleanup: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(owner)
        self.owner, self.ctx, self.deliver, self.before = owner, ctx, deliver, before
        self.done, self.cleanup = done, cleanup
        self.cancel = threading.Event()
        self.dialog = QProgressDialog(tr("Menyiapkan…", "Preparing…"), tr("Batal", "Cancel"), 0, 100, owner)
        self.dialog.setObjectName("certificate_progress")
        self.dialog.setWindowTitle(tr("Mencetak", "Printing"))
        self.dialog.setMinimumDuration(400)
        self.dialog.canceled.connect(self.cancel.set)
        self.progressed.connect(lambda n, total: self.dialog.setValue(int(100 * n / max(total, 1))))

    def start(self, selection: Selection, kind: str, reason: str | None) -> None:
        ws = self.ctx.ws
        self.ctx.runner.run_db(
            lambda: cert.prepare(ws, selection, kind, reason=reason), self._prepared, self._failed, owner=self.owner
        )

    def _prepared(self, plan: IssuePlan) -> None:
        what_id, what_en = _what(plan)
        self.dialog.setLabelText(tr(f"Menggambar {what_id}…", f"Drawing {what_en}…"))

        def draw() -> bytes:
            pdf = cert.render(plan, progress=self.progressed.emit, cancel=self.cancel)
            if self.before is not None:
                self.before(plan, pdf, self.progressed.emit, self.cancel)
            return pdf

        self.ctx.runner.run_network(draw, lambda pdf: self._drawn(plan, pdf), self._failed, owner=self.owner)

    def _drawn(self, plan: IssuePlan, pdf: bytes) -> None:
        ws = self.ctx.ws
        self.ctx.runner.run_db(
            lambda: cert.record(ws, plan), lambda _none: self._recorded(plan, pdf), self._failed, owner=self.owner
        )

    def _recorded(self, plan: IssuePlan, pdf: bytes) -> None:
        self.dialog.setLabelText(tr("Menyelesaikan…", "Finishing…"))
        self.ctx.runner.run_network(
            lambda: self.deliver(plan, pdf, self.progressed.emit, self.cancel),
            lambda text: self._finish(str(text), None),
            self._failed,
            owner=self.owner,
        )

    def _failed(self, exc: BaseException) -> None:
        self._finish(None, exc)

    def _finish(self, text: str | None, exc: BaseException | None) -> None:
        self.dialog.reset()
        if self.cleanup is not None:
            self.cleanup()
        self.done(text, exc)
        self.deleteLater()
