"""The keyboard bar: Continue from what is played, call and response, and the silence
that ends a phrase and the bars Continue records at most.

A view over MidiInSession and the settings: it shows their state and forwards clicks."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDoubleSpinBox, QLabel, QSpinBox, QToolBar, QWidget

from musevae.gui.midi_in.session import MidiInSession
from musevae.gui.shell.settings import Settings


class KeyboardBar(QToolBar):
    def __init__(
        self, session: MidiInSession, settings: Settings, parent: QWidget | None = None
    ) -> None:
        super().__init__("Keyboard", parent)
        self.setObjectName("keyboard")
        self.session, self.settings = session, settings
        self.continue_action = QAction("Continue from the keyboard", self, checkable=True)
        self.continue_action.setToolTip("Play on the MIDI input; after the pause (or the "
                                        "bars) the model continues what you played")  # fmt: skip
        self.continue_action.triggered.connect(self._on_continue)
        self.answer_action = QAction("Call and response", self, checkable=True)
        self.answer_action.setToolTip("The model answers each phrase you play, through "
                                      "the MIDI output, and listens again")  # fmt: skip
        self.answer_action.triggered.connect(session.set_answering)
        self.silence = QDoubleSpinBox(minimum=0.1, maximum=10.0, decimals=1, singleStep=0.1,
                                      suffix=" s pause")  # fmt: skip
        self.silence.setToolTip("How long every key is up before a phrase has ended")
        self.bars = QSpinBox(minimum=1, maximum=64, suffix=" bars")
        self.bars.setToolTip("The longest phrase Continue records")
        for action in (self.continue_action, self.answer_action):
            self.addAction(action)
        self.addWidget(QLabel(" ends after "))
        self.addWidget(self.silence)
        self.addWidget(QLabel(" or "))
        self.addWidget(self.bars)
        self._show_setting("midi_in/silence")
        self._show_setting("midi_in/bars")
        self.silence.valueChanged.connect(lambda s: settings.set("midi_in/silence", s))
        self.bars.valueChanged.connect(lambda n: settings.set("midi_in/bars", n))
        settings.changed.connect(self._show_setting)
        session.recordingChanged.connect(self.continue_action.setChecked)
        session.answeringChanged.connect(self.answer_action.setChecked)

    def _on_continue(self, checked: bool) -> None:
        self.continue_action.setChecked(self.session.recording is not None)
        if checked:
            self.session.record()

    def _show_setting(self, key: str) -> None:
        box = {"midi_in/silence": self.silence, "midi_in/bars": self.bars}.get(key)
        if box is not None:
            box.setValue(self.settings.get(key))
