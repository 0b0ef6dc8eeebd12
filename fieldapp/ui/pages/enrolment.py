"""The enrolment page: the form, live checks as the officer types, "Simpan & berikutnya" (Ctrl+S / Ctrl+Enter).

Checks and saves run on the database thread. "Tersimpan" appears only after the service returned, i.e. once
the record is committed to disk. A NIK already enrolled opens the duplicate dialog; an edit stores a new
revision and sends the record back to "pending".
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from fieldapp.domain.eligibility import age_on
from fieldapp.errors import DuplicateNik, UserFacingError, ValidationError
from fieldapp.i18n import tr
from fieldapp.services import enrolment, integrity, regions
from fieldapp.ui.context import Context
from fieldapp.ui.errors import error_text
from fieldapp.ui.pages.duplicate import DuplicateDialog
from fieldapp.ui.pages.enrolment_form import EnrolmentForm
from fieldapp.ui.pages.enrolment_text import contribution_text, duplicate_warning
from fieldapp.ui.widgets import FieldMessage, date_text, heading, label, month_text

SAVE_KEYS = ("Ctrl+S", "Ctrl+Return", "Ctrl+Enter")


class EnrolmentPage(QWidget):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.editing = None  # the Participant being edited, or None for a new enrolment
        self.saving = False
        self.dialog: DuplicateDialog | None = None
        self.last_saved = None  # the Participant the last save returned (tests, status)
        self._focus_before: QWidget | None = None
        self.may_enrol = ctx.ws.user.role in enrolment.ENROLLING_ROLES
        self.refusal: str | None = None  # why saving is refused for now (a damaged store), shown on the page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 10)
        layout.setSpacing(8)
        top = QHBoxLayout()
        self.title = heading(tr("Pendaftaran peserta", "Enrol a participant"))
        top.addWidget(self.title)
        top.addStretch(1)
        layout.addLayout(top)
        self.banner, self.banner_text, self.banner_button = self._banner()
        layout.addWidget(self.banner)

        self.form = EnrolmentForm(ctx)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        layout.addWidget(scroll, 1)

        bar = QHBoxLayout()
        self.status = FieldMessage("save_status", keep_space=True)
        self.status.setObjectName("save_status")
        bar.addWidget(self.status, 1)
        self.cancel_edit = QPushButton(tr("Batal ubah", "Cancel edit"))
        self.cancel_edit.setObjectName("cancel_edit")
        self.cancel_edit.clicked.connect(self.new_enrolment)
        self.cancel_edit.setVisible(False)
        bar.addWidget(self.cancel_edit)
        self.save_button = QPushButton()
        self.save_button.setObjectName("save_next")
        self.save_button.setProperty("role", "primary")
        self.save_button.setAccessibleName(tr("Simpan & berikutnya", "Save & next"))
        self.save_button.clicked.connect(self.save)
        bar.addWidget(self.save_button)
        layout.addLayout(bar)
        QWidget.setTabOrder(self.form.tab_chain[-1], self.save_button)

        for keys in SAVE_KEYS:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save)
        self._timer = QTimer(self, singleShot=True, interval=60)
        self._timer.timeout.connect(self._check)
        self.form.changed.connect(self._timer.start)
        ctx.bus.visit_changed.connect(self._visit_changed)
        ctx.bus.edit_participant.connect(self.open_participant)
        self._update_mode()
        self._visit_changed(ctx.visit)

    def _banner(self):
        frame = QFrame()
        frame.setProperty("role", "banner-info")
        row = QHBoxLayout(frame)
        row.setContentsMargins(10, 6, 10, 6)
        text = label("", wrap=True)
        text.setObjectName("visit_banner")
        row.addWidget(text, 1)
        button = QPushButton(tr("Kunjungan…", "Visit…"))
        button.setObjectName("goto_visit")
        button.clicked.connect(lambda: self.ctx.bus.navigate.emit("visit"))
        row.addWidget(button)
        return frame, text, button

    # -- mode ------------------------------------------------------------------------------------------------
    def _update_mode(self) -> None:
        if self.editing is not None:
            p = self.editing
            self.title.setText(tr("Ubah data peserta", "Edit participant"))
            self.banner_text.setText(
                tr(
                    f"Mengubah {p.data.full_name} · No. {p.local_number} · revisi {p.revision}. "
                    "Setelah disimpan, data dikirim ulang pada sinkronisasi berikutnya.",
                    f"Editing {p.data.full_name} · No. {p.local_number} · revision {p.revision}. "
                    "Once saved, the record is sent again at the next sync.",
                )
            )
            self.save_button.setText(tr("Simpan perubahan  (Ctrl+S)", "Save changes  (Ctrl+S)"))
        else:
            self.title.setText(tr("Pendaftaran peserta", "Enrol a participant"))
            self.banner_text.setText(self._visit_text())
            self.save_button.setText(tr("Simpan && berikutnya  (Ctrl+S)", "Save && next  (Ctrl+S)"))
        self.cancel_edit.setVisible(self.editing is not None)
        self.banner_button.setVisible(self.editing is None)
        if self.refusal is not None:
            self.save_button.setEnabled(False)
            self.status.show_message("error", self.refusal)
        elif not self.may_enrol:
            self.save_button.setEnabled(False)
            self.status.show_message(
                "warning",
                tr(
                    f"Peran Anda ({self.ctx.ws.user.role}) hanya dapat melihat data; pendaftaran oleh petugas.",
                    f"Your role ({self.ctx.ws.user.role}) can only view records; officers enrol.",
                ),
            )

    def _visit_text(self) -> str:
        v = self.ctx.visit
        if v is None:
            return tr(
                "Belum ada kunjungan terbuka. Buka kunjungan agar desa, program dan sumber dana terisi otomatis.",
                "No open visit. Open a visit so that village, programmes and funding are filled in for you.",
            )
        return tr(
            f"Kunjungan: {v.village_name} · {date_text(v.visit_date)} · iuran mulai {month_text(v.start_month)}",
            f"Visit: {v.village_name} · {date_text(v.visit_date)} · contributions from {month_text(v.start_month)}",
        )

    def _visit_changed(self, visit) -> None:
        if self.editing is None:
            self.form.set_visit_values(visit, self.ctx.visit_path)
            self._update_mode()

    def new_enrolment(self) -> None:
        self.editing = None
        self.form.clear_person()
        self.form.set_visit_values(self.ctx.visit, self.ctx.visit_path)
        self._update_mode()

    def open_participant(self, participant_id: int) -> None:
        ws = self.ctx.ws

        def load():
            p = enrolment.get(ws, participant_id)
            return p, regions.name_of(ws, p.data.village_code)

        self.ctx.runner.run_db(load, self._loaded, owner=self)

    def _loaded(self, result) -> None:
        p, path = result
        self.editing = p
        self.form.fill(p.data, path)
        self.status.clear_message()
        self._update_mode()
        self.ctx.bus.navigate.emit("enrol")
        self.form.inputs["full_name"].setFocus(Qt.FocusReason.OtherFocusReason)

    # -- live checks -----------------------------------------------------------------------------------------
    def _check(self) -> None:
        e = self.form.enrolment()
        ws, exclude = self.ctx.ws, (self.editing.id if self.editing else None)

        def work():
            findings = enrolment.check(ws, e)
            dup = None
            if findings.nik_info is not None:
                dup = enrolment.find_duplicate(ws, findings.nik_info.nik, exclude_id=exclude)
            return e, findings, dup

        self.ctx.runner.run_db(work, self._checked, key="enrol-check", owner=self)

    def _checked(self, result) -> None:
        e, findings, dup = result
        if e != self.form.enrolment():
            return  # typed on meanwhile: a newer check is on its way
        self.form.apply_nik_info(findings.nik_info)
        if self.form.enrolment() != e:
            self._check()  # the NIK filled sex / birth date: check again with them
            return
        warnings, infos = dict(findings.warnings), {}
        if dup is not None:
            warnings["nik"] = duplicate_warning(dup)
        elif findings.nik_info is not None and "nik" not in warnings:
            info = findings.nik_info
            sex = tr("laki-laki", "male") if info.sex == "L" else tr("perempuan", "female")
            infos["nik"] = (
                "ok",
                tr(f"✓ {sex}, lahir {date_text(info.birth_date)}", f"✓ {sex}, born {date_text(info.birth_date)}"),
            )
        if e.birth_date and "birth_date" not in findings.errors:
            age = age_on(e.birth_date, dt.date.today())
            infos["birth_date"] = ("muted", tr(f"Umur {age} tahun", f"Age {age}"))
        village = self.form.inputs["village"]
        if village.code and "village" not in findings.errors:
            infos["village"] = ("muted", ", ".join(village.toolTip().split(", ")[2:]))
        self.form.contribution.setText(contribution_text(findings.contribution, e.sector, e.start_month))
        self.form.show_findings(findings.errors, warnings, infos)

    # -- saving ----------------------------------------------------------------------------------------------
    def refuse_saves(self, text: str) -> None:
        """No more saves from this form (the store is damaged): the inputs keep what was typed, read-only."""
        self.refusal = text
        self.form.setEnabled(False)
        self._update_mode()

    def save(self) -> None:
        if self.saving or not self.may_enrol or self.refusal is not None:
            return
        e = self.form.enrolment()
        ws, editing = self.ctx.ws, self.editing
        visit_id = self.ctx.visit.id if self.ctx.visit is not None else None
        if editing is not None:

            def work():
                return enrolment.edit(ws, editing.id, e, expected_revision=editing.revision)
        else:

            def work():
                return enrolment.enrol(ws, e, visit_id=visit_id)

        self._set_saving(True)
        self.status.show_message("muted", tr("Menyimpan…", "Saving…"))
        self.ctx.runner.run_db(work, self._saved, self._save_failed, owner=self)

    def _set_saving(self, saving: bool) -> None:
        """While a save is on its way the form takes no typing: the next person never mixes with this one."""
        if saving:
            self._focus_before = QApplication.focusWidget()
        self.saving = saving
        self.save_button.setEnabled(not saving and self.may_enrol and self.refusal is None)
        self.form.setEnabled(not saving and self.refusal is None)
        if not saving and self._focus_before is not None and self.form.isAncestorOf(self._focus_before):
            self._focus_before.setFocus(Qt.FocusReason.OtherFocusReason)

    def _saved(self, p) -> None:
        self._set_saving(False)
        self.last_saved = p
        at = dt.datetime.now().strftime("%H:%M:%S")
        if self.editing is not None:
            text = tr(
                f"Perubahan tersimpan: {p.data.full_name} · revisi {p.revision} · {at}",
                f"Changes saved: {p.data.full_name} · revision {p.revision} · {at}",
            )
        else:
            text = tr(
                f"Tersimpan: {p.data.full_name} · No. {p.local_number} · {at}",
                f"Saved: {p.data.full_name} · No. {p.local_number} · {at}",
            )
        self.new_enrolment()
        self.status.show_message("ok", "✓ " + text)
        self.ctx.bus.participants_changed.emit()
        self.ctx.bus.status.emit(text)

    def _save_failed(self, exc: BaseException) -> None:
        self._set_saving(False)
        if isinstance(exc, DuplicateNik):
            self.status.show_message(
                "error", tr("Belum tersimpan: NIK sudah terdaftar.", "Not saved: NIK already enrolled.")
            )
            self.dialog = DuplicateDialog(exc.existing, self)
            self.dialog.open_existing.connect(self.open_participant)
            self.dialog.rejected.connect(lambda: self.form.inputs["nik"].setFocus(Qt.FocusReason.OtherFocusReason))
            self.dialog.open()
        elif isinstance(exc, ValidationError):
            self.form.show_findings(exc.problems, {}, {}, all_fields=True)
            elsewhere = [tr(*m) for f, m in exc.problems.items() if f not in self.form.messages]
            text = tr(
                f"Belum tersimpan: perbaiki {len(exc.problems)} isian bertanda merah.",
                f"Not saved: fix the {len(exc.problems)} fields marked red.",
            )
            self.status.show_message("error", " ".join([text, *elsewhere]))
            first = self.form.first_error_field(exc.problems)
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
        elif integrity.is_disk_full(exc):  # the engine's "disk_full" error, or SQLite's own if untranslated
            self.status.show_message("error", error_text(exc) + " " + kept_text())
            self.ctx.runner.on_error(exc)  # a full disk also gets a message box: it needs action now
        elif isinstance(exc, UserFacingError):
            self.status.show_message("error", tr("Belum tersimpan: ", "Not saved: ") + exc.text())
        else:
            self.status.show_message("error", tr("Belum tersimpan.", "Not saved.") + " " + kept_text())
            self.ctx.runner.on_error(exc)


def kept_text() -> str:
    return tr("Isian di formulir tetap ada.", "What you typed is still in the form.")
