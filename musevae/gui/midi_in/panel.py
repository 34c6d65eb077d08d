"""The keyboard bar: Continue from what is played, call and response, the silence
that ends a phrase and the bars Continue records at most, and the count-in and
metronome Continue plays (with the count-in's beats counted down).

A view over MidiInSession and the settings: it shows their state and forwards clicks."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QSpinBox,
                               QToolBar, QWidget)  # fmt: skip

from musevae.gui.midi_in.session import COUNT_IN_BARS, MidiInSession
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
        self.count_in = QComboBox()
        for bars in COUNT_IN_BARS:
            self.count_in.addItem("Off" if bars == 0 else f"{bars} bar{'s' * (bars > 1)}", bars)
        self.count_in.setToolTip("Bars of metronome clicks before Continue records; "
                                 "the phrase starts on the downbeat after them")  # fmt: skip
        self.metronome = QCheckBox("Metronome")
        self.metronome.setToolTip("Clicks on while Continue records, at the tempo")
        self.counting = QLabel()  # "Count-in 3…" while counting in
        for action in (self.continue_action, self.answer_action):
            self.addAction(action)
        self.addWidget(QLabel(" ends after "))
        self.addWidget(self.silence)
        self.addWidget(QLabel(" or "))
        self.addWidget(self.bars)
        self.addSeparator()
        self.addWidget(QLabel("Count-in "))
        self.addWidget(self.count_in)
        self.addWidget(self.metronome)
        self.addWidget(self.counting)
        for key in ("midi_in/silence", "midi_in/bars", "midi_in/count_in", "midi_in/metronome"):
            self._show_setting(key)
        self.silence.valueChanged.connect(lambda s: settings.set("midi_in/silence", s))
        self.bars.valueChanged.connect(lambda n: settings.set("midi_in/bars", n))
        self.count_in.currentIndexChanged.connect(
            lambda i: settings.set("midi_in/count_in", self.count_in.itemData(i)))
        self.metronome.toggled.connect(lambda on: settings.set("midi_in/metronome", on))
        settings.changed.connect(self._show_setting)
        session.countInChanged.connect(self.counting.setText)
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
        elif key == "midi_in/count_in":
            self.count_in.setCurrentIndex(max(0, self.count_in.findData(self.settings.get(key))))
        elif key == "midi_in/metronome":
            self.metronome.setChecked(self.settings.get(key))
