"""The dock's forms fit the dock: a long prime file name, run name or data folder is
shortened with "…" rather than widening the form past the dock's edge (which cut
"random" to "ran", "Clear prime" to "Clear p" and hid the spin boxes' arrows), and the
dataset list names each choice briefly enough to show whole."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QStyle,
    QStyleOptionComboBox,
    QWidget,
)

from musevae.data.midi_io import write_midi
from musevae.gui.shell.main_window import DOCK_WIDTH
from tests.gui.pieces import chord_piece

LONG = "a-very-long-prime-file-name-that-goes-on-and-on-" * 3


def assert_fits(panel: QWidget, qtbot) -> None:
    """``panel`` fits the dock, and no button or spin box in it is narrower than it asks."""
    qtbot.wait(50)  # let the layouts settle
    assert panel.minimumSizeHint().width() <= DOCK_WIDTH
    viewport = panel.parentWidget()
    assert panel.width() <= viewport.width()
    for kind in (QAbstractButton, QAbstractSpinBox, QComboBox):
        for widget in panel.findChildren(kind):
            if widget.isVisible():
                name = getattr(widget, "text", widget.objectName)()
                assert widget.width() >= widget.minimumSizeHint().width(), f"{name} is clipped"


def test_a_long_prime_name_is_elided_and_the_form_fits(window, qtbot, tmp_path):
    window.tabs.setCurrentIndex(2)
    prime = tmp_path / f"{LONG}.mid"
    write_midi(chord_piece(0, 8), prime)
    assert window.generating.set_prime(prime)
    panel = window.generate_panel
    assert_fits(panel, qtbot)
    label = panel.prime_label
    assert label.text() == prime.name and label.toolTip() == str(prime)
    assert "…" in label.shown_text() and label.shown_text().endswith(".mid")
    seed_row = (panel.seed, panel.random_seed)
    assert all(w.width() >= w.sizeHint().width() for w in seed_row[1:])
    for name in ("Choose prime…", "Clear prime"):
        button = panel.buttons[name]
        assert button.width() >= button.sizeHint().width() and button.isVisible()


def test_the_train_tab_fits_with_a_long_run_name_and_data_folder(window, qtbot, tmp_path):
    window.tabs.setCurrentIndex(1)
    data = tmp_path / ("benchmarks-" * 12)
    window.settings.set("folders/data", str(data))
    panel = window.train_panel
    panel.data.refresh()
    run = tmp_path / f"{LONG}-srnn-20261203-131000"
    window.training.run_dir = run
    window.training.runDirChanged.emit(run)
    assert_fits(panel, qtbot)
    assert panel.run_progress.run_label.text() == f"run: {run.name}" and "…" in panel.run_progress.run_label.shown_text()
    assert panel.run_progress.run_label.toolTip() == str(run)


def edit_field_width(combo: QComboBox) -> int:
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = QStyle.SubControl.SC_ComboBoxEditField
    rect = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option, field, combo)
    return rect.width()


def test_every_dataset_choice_shows_whole_in_the_combo(window, qtbot, tmp_path):
    window.tabs.setCurrentIndex(1)
    chooser = window.train_panel.data
    for data in (tmp_path / "nothing-here", Path("/work/shared/data")):
        window.settings.set("folders/data", str(data))
        chooser.refresh()
        qtbot.wait(20)
        combo, metrics = chooser.combo, chooser.combo.fontMetrics()
        for i in range(combo.count()):
            assert metrics.horizontalAdvance(combo.itemText(i)) <= edit_field_width(combo)
    combo.setCurrentIndex(combo.findData("jsb"))
    assert "Bach chorales" in chooser.status.text()  # what it is, on the line below
