"""The transport bar: play / stop (Space), loop, tempo, the output port, and export.

A view over PlaybackState: it shows the state and forwards clicks to the session.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QToolBar, QWidget

from musevae.gui.playback_session import PlaybackSession
from musevae.gui.playback_state import PlaybackState


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
        self.refresh_action = QAction("↻", self, toolTip="Look for MIDI outputs again")
        self.refresh_action.triggered.connect(session.refresh_ports)
        for item in (self.play_action, self.loop_action):
            self.addAction(item)
        self.addWidget(self.tempo)
        self.addSeparator()
        self.addWidget(QLabel(" Output "))
        self.addWidget(self.port)
        self.addAction(self.refresh_action)
        self.addSeparator()
        for item in export_actions:
            self.addAction(item)
        self._show_ports()
        session.portsChanged.connect(self._show_ports)
        self.port.currentIndexChanged.connect(self._on_choice)
        state.playingChanged.connect(lambda on: self.play_action.setText("Stop" if on else "Play"))
        state.loopChanged.connect(self.loop_action.setChecked)
        state.tempoChanged.connect(self.tempo.setValue)
        state.portChanged.connect(self._select)

    def _show_ports(self) -> None:
        self.port.blockSignals(True)
        self.port.clear()
        for key, label in self.session.ports:
            self.port.addItem(label, key)
        problems = self.session.port_problems
        self.port.setToolTip("\n".join(["MIDI output; built-in sound plays through QtMultimedia",
                                        *problems]))  # fmt: skip
        self.port.blockSignals(False)
        self._select(self.state.port)

    def _select(self, key: str) -> None:
        index = self.port.findData(key)
        if index < 0:  # remembered from last time, not (yet) listed: show it anyway
            self.port.blockSignals(True)
            self.port.addItem(f"{key} (not found)", key)
            self.port.blockSignals(False)
            index = self.port.count() - 1
        self.port.setCurrentIndex(index)

    def _on_choice(self, index: int) -> None:
        key = self.port.itemData(index)
        if key is not None:
            self.state.set_port(key)
