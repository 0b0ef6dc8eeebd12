"""Settings (Pengaturan): language and font size apply at once; server address; device and data folder shown;
the idle lock's minutes and the backups (supervisor and admin); the accounts (own password for everyone)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fieldapp.i18n import tr
from fieldapp.ui import style
from fieldapp.ui.context import Context
from fieldapp.ui.lock import SETTING as IDLE_SETTING
from fieldapp.ui.lock import minutes_from
from fieldapp.ui.pages.backups import MANAGERS, BackupsCard
from fieldapp.ui.pages.users import UsersCard
from fieldapp.ui.widgets import FieldMessage, card, heading, label, role_name

RULE_EDITORS = ("supervisor", "admin")  # who may change the rules (age limits, sync warning, Dana Desa)


class SettingsPage(QWidget):
    restored = Signal(object, object)  # a backup replaced the store: (backup restored, copy of the replaced store)

    def __init__(self, ctx: Context, values: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.values = values  # shared with the main window: the settings as last saved
        ws = ctx.ws
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(heading(tr("Pengaturan", "Settings")))
        content = QWidget()
        row = QHBoxLayout(content) if self.font().pointSize() < 12 else QVBoxLayout(content)  # large text: one column
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QWidget()
        column = QVBoxLayout(outer)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(12)
        column.addWidget(content)
        scroll.setWidget(outer)
        layout.addWidget(scroll, 1)
        left = QVBoxLayout()
        left.setSpacing(12)
        row.addLayout(left, 1)

        frame, box = card(tr("Tampilan", "Display"))
        form = self._form(box)
        self.language = QComboBox()
        self.language.setObjectName("setting_language")
        self.language.setAccessibleName(tr("Bahasa", "Language"))
        self.language.addItem("Bahasa Indonesia", "id")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(0, self.language.findData(values.get("language", "id"))))
        self.language.setMaximumWidth(280)
        self.language.currentIndexChanged.connect(lambda _i: self._save("language", self.language.currentData()))
        form.addRow(tr("Bahasa", "Language"), self.language)
        form.addRow("", label(tr("Berlaku langsung.", "Applies at once."), "muted"))
        self.font_size = QSpinBox()
        self.font_size.setObjectName("setting_font_size")
        self.font_size.setAccessibleName(tr("Ukuran huruf", "Font size"))
        self.font_size.setRange(style.MIN_FONT, style.MAX_FONT)
        self.font_size.setSuffix(" pt")
        self.font_size.setMaximumWidth(120)
        self.font_size.setValue(int(values.get("font_size") or style.DEFAULT_FONT))
        self.font_size.editingFinished.connect(lambda: self._save("font_size", str(self.font_size.value())))
        form.addRow(tr("Ukuran huruf", "Font size"), self.font_size)
        form.addRow(
            "",
            label(
                tr(
                    "Huruf lebih besar untuk mata yang lelah; berlaku langsung.",
                    "Larger text for tired eyes; applies at once.",
                ),
                "muted",
                wrap=True,
            ),
        )
        left.addWidget(frame)

        frame, box = card(tr("Server & perangkat", "Server & device"))
        form = self._form(box)
        self.server = QLineEdit(values.get("server_url", ""))
        self.server.setObjectName("setting_server_url")
        self.server.setAccessibleName(tr("Alamat server", "Server address"))
        self.server.setPlaceholderText("https://server.dinas.go.id")
        self.server.editingFinished.connect(self._save_server)
        form.addRow(tr("Alamat server", "Server address"), self.server)
        self.server_message = FieldMessage("setting_server_url")
        form.addRow("", self.server_message)
        device = label(f"{ws.device.name}  ({ws.device.code})", selectable=True)
        device.setObjectName("setting_device")
        form.addRow(tr("Nama perangkat", "Device name"), device)
        form.addRow(
            "",
            label(
                tr(
                    "Nama dan kode perangkat dicatat saat penyimpanan data dibuat; kode ada di setiap "
                    "nomor pendaftaran.",
                    "The device name and code were recorded when the data store was made; the code is part of "
                    "every record number.",
                ),
                "muted",
                wrap=True,
            ),
        )
        folder = label(str(ws.data_dir), selectable=True, wrap=True)
        folder.setObjectName("setting_data_dir")
        form.addRow(tr("Folder data", "Data folder"), folder)
        user = ws.user
        form.addRow(
            tr("Masuk sebagai", "Logged in as"), label(f"{user.full_name} ({user.username}, {role_name(user.role)})")
        )
        left.addWidget(frame, 1)

        frame, box = card(tr("Aturan pendaftaran", "Enrolment rules"))
        form = self._form(box)
        editable = user.role in RULE_EDITORS
        self.warn_hours = self._spin("setting_sync_warning_hours", values, "sync_warning_hours", 1, 24 * 30, editable)
        form.addRow(tr("Peringatan sinkron (jam)", "Sync warning (hours)"), self.warn_hours)
        self.age_min = self._spin("setting_age_min", values, "age_min", 0, 99, editable)
        form.addRow(tr("Usia minimal", "Minimum age"), self.age_min)
        self.age_max = self._spin("setting_age_max", values, "age_max", 1, 120, editable)
        form.addRow(tr("Usia maksimal", "Maximum age"), self.age_max)
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setObjectName("setting_idle_lock_minutes")
        self.idle_minutes.setAccessibleName(tr("Kunci layar setelah (menit)", "Lock the screen after (minutes)"))
        self.idle_minutes.setRange(0, 240)
        self.idle_minutes.setSpecialValueText(tr("tidak pernah", "never"))
        self.idle_minutes.setValue(minutes_from(values))
        self.idle_minutes.setEnabled(editable)
        self.idle_minutes.setMaximumWidth(120)
        self.idle_minutes.editingFinished.connect(lambda: self._save(IDLE_SETTING, str(self.idle_minutes.value())))
        form.addRow(tr("Kunci layar setelah (menit)", "Lock the screen after (minutes)"), self.idle_minutes)
        form.addRow("", label(tr("Tanpa kegiatan selama itu, layar terkunci sampai kata sandi dimasukkan lagi; "
                                 "0 = tidak pernah.",
                                 "After that long without activity the screen locks until the password is entered "
                                 "again; 0 = never."), "muted", wrap=True))
        self.dana_desa = QCheckBox(tr("Dana Desa dihitung sebagai APBD", "Dana Desa counts as APBD"))
        self.dana_desa.setObjectName("setting_dana_desa_counts_as_apbd")
        self.dana_desa.setChecked(values.get("dana_desa_counts_as_apbd", "1") == "1")
        self.dana_desa.setEnabled(editable)
        self.dana_desa.toggled.connect(lambda on: self._save("dana_desa_counts_as_apbd", "1" if on else "0"))
        form.addRow("", self.dana_desa)
        form.addRow(
            "",
            label(
                tr(
                    "Peserta yang iurannya dibayar APBN/APBD tidak mendapat keringanan PP 50/2025.",
                    "Participants paid for by APBN/APBD get no PP 50/2025 relief.",
                ),
                "muted",
                wrap=True,
            ),
        )
        if not editable:
            form.addRow(
                "",
                label(
                    tr("Hanya supervisor yang dapat mengubah aturan.", "Only a supervisor can change the rules."),
                    "muted",
                    wrap=True,
                ),
            )
        row.addWidget(frame, 1)
        self.backups: BackupsCard | None = None
        if user.role in MANAGERS:
            self.backups = BackupsCard(ctx, self, self.restored)
            column.addWidget(self.backups.frame)
        self.users = UsersCard(ctx, self)
        column.addWidget(self.users.frame)
        column.addStretch(1)
        self.message = FieldMessage("settings")
        layout.addWidget(self.message)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.backups is not None and not self.backups.checked_once:
            self.backups.refresh()  # the checks read every backup: only once someone looks
        if not self.users.loaded:
            self.users.refresh()

    def _form(self, box) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        box.addLayout(form)
        box.addStretch(1)
        return form

    def _spin(self, name: str, values: dict, key: str, low: int, high: int, editable: bool) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(low, high)
        spin.setValue(int(values.get(key) or low))
        spin.setEnabled(editable)
        spin.setMaximumWidth(120)
        spin.editingFinished.connect(lambda: self._save(key, str(spin.value())))
        return spin

    def _save_server(self) -> None:
        url = self.server.text().strip()
        if url and not url.startswith(("https://", "http://localhost", "http://127.0.0.1")):
            self.server_message.show_message(
                "error", tr("Alamat harus diawali https://", "The address must start with https://")
            )
            return
        self.server_message.clear_message()
        self._save("server_url", url)

    def _save(self, key: str, value: str) -> None:
        ws = self.ctx.ws
        self.ctx.runner.run_db(lambda: ws.set_setting(key, value), lambda _r: self._saved(key, value), owner=self)

    def _saved(self, key: str, value: str) -> None:
        self.values[key] = value
        self.message.show_message("ok", tr("✓ Pengaturan tersimpan.", "✓ Settings saved."))
        self.ctx.bus.settings_changed.emit(key)
