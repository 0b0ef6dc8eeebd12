"""The About dialog: version, build date, data/backups/log locations, copy to the clipboard."""

from PySide6.QtWidgets import QApplication

from fieldapp import __version__, i18n
from fieldapp.ui.about import AboutDialog, icon_path, show_about


def test_shows_version_build_and_locations(qtbot, tmp_path):
    dialog = AboutDialog(tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.values["version"].text() == __version__
    assert dialog.values["build"].text().startswith("checkout pengembangan")  # tests run from a checkout
    assert dialog.values["data"].text() == str(tmp_path)
    assert dialog.values["backups"].text() == str(tmp_path / "backups")
    assert dialog.values["log"].text() == str(tmp_path / "logs" / "fieldapp.log")
    assert "Python" in dialog.values["runtime"].text()
    assert dialog.windowTitle() == "Tentang fieldapp"


def test_english(qtbot, tmp_path):
    i18n.set_language("en")
    try:
        dialog = AboutDialog(tmp_path)
        qtbot.addWidget(dialog)
        assert dialog.windowTitle() == "About fieldapp"
        assert dialog.values["build"].text() == "development checkout (not an installed build)"
        assert dialog.copy_button.text() == "Copy details"
    finally:
        i18n.set_language("id")


def test_copy_puts_every_line_on_the_clipboard(qtbot, tmp_path):
    dialog = AboutDialog(tmp_path)
    qtbot.addWidget(dialog)
    dialog.copy_button.click()
    text = QApplication.clipboard().text()
    assert text.startswith(f"fieldapp {__version__}")
    assert str(tmp_path / "backups") in text and "Python" in text


def test_show_about_opens_modal_and_closes(qtbot, tmp_path):
    dialog = show_about(None, tmp_path)
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    assert dialog.isVisible()
    dialog.reject()
    assert not dialog.isVisible()


def test_icon_is_found_in_a_checkout():
    path = icon_path()
    assert path is not None and path.name == "fieldapp-256.png"
