"""The transport bar: play / stop (Space), loop, tempo, the output and input ports, export.

A view over PlaybackState: it shows the state and forwards clicks to the session.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QToolBar, QWidget

from musevae.gui.playback.session import PlaybackSession
from musevae.gui.playback.state import PlaybackState


class TransportBar(QToolBar):
    def __init__(
        self,
        state: PlaybackState,
        session: PlaybackSession,
        export_actions: list[QAction],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Transport", parent)
        self.setObjectName("transport")
        self.state, self.session = state, session
        self.play_action = QAction("Play", self)
        self.play_action.setShortcut(QKeySequence("Space"))
        self.play_action.setToolTip("Play / stop (Space)")
        self.play_action.triggered.connect(session.toggle)
        self.loop_action = QAction("Loop", self, checkable=True)
        self.loop_action.setChecked(state.loop)
        self.loop_action.toggled.connect(state.set_loop)
        self.tempo = QDoubleSpinBox(minimum=20.0, maximum=400.0, decimals=1, suffix=" BPM")
        self.tempo.setValue(state.tempo)
        self.tempo.valueChanged.connect(state.set_tempo)
        self.port = QComboBox()
        self.port.setMinimumContentsLength(24)
        self.input = QComboBox()
        self.input.setMinimumContentsLength(16)
        self.refresh_action = QAction("↻", self, toolTip="Look for MIDI ports again")
        self.refresh_action.triggered.connect(session.refresh_ports)
        for item in (self.play_action, self.loop_action):
            self.addAction(item)
        self.addWidget(self.tempo)
        self.addSeparator()
        self.addWidget(QLabel(" Output "))
        self.addWidget(self.port)
        self.addWidget(QLabel(" Input "))
        self.addWidget(self.input)
        self.addAction(self.refresh_action)
        self.addSeparator()
        for item in export_actions:
            self.addAction(item)
        self._show_ports()
        session.portsChanged.connect(self._show_ports)
        self.port.currentIndexChanged.connect(lambda i: _choose(self.port, i, state.set_port))
        self.input.currentIndexChanged.connect(lambda i: _choose(self.input, i, state.set_input))
        state.playingChanged.connect(lambda on: self.play_action.setText("Stop" if on else "Play"))
        state.loopChanged.connect(self.loop_action.setChecked)
        state.tempoChanged.connect(self.tempo.setValue)
        state.portChanged.connect(lambda key: _select(self.port, key))
        state.inputChanged.connect(lambda key: _select(self.input, key))

    def _show_ports(self) -> None:
        problems = self.session.port_problems
        _fill(self.port, self.session.ports, self.state.port,
              ["MIDI output; built-in sound plays through QtMultimedia", *problems])
        _fill(self.input, self.session.inputs, self.state.input,
              ["MIDI input: notes played on it show on the roll (Continue, call and "
               "response in the Edit menu)", *problems])  # fmt: skip


def _fill(combo: QComboBox, ports: list[tuple[str, str]], chosen: str, tips: list[str]) -> None:
    """List ``ports`` (key, label) in ``combo``, the ``chosen`` one selected. Unchanged
    lists are left alone: the lists are refreshed every few seconds, and rebuilding would
    close the chooser under the user's pointer."""
    combo.setToolTip("\n".join(tips))
    if [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())] != ports:
        combo.blockSignals(True)
        combo.clear()
        for key, label in ports:
            combo.addItem(label, key)
        combo.blockSignals(False)
    _select(combo, chosen)


def _choose(combo: QComboBox, index: int, choose: Callable[[str], None]) -> None:
    key = combo.itemData(index)
    if key is not None:
        choose(key)


def _select(combo: QComboBox, key: str) -> None:
    index = combo.findData(key)
    if index < 0:  # remembered from last time, not (yet) listed: show it anyway
        combo.blockSignals(True)
        combo.addItem(f"{key} (not found)", key)
        combo.blockSignals(False)
        index = combo.count() - 1
    combo.setCurrentIndex(index)
