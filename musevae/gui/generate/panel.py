"""The Generate tab: steps, candidates, the musical controls, seed and prime.

The controls are ``musevae.generate.Controls`` fields, one widget each; the model is
the one selected in the Library. A ``.mid`` dropped on the window becomes the prime.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from musevae.gui.workers import tasks
from musevae.gui.shell.dialogs import MIDI_FILTER, Dialogs
from musevae.gui.shell.focus import set_enabled
from musevae.gui.generate.session import GenerateSession
from musevae.gui.library.session import LibrarySession
from musevae.gui.shell.elided_label import ElidedLabel
from musevae.gui.shell.settings import Settings
from musevae.gui.shell.widgets import spin

KEYS = ("as sampled", "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


class GeneratePanel(QWidget):
    def __init__(
        self,
        session: GenerateSession,
        library: LibrarySession,
        settings: Settings,
        dialogs: Dialogs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.library = session, library
        self.settings, self.dialogs = settings, dialogs
        self.model_label = QLabel()
        self.model_label.setWordWrap(True)
        self.steps = spin(1, 1_000_000, 128, "Steps to sample (an eighth note each, usually)")
        self.candidates = spin(1, 16, 3, "Continuations sampled side by side")
        self.temperature = QDoubleSpinBox(minimum=0.05, maximum=5.0, singleStep=0.05, value=1.0)
        self.temperature.setToolTip("Below 1: safer, more repetitive; above 1: wilder")
        self.polyphony = spin(0, 88, 0, "Most keys sounding at once (0: no limit)")
        self.polyphony.setSpecialValueText("no limit")
        self.lowest = spin(21, 108, 21, "Lowest MIDI note allowed")
        self.highest = spin(21, 108, 108, "Highest MIDI note allowed")
        self.hold = spin(1, 64, 1, "Hold each new note at least this many steps")
        self.key = QComboBox()
        self.key.addItems(KEYS)
        self.seed = spin(0, 2**31 - 1, 0, "The same seed gives the same music")
        self.random_seed = QCheckBox("random")
        self.random_seed.setChecked(True)
        self.prime_label = ElidedLabel("none")  # a long file name must not widen the form
        names = ("Choose prime…", "Clear prime", "Generate", "Stop")
        self.buttons = {name: QPushButton(name) for name in names}
        self.buttons["Generate"].setToolTip("Generate (Ctrl+G)")
        self._layout()
        self._connect()
        self._show_model(library.current)
        self._on_busy(False)

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow("Model:", self.model_label)
        form.addRow("Steps:", self.steps)
        form.addRow("Candidates:", self.candidates)
        form.addRow("Temperature:", self.temperature)
        form.addRow("Max polyphony:", self.polyphony)
        form.addRow("Lowest note:", self.lowest)
        form.addRow("Highest note:", self.highest)
        form.addRow("Min note length:", self.hold)
        form.addRow("Key:", self.key)
        seed = QHBoxLayout()
        seed.addWidget(self.seed, 1)
        seed.addWidget(self.random_seed)
        form.addRow("Seed:", seed)
        form.addRow("Prime:", self.prime_label)  # the file name gets the field's width
        prime = QHBoxLayout()
        prime.addWidget(self.buttons["Choose prime…"])
        prime.addWidget(self.buttons["Clear prime"])
        prime.addStretch(1)
        form.addRow("", prime)
        run = QHBoxLayout()
        run.addWidget(self.buttons["Generate"])
        run.addWidget(self.buttons["Stop"])
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(run)
        layout.addStretch(1)

    def _connect(self) -> None:
        self.library.currentChanged.connect(self._show_model)
        self.session.busyChanged.connect(self._on_busy)
        self.random_seed.toggled.connect(lambda on: self.seed.setEnabled(not on))
        self.seed.setEnabled(False)
        self.session.generation.started.connect(self._show_seed)
        self.buttons["Choose prime…"].clicked.connect(self.choose_prime)
        self.buttons["Clear prime"].clicked.connect(lambda: self.session.set_prime(None))
        self.session.primeChanged.connect(self._show_prime)
        self.buttons["Generate"].clicked.connect(self.generate)
        self.buttons["Stop"].clicked.connect(self.session.stop)

    def _show_model(self, entry: Any) -> None:
        if entry is None:
            self.model_label.setText("none: choose one in the Library (or train one)")
        else:
            kind = entry.card.get("model", {}).get("kind", "?")
            self.model_label.setText(f"{entry.name} ({kind})")
        self._on_busy(self.session.busy)

    def _show_seed(self) -> None:
        self.seed.setValue(self.session.generation.seed)  # so a good piece can be repeated

    def _on_busy(self, busy: bool) -> None:
        run, stop = self.buttons["Generate"], self.buttons["Stop"]
        can_run = not busy and self.library.current is not None
        set_enabled({run: can_run, stop: busy}, focus_to=stop if busy else run)

    # --- actions ------------------------------------------------------------------------
    def controls(self) -> dict[str, Any]:
        """The Controls fields the widgets describe."""
        key = self.key.currentIndex() - 1
        return {
            "temperature": self.temperature.value(),
            "max_polyphony": self.polyphony.value() or None,
            "lowest_note": min(self.lowest.value(), self.highest.value()),
            "highest_note": max(self.lowest.value(), self.highest.value()),
            "min_note_steps": self.hold.value(),
            "key": None if key < 0 else key,
        }

    def request(self) -> tasks.GenerateRequest | None:
        from musevae.train.library import step_beats_of  # torch is loaded by now

        entry = self.library.current
        if entry is None:
            self.session.notifier.warning("Generate", "Choose a model in the Library first.")
            return None
        return tasks.GenerateRequest(
            card=entry.card_path,
            model=entry.name,
            steps=self.steps.value(),
            n=self.candidates.value(),
            controls=self.controls(),
            seed=None if self.random_seed.isChecked() else self.seed.value(),
            prime=self.session.prime,
            step_beats=step_beats_of(entry.card),
            device=self.settings.get("train/device"),
        )

    def generate(self) -> None:
        request = self.request()
        if request is not None:
            self.session.generate(request)

    def choose_prime(self) -> None:
        path = self.dialogs.open_file_in(self.settings, "folders/prime", "Prime from a MIDI file",
                                         MIDI_FILTER)  # fmt: skip
        if path is not None:
            self.session.set_prime(path)

    def _show_prime(self, path: Path | None) -> None:
        self.prime_label.setText("none" if path is None else Path(path).name)
        self.prime_label.setToolTip("" if path is None else str(path))
