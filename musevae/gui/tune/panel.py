"""The Tune tab: a base model from the Library, the music-theory rules ticked and weighted,
the KL weight and the number of updates; Start / Pause / Cancel; live progress, and
Generate with the base or with the tuned copy, to hear them side by side. The reward and
KL curves (``qt_tune_chart``) take the window's centre while this tab is open.

The settings start at ``TuneConfig``'s defaults, the ones ``musevae tune`` takes, so the
tab and the CLI agree.
"""

from __future__ import annotations

from pathlib import Path
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from musevae.gui.workers import tasks
from musevae.gui.shell.dialogs import Dialogs
from musevae.gui.shell.focus import set_enabled
from musevae.gui.library.session import LibrarySession
from musevae.gui.shell.run_progress import RunProgress
from musevae.gui.shell.settings import Settings
from musevae.gui.shell.widgets import spin
from musevae.gui.tune.session import STARTING, TuneSession
from musevae.paths import user_models_dir
from musevae.tune.config import TuneConfig
from musevae.tune.rewards import RULES


def weight_box(value: float, tip: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=1000.0, singleStep=0.1, value=value)
    box.setToolTip(tip)
    return box


class TunePanel(QWidget):
    """``generateRequested`` asks the window to generate from the Library's selection,
    once a Generate-with button has selected the base or the tuned copy there."""

    generateRequested = Signal()

    def __init__(
        self, session: TuneSession, library: LibrarySession, settings: Settings,
        dialogs: Dialogs, parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.session, self.library, self.settings = session, library, settings
        self.dialogs = dialogs
        defaults = TuneConfig()
        self.base = QComboBox()
        self.base.setPlaceholderText("no model in the Library yet")
        self.base.setMinimumContentsLength(12)
        self.rules: dict[str, tuple[QCheckBox, QDoubleSpinBox]] = {}
        for name, rule in RULES.items():
            weight = float(defaults.weights.get(name, 0.0))
            tick = QCheckBox(name)
            tick.setChecked(weight > 0)
            tick.setToolTip(f"Penalise {rule.summary}")
            self.rules[name] = (tick, weight_box(weight if weight > 0 else 1.0, "weight"))
        self.kl_weight = weight_box(defaults.kl_weight, "Nats of KL to the base model worth "
                                    "one rule violation: larger keeps the copy nearer the base")
        self.kl_weight.setDecimals(3)
        self.steps = spin(1, 1_000_000, defaults.updates)
        self.steps.setToolTip(f"Policy-gradient updates, each on {defaults.batch} sampled "
                              f"paths of {defaults.length} steps")  # fmt: skip
        names = ("Start", "Pause", "Cancel", "Resume…", "Generate with base", "Generate with tuned")
        self.buttons = {name: QPushButton(name) for name in names}
        self.rates_label = QLabel()
        self.rates_label.setWordWrap(True)
        self.run_progress = RunProgress("Not tuning.", self.rates_label)
        self._layout()
        self._connect()
        self._show_models()
        self._on_status(session.status)

    def _layout(self) -> None:
        model = QFormLayout()
        model.addRow("Base model:", self.base)
        rules = QGroupBox("Rules (weight per violation)")
        grid = QGridLayout(rules)
        for row, (tick, weight) in enumerate(self.rules.values()):
            grid.addWidget(tick, row, 0)
            grid.addWidget(weight, row, 1)
        run = QGroupBox("Tuning")
        form = QFormLayout(run)
        form.addRow("KL weight:", self.kl_weight)
        form.addRow("Updates:", self.steps)
        buttons = QGridLayout()
        for i, name in enumerate(("Start", "Pause", "Cancel", "Resume…")):
            buttons.addWidget(self.buttons[name], i // 2, i % 2)  # as the Train tab's
        buttons.addWidget(self.buttons["Generate with base"], 2, 0, 1, 2)
        buttons.addWidget(self.buttons["Generate with tuned"], 3, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(model)
        layout.addWidget(rules)
        layout.addWidget(run)
        layout.addLayout(buttons)
        layout.addWidget(self.run_progress)
        layout.addStretch(1)

    def _connect(self) -> None:
        s = self.session
        s.statusChanged.connect(self._on_status)
        s.progressChanged.connect(self._on_progress)
        s.runDirChanged.connect(lambda path: self._on_progress())
        s.tunedChanged.connect(lambda card: self._on_status(s.status))
        self.library.changed.connect(self._show_models)
        for tick, weight in self.rules.values():
            tick.toggled.connect(weight.setEnabled)
        self.buttons["Start"].clicked.connect(self.start)
        self.buttons["Pause"].clicked.connect(s.toggle_pause)
        self.buttons["Cancel"].clicked.connect(s.cancel)
        self.buttons["Resume…"].clicked.connect(self.resume)
        self.buttons["Generate with base"].clicked.connect(lambda: self.generate_with(s.base))
        self.buttons["Generate with tuned"].clicked.connect(lambda: self.generate_with(s.tuned))

    # --- the Library's models as bases -------------------------------------------------------
    def _show_models(self) -> None:
        """List the Library's models, keeping the chosen one (else the Library's selection)."""
        chosen = self.base.currentData()
        current = self.library.current
        self.base.clear()
        for entry in self.library.all_entries():
            self.base.addItem(entry.name, str(entry.card_path))
        keep = chosen or (str(current.card_path) if current is not None else None)
        index = self.base.findData(keep) if keep is not None else -1
        self.base.setCurrentIndex(index if index >= 0 else min(0, self.base.count() - 1))
        self._on_status(self.session.status)

    def choose_base(self, card: Path) -> None:
        index = self.base.findData(str(card))
        if index >= 0:
            self.base.setCurrentIndex(index)

    # --- actions ------------------------------------------------------------------------
    def weights(self) -> dict[str, float]:
        """Each rule's weight; 0 for an unticked one."""
        return {name: weight.value() if tick.isChecked() else 0.0
                for name, (tick, weight) in self.rules.items()}  # fmt: skip

    def request(self) -> tasks.TuneRequest | None:
        card = self.base.currentData()
        if card is None:
            self.session.notifier.warning("Tuning", "Choose a base model first.")
            return None
        if not any(self.weights().values()):
            self.session.notifier.warning("Tuning", "Tick at least one rule to tune toward.")
            return None
        config = {"weights": self.weights(), "kl_weight": self.kl_weight.value(),
                  "updates": self.steps.value()}  # fmt: skip
        return tasks.TuneRequest(Path(card), config, self.library.user_dir,
                                 self.settings.get("train/device"))  # fmt: skip

    def start(self) -> None:
        request = self.request()
        if request is not None:
            self.session.start(request)

    def resume(self) -> None:
        """Continue the run just stopped, else one the user picks, to the Updates shown."""
        s = self.session
        run_dir = s.run_dir if s.status == "cancelled" else None
        if run_dir is None:
            start = str(self.library.user_dir or user_models_dir())
            run_dir = self.dialogs.folder("Resume which tuning run?", start)
            if run_dir is None:
                return
        s.resume(Path(run_dir), self.steps.value(), self.settings.get("train/device"))

    def generate_with(self, card: Path | None) -> None:
        """Select ``card`` in the Library and generate from it."""
        listed = [e for e in self.library.all_entries()
                  if card is not None and e.card_path.resolve() == Path(card).resolve()]
        if not listed:
            self.session.notifier.warning("Generate", "That model is not in the Library yet.")
            return
        self.library.select(listed[0])
        self.generateRequested.emit()

    # --- showing state --------------------------------------------------------------------
    def _on_status(self, status: str) -> None:
        s = self.session
        busy = s.busy or status == STARTING
        b = self.buttons
        b["Pause"].setText("Continue" if status == "paused" else "Pause")
        form = (self.base, self.kl_weight, self.steps,
                *(w for pair in self.rules.values() for w in pair))  # fmt: skip
        states = {b["Start"]: not busy and self.base.count() > 0,
                  b["Pause"]: status in ("running", "paused"), b["Cancel"]: busy,
                  b["Resume…"]: not busy,
                  b["Generate with base"]: s.base is not None,
                  b["Generate with tuned"]: s.tuned is not None and not busy,
                  **dict.fromkeys(form, not busy)}  # fmt: skip
        set_enabled(states, focus_to=b["Cancel"] if busy else b["Start"])
        if not busy:
            for tick, weight in self.rules.values():
                weight.setEnabled(tick.isChecked())
        self._on_progress()

    def _on_progress(self) -> None:
        s = self.session
        if s.status == STARTING:
            text = "Loading the models and scoring the base…"
        elif s.total_updates == 0:
            text = "Not tuning." if s.status == "idle" else f"Tuning {s.status}."
        else:
            text = f"{s.status} · update {s.updates} of {s.total_updates}"
            if s.curve:
                _, reward, _, kl = s.curve[-1]
                text += f" · reward {reward:.3f} · KL {kl:.3f} nats/step"
        self.run_progress.show_updates(s.updates, s.total_updates, text)
        self.rates_label.setText(self._rates_text())
        self.run_progress.show_run("tuned copy", s.run_dir)

    def _rates_text(self) -> str:
        """The run's rules' violation rates per step: the base's on the evaluation paths,
        then the latest update's (the tuned copy's on the same paths, once done)."""
        s = self.session
        now: dict[str, float] = s.after or s.terms
        rows = [f"{name} {s.before.get(name, 0.0):.3f} → {now[name]:.3f}" for name in s.terms]
        return ("violations per step (base → tuned): " + ", ".join(rows)) if rows else ""
