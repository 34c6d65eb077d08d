"""Keyboard focus: Start and Generate leave it on their own panel, never in the tempo box
where typing changes the tempo; after a real dialog or message box closes the window is
active again with its focus back, so Ctrl+G works at once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QSpinBox, QVBoxLayout, QWidget

from musevae.gui.shell.dialogs import Dialogs
from musevae.gui.shell.focus import set_enabled
from musevae.gui.shell.notify import Message, show_popup
from tests.gui.conftest import TIMEOUT_MS
from tests.gui.generate.test_generate_flow import open_model


def _active(window: Any, qtbot: Any) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=TIMEOUT_MS)


def _close_the_modal_soon(qtbot: Any) -> None:
    def close() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, close)
        else:
            modal.reject()

    QTimer.singleShot(50, close)


def test_generate_keeps_the_focus_off_the_tempo_box(window, dialogs, tiny_model, qtbot):
    open_model(window, dialogs, tiny_model, qtbot)
    window.tabs.setCurrentIndex(2)
    _active(window, qtbot)
    panel = window.generate_panel
    panel.steps.setValue(12)
    run, stop = panel.buttons["Generate"], panel.buttons["Stop"]
    focus: list[tuple[bool, Any]] = []
    window.generating.busyChanged.connect(
        lambda busy: focus.append((busy, QApplication.focusWidget()))
    )
    with qtbot.waitSignal(window.generating.busyChanged, timeout=TIMEOUT_MS,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        QTest.mouseClick(run, Qt.MouseButton.LeftButton)  # a click focuses the button
    # on Stop while it samples, back on Generate, ready for the next one
    assert focus[0] == (True, stop) and focus[-1] == (False, run)
    tempo = window.playback.tempo
    QTest.keyClicks(QApplication.focusWidget(), "5")
    assert window.playback.tempo == tempo and not window.transport.tempo.hasFocus()


def test_a_button_disabled_while_focused_hands_the_focus_on(qtbot):
    """The Train tab's case without a training run: Start -> Cancel -> Start, with a
    spin box that stays enabled next in the tab chain, as the tempo box was."""
    panel = QWidget()
    start, tempo, cancel = QPushButton("Start"), QSpinBox(), QPushButton("Cancel")
    layout = QVBoxLayout(panel)
    for widget in (start, tempo, cancel):
        layout.addWidget(widget)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel)
    start.setFocus()
    set_enabled({start: False, cancel: True}, focus_to=cancel)
    assert QApplication.focusWidget() is cancel and not start.isEnabled()
    set_enabled({start: True, cancel: False}, focus_to=start)
    assert QApplication.focusWidget() is start and not cancel.isEnabled()


def test_after_a_real_dialog_the_window_and_its_shortcuts_come_back(window, qtbot):
    _active(window, qtbot)
    window.tabs.setCurrentIndex(2)
    steps = window.generate_panel.steps
    steps.setFocus()
    qtbot.waitUntil(steps.hasFocus)
    _close_the_modal_soon(qtbot)
    assert Dialogs(window).open_file("Prime from a MIDI file", "", "MIDI (*.mid)") is None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    assert QApplication.focusWidget() is steps
    generated = []
    window.action["generate"].triggered.connect(lambda: generated.append(True))
    QTest.keyClick(steps, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert generated == [True]


def test_after_a_message_box_the_window_is_active_again(window, qtbot):
    _active(window, qtbot)
    box = show_popup(window, Message("warning", "Export", "Nothing to export yet."))
    qtbot.waitUntil(lambda: QApplication.activeWindow() is box, timeout=TIMEOUT_MS)
    box.accept()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)


def test_the_shortcuts_work_from_every_window_of_the_app(window):
    for name in ("open", "generate", "export", "quit"):
        assert window.action[name].shortcutContext() == Qt.ShortcutContext.ApplicationShortcut
    play = window.transport.play_action
    assert play.shortcutContext() == Qt.ShortcutContext.ApplicationShortcut


def test_the_focus_starts_on_the_roll_and_a_click_there_takes_it(window, qtbot):
    _active(window, qtbot)
    roll = window.roll_panel.roll
    assert QApplication.focusWidget() is roll
    window.tabs.setCurrentIndex(2)
    window.generate_panel.steps.setFocus()
    QTest.mouseClick(roll, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is roll  # typing no longer changes the steps
