"""The enrolment form's fields: three columns in the order the officer reads a KTP, Tab follows that order.

Each input's objectName is its field name (and it has an accessible name); the line under it shows the live
check's message. The form knows nothing of saving: ``enrolment()`` builds the record, ``show_findings`` shows
what the checks found.
"""

from __future__ import annotations

import datetime as dt
import itertools

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from fieldapp.domain.contributions import FUNDING_LABELS, FUNDING_SOURCES, default_rates
from fieldapp.domain.eligibility import age_on
from fieldapp.domain.enrolment import CONSENT_METHODS, HEIR_RELATIONSHIPS, Enrolment
from fieldapp.domain.nik import normalize_nik
from fieldapp.domain.occupations import OCCUPATIONS
from fieldapp.domain.occupations import get as occupation
from fieldapp.i18n import tr
from fieldapp.services import reference
from fieldapp.services.visits import PACKAGES
from fieldapp.ui.context import Context
from fieldapp.ui.pages.enrolment_text import CONSENT_LABELS, consent_text, parse_date
from fieldapp.ui.village import VillageEdit
from fieldapp.ui.widgets import FieldMessage, combo, date_text, label, mark, rupiah, select_data

STACK_FROM_PT = 12
PERSON_FIELDS = (
    "nik", "full_name", "birth_place", "birth_date", "sex", "guardian_name", "street", "rt", "rw", "phone",
    "occupation", "income_band", "heir_name", "heir_relationship", "heir_phone", "consent", "consent_method",
)  # fmt: skip


class EnrolmentForm(QWidget):
    changed = Signal()  # any input changed: the page re-runs the live checks

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("enrolment_form")
        self.setAccessibleName(tr("Formulir pendaftaran", "Enrolment form"))
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, FieldMessage] = {}
        self.labels: dict[str, QLabel] = {}
        self.touched: set[str] = set()
        self.auto_filled: set[str] = set()  # birth_date / sex taken from the NIK, not typed
        self.consent_at: dt.datetime | None = None
        self.sector, self.start_month = "other", dt.date.today().replace(day=1)
        self._filling = False
        self.stacked = self.font().pointSize() >= STACK_FROM_PT  # large text: captions above the inputs
        self._build()
        self._load_bands()

    # -- building ------------------------------------------------------------------------------------------
    def _build(self) -> None:
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        identity = self._column(row, tr("Identitas (sesuai KTP)", "Identity (as on the KTP)"))
        self._line(identity, "nik", tr("NIK", "NIK"), tr("16 digit dari KTP", "16 digits from the KTP"), 24)
        self._line(identity, "full_name", tr("Nama lengkap", "Full name"), "", 128)
        self._line(identity, "birth_place", tr("Tempat lahir", "Place of birth"), "", 64)
        self._line(identity, "birth_date", tr("Tanggal lahir", "Date of birth"), tr("hh-bb-tttt", "dd-mm-yyyy"), 10)
        sexes = [("", tr("— pilih —", "— choose —")), ("L", tr("L – Laki-laki", "L – Male"))]
        sexes.append(("P", tr("P – Perempuan", "P – Female")))
        self._combo(identity, "sex", tr("Jenis kelamin", "Sex"), sexes)
        self._line(identity, "guardian_name", tr("Orang tua/wali", "Parent/guardian"), "", 128)
        self._set_row_visible("guardian_name", False)
        self._stretch(identity)

        address = self._column(row, tr("Alamat && pekerjaan", "Address && work"))
        self._line(address, "street", tr("Jalan/kampung", "Street"), tr("contoh: Kp. Pulo No. 12", "e.g. Kp. Pulo 12"))
        self._line(address, "rt", tr("RT", "RT"), "003", 3)
        self._line(address, "rw", tr("RW", "RW"), "005", 3)
        self._add(address, "village", tr("Desa/kelurahan", "Village"), VillageEdit(self.ctx))
        self.inputs["village"].shown_parts = 2  # village, kecamatan; the rest shows under the field
        self.inputs["village"].chosen.connect(self._emit)
        self._line(address, "phone", tr("No. HP", "Mobile"), "0812-3456-7890", 24)
        jobs = [("", tr("— pilih —", "— choose —"))] + [(o.code, o.label) for o in OCCUPATIONS]
        self._combo(address, "occupation", tr("Pekerjaan", "Occupation"), jobs)
        bands = [(b, rupiah(b)) for b in default_rates().income_bands]  # until the store's tables are read
        self._combo(address, "income_band", tr("Penghasilan/bulan", "Income/month"), bands)
        self._stretch(address)

        programme = self._column(row, tr("Program && ahli waris", "Programmes && heir"))
        self._combo(programme, "programs", tr("Program", "Programmes"), [(k, tr(*v)) for k, v in PACKAGES.items()])
        funding = [(k, tr(*FUNDING_LABELS[k])) for k in FUNDING_SOURCES]
        self._combo(programme, "funding_source", tr("Sumber dana", "Funding"), funding)
        select_data(self.inputs["funding_source"], "apbd")  # the usual payer until a visit says otherwise
        self.contribution = label("", "ok", wrap=True)
        self.contribution.setObjectName("contribution")
        self.contribution.setTextFormat(Qt.TextFormat.RichText)
        self._add(programme, "contribution", tr("Iuran/bulan", "Contribution"), self.contribution, message=False)
        self._line(programme, "heir_name", tr("Ahli waris", "Heir"), tr("nama ahli waris", "heir's name"), 128)
        relations = [("", tr("— pilih —", "— choose —"))] + [(k, tr(*v)) for k, v in HEIR_RELATIONSHIPS.items()]
        self._combo(programme, "heir_relationship", tr("Hubungan", "Relationship"), relations)
        self._line(programme, "heir_phone", tr("HP ahli waris", "Heir's mobile"), "", 24)
        self._consent(programme)
        self._stretch(programme)

        order = [self.inputs[n] for n in (*PERSON_FIELDS[:6], "street", "rt", "rw", "village", "phone")]
        order += [self.inputs[n] for n in ("occupation", "income_band", "programs", "funding_source", "heir_name")]
        order += [self.inputs[n] for n in ("heir_relationship", "heir_phone", "consent", "consent_method")]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self.tab_chain = order

    def _column(self, row: QHBoxLayout, title: str) -> QGridLayout:
        box = QGroupBox(title)
        grid = QGridLayout(box)
        grid.setContentsMargins(10, 8, 10, 8)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        row.addWidget(box, 1)
        return grid

    def _stretch(self, grid: QGridLayout) -> None:
        grid.setRowStretch(grid.rowCount(), 1)

    def _add(self, grid: QGridLayout, name: str, text: str, widget: QWidget, *, message: bool = True) -> None:
        """Caption left of the input (or above it, with large text), the message line under the input."""
        r = grid.rowCount()
        caption = QLabel(text)
        caption.setBuddy(widget)
        self.labels[name] = caption
        if self.stacked:
            grid.addWidget(caption, r, 0, 1, 2)
            r += 1
            grid.addWidget(widget, r, 0, 1, 2)
        else:
            grid.addWidget(caption, r, 0, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(widget, r, 1)
        if not widget.accessibleName():
            widget.setAccessibleName(text)
        self.inputs[name] = widget
        if message:
            msg = FieldMessage(name)
            grid.addWidget(msg, r + 1, 0 if self.stacked else 1, 1, 2 if self.stacked else 1)
            self.messages[name] = msg
        grid.setRowMinimumHeight(r + 1, 6)

    def _line(self, grid: QGridLayout, name: str, text: str, placeholder: str = "", max_len: int = 255) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(max_len)
        edit.textEdited.connect(lambda _t, n=name: self._edited(n))
        edit.editingFinished.connect(lambda n=name: self._left(n))
        self._add(grid, name, text, edit)
        return edit

    def _combo(self, grid: QGridLayout, name: str, text: str, items: list) -> QComboBox:
        box = combo(items, name, text)
        box.currentIndexChanged.connect(lambda _i, n=name: self._edited(n, touch=True))
        self._add(grid, name, text, box)
        return box

    def _consent(self, grid: QGridLayout) -> None:
        r = grid.rowCount()
        text = label(consent_text(), "muted", wrap=True)
        text.setObjectName("consent_text")
        grid.addWidget(text, r, 0, 1, 2)
        box = QCheckBox(tr("Peserta paham dan setuju", "The participant understands and agrees"))
        box.setObjectName("consent")
        box.setAccessibleName(tr("Persetujuan peserta", "Participant's consent"))
        box.toggled.connect(self._consent_toggled)
        grid.addWidget(box, r + 1, 0, 1, 2)
        self.inputs["consent"] = box
        self.messages["consent"] = FieldMessage("consent")
        grid.addWidget(self.messages["consent"], r + 2, 0, 1, 2)
        methods = [(k, tr(*CONSENT_LABELS[k])) for k in CONSENT_METHODS]
        self._combo(grid, "consent_method", tr("Cara", "Method"), methods)

    def _set_row_visible(self, name: str, visible: bool) -> None:
        for w in (self.labels[name], self.inputs[name]):
            w.setVisible(visible)
        if not visible:
            self.messages[name].clear_message()

    # -- income bands: those of the rate table in use for the start month -------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._load_bands()  # a sync or a reference file may have brought a newer rate table meanwhile:
        self._emit()  # its bands offered, the contribution computed again

    def _load_bands(self) -> None:
        """Read the bands of the store's rate table for the start month on the database thread, then offer them."""
        ws, month = self.ctx.ws, self.start_month
        self.ctx.runner.run_db(lambda: reference.rate_book(ws).for_month(month).income_bands, self._show_bands,
                               key="enrol-bands", owner=self)

    def _offered(self) -> tuple[int, ...]:
        box = self.inputs["income_band"]
        return tuple(box.itemData(i) for i in range(box.count()))

    def _show_bands(self, bands: tuple[int, ...], keep: int | None = None) -> None:
        """Offer ``bands``. The band the officer chose, or ``keep`` (a stored record's), stays even when the table
        lacks it: the check then says so; a choice never changes silently."""
        box = self.inputs["income_band"]
        chosen = keep or box.currentData()
        if keep or "income_band" in self.touched:
            bands = tuple(sorted({*bands, chosen}))
        filling, self._filling = self._filling, True
        try:
            if self._offered() != tuple(bands):
                box.clear()
                for band in bands:
                    box.addItem(rupiah(band), band)
            select_data(box, chosen)
        finally:
            self._filling = filling
        if box.currentData() != chosen:
            self._emit()

    # -- events --------------------------------------------------------------------------------------------
    def _emit(self, *_args) -> None:
        if not self._filling:
            self.changed.emit()

    def _edited(self, name: str, *, touch: bool = False) -> None:
        if self._filling:
            return
        if name in ("birth_date", "sex"):
            self.auto_filled.discard(name)
        if touch:
            self.touched.add(name)
        if name == "nik" and len(normalize_nik(self.text("nik"))) >= 16:
            self.touched.add("nik")
        if name == "birth_date":
            if parse_date(self.text("birth_date")) is not None:
                self.touched.add("birth_date")  # a whole date: say at once when it differs from the NIK
            self._update_guardian()
        self.changed.emit()

    def _left(self, name: str) -> None:
        if self._filling:
            return
        if name in ("phone", "heir_phone"):
            self._tidy_phone(name)
        elif name == "nik" and normalize_nik(self.text("nik")) != self.text("nik"):
            self.inputs["nik"].setText(normalize_nik(self.text("nik")))  # spaces, dots, dashes out; letters stay
        if self.text(name) or name in self.touched:
            self.touched.add(name)
            self.changed.emit()

    def _tidy_phone(self, name: str) -> None:
        from fieldapp.domain.phone import normalize_phone
        from fieldapp.errors import UserFacingError

        try:
            national = normalize_phone(self.text(name)).national if self.text(name).strip() else ""
        except UserFacingError:
            return
        if national and national != self.text(name):
            self.inputs[name].setText(national)

    def _consent_toggled(self, on: bool) -> None:
        self.consent_at = dt.datetime.now().astimezone() if on else None
        self.touched.add("consent")
        self._emit()

    def _update_guardian(self) -> None:
        born = parse_date(self.text("birth_date"))
        minor = born is not None and age_on(born, dt.date.today()) < 18
        self._set_row_visible("guardian_name", minor or bool(self.text("guardian_name")))

    # -- values --------------------------------------------------------------------------------------------
    def text(self, name: str) -> str:
        return self.inputs[name].text()

    def value(self, name: str):
        return self.inputs[name].currentData()

    def effective_sector(self) -> str:
        """The occupation's sector (ojek = transport: PP 50/2025 window), else the visit's sector."""
        job = occupation(self.value("occupation") or "")
        return job.sector if job is not None and job.code != "lainnya" else self.sector

    def enrolment(self) -> Enrolment:
        return Enrolment(
            nik=normalize_nik(self.text("nik")),
            full_name=self.text("full_name").strip(),
            birth_place=self.text("birth_place").strip(),
            birth_date=parse_date(self.text("birth_date")),
            sex=self.value("sex") or "",
            street=self.text("street").strip(),
            rt=self.text("rt").strip(),
            rw=self.text("rw").strip(),
            village_code=self.inputs["village"].code,
            phone=self.text("phone").strip(),
            occupation=self.value("occupation") or "",
            income_band=self.value("income_band"),
            programs=tuple(self.value("programs").split(",")),
            funding_source=self.value("funding_source"),
            sector=self.effective_sector(),
            start_month=self.start_month,
            heir_name=self.text("heir_name").strip(),
            heir_relationship=self.value("heir_relationship") or "",
            heir_phone=self.text("heir_phone").strip(),
            consent_given_at=self.consent_at,
            consent_method=self.value("consent_method"),
            guardian_name=self.text("guardian_name").strip(),
        )

    def fill(self, e: Enrolment, village_text: str) -> None:
        """Show a stored enrolment (editing): every field, consent as recorded."""
        self._filling = True
        try:
            for name in ("nik", "full_name", "birth_place", "street", "rt", "rw", "heir_name", "guardian_name"):
                self.inputs[name].setText(getattr(e, name))
            self.inputs["birth_date"].setText(date_text(e.birth_date))
            self._show_bands(self._offered(), keep=e.income_band)
            for name in ("phone", "heir_phone"):
                self.inputs[name].setText(getattr(e, name))
                self._tidy_phone(name)
            for name in ("sex", "occupation", "income_band", "funding_source", "heir_relationship", "consent_method"):
                select_data(self.inputs[name], getattr(e, name))
            select_data(self.inputs["programs"], ",".join(e.programs))
            self.inputs["village"].set_village(e.village_code, village_text)
            self.sector, self.start_month = e.sector, e.start_month
            self.inputs["consent"].setChecked(e.consent_given_at is not None)
            self.consent_at = e.consent_given_at
        finally:
            self._filling = False
        self.auto_filled.clear()
        self.touched = set(self.inputs)
        self._load_bands()
        self._update_guardian()
        self.changed.emit()

    def set_visit_values(self, visit, village_path: str = "") -> None:
        """The visit's fields: village, programmes, funding, sector, start month (kept between people)."""
        self._filling = True
        try:
            if visit is not None:
                self.inputs["village"].set_village(visit.village_code, village_path or visit.village_name)
                select_data(self.inputs["programs"], ",".join(visit.programs))
                select_data(self.inputs["funding_source"], visit.funding_source)
                self.sector, self.start_month = visit.sector, visit.start_month
        finally:
            self._filling = False
        self._load_bands()
        self.changed.emit()

    def clear_person(self) -> None:
        """Empty the person's fields, keep the visit's, put the cursor in NIK."""
        self._filling = True
        try:
            for name in PERSON_FIELDS:
                w = self.inputs[name]
                if isinstance(w, QLineEdit):
                    w.clear()
                elif isinstance(w, QComboBox):
                    w.setCurrentIndex(0)
                elif isinstance(w, QCheckBox):
                    w.setChecked(False)
            self.consent_at = None
        finally:
            self._filling = False
        self.touched.clear()
        self.auto_filled.clear()
        self._set_row_visible("guardian_name", False)
        for name, msg in self.messages.items():
            msg.clear_message()
            mark(self.inputs[name], "")
        self.inputs["nik"].setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def snapshot(self) -> dict:
        """Everything typed so far (kept across a language switch)."""
        values = {n: w.text() for n, w in self.inputs.items() if isinstance(w, QLineEdit)}
        values.update({n: w.currentData() for n, w in self.inputs.items() if isinstance(w, QComboBox)})
        village = self.inputs["village"]
        values.update(village=(village.code, village.toolTip()), consent_at=self.consent_at)
        values.update(sector=self.sector, start_month=self.start_month, touched=set(self.touched))
        return values

    def restore(self, values: dict) -> None:
        self._filling = True
        try:
            if values.get("income_band"):
                self._show_bands(self._offered(), keep=values["income_band"])
            for name, value in values.items():
                w = self.inputs.get(name)
                if isinstance(w, VillageEdit):
                    w.set_village(*value) if value[0] else w.clear()
                elif isinstance(w, QLineEdit):
                    w.setText(value)
                elif isinstance(w, QComboBox):
                    select_data(w, value)
            self.consent_at = values["consent_at"]
            self.inputs["consent"].setChecked(self.consent_at is not None)
            self.sector, self.start_month, self.touched = values["sector"], values["start_month"], values["touched"]
        finally:
            self._filling = False
        self._load_bands()
        self._update_guardian()
        self.changed.emit()

    # -- findings ------------------------------------------------------------------------------------------
    def apply_nik_info(self, info) -> None:
        """Fill sex and birth date from a valid NIK, unless the officer typed them."""
        if info is None or info.nik != normalize_nik(self.text("nik")):
            return
        self._filling = True
        try:
            if not self.text("birth_date") or "birth_date" in self.auto_filled:
                self.inputs["birth_date"].setText(date_text(info.birth_date))
                self.auto_filled.add("birth_date")
            if not self.value("sex") or "sex" in self.auto_filled:
                select_data(self.inputs["sex"], info.sex)
                self.auto_filled.add("sex")
        finally:
            self._filling = False
        self._update_guardian()

    def show_findings(self, errors: dict, warnings: dict, infos: dict, *, all_fields: bool = False) -> None:
        """Errors red, warnings amber, info grey/green, beside each field; only fields already touched."""
        if all_fields:
            self.touched |= set(self.inputs)
        if "guardian_name" in errors:
            self._set_row_visible("guardian_name", True)
        for name, msg in self.messages.items():
            shown = name in self.touched or name in self.auto_filled
            if name in errors and shown:
                msg.show_message("error", tr(*errors[name]))
                mark(self.inputs[name], "error")
            elif name in warnings and shown:
                msg.show_message("warning", tr(*warnings[name]))
                mark(self.inputs[name], "warning")
            else:
                kind, text = infos.get(name, ("", ""))
                shown = shown or name == "village"  # where the chosen village lies: always useful
                msg.show_message(kind if shown else "", text if shown else "")
                mark(self.inputs[name], "")

    def first_error_field(self, errors: dict) -> QWidget | None:
        for w in self.tab_chain:
            if w.objectName() in errors and w.isVisible():
                return w
        return None
