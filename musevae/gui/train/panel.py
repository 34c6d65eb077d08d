"""The Train tab: data (a benchmark, fetched when missing, or a MIDI folder), the model
and its sizes, epochs, Start / Pause / Cancel / Resume, live progress. The learning
curves (``qt_train_chart``) take the window's centre while this tab is open.

The training settings start at the recipe the CLI uses for the same data
(``musevae.train.recipes``), so the tab and ``musevae train`` agree (500 epochs at most).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
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
from musevae.gui.train.data_chooser import DataChooser
from musevae.gui.train.model_form import ModelForm
from musevae.gui.shell.run_progress import RunProgress
from musevae.gui.shell.settings import Settings
from musevae.gui.shell.widgets import spin
from musevae.gui.train.session import LOADING, TrainSession

if TYPE_CHECKING:
    from musevae.train.config import TrainConfig

DEVICES = ("auto", "cpu", "cuda")


PRECISIONS = [("float32", "float32"), ("bfloat16 (faster)", "bfloat16")]  # (shown, setting)


def recipe_defaults(dataset_ref: str | None) -> TrainConfig:
    """The settings ``musevae train`` takes for this data when given no flags."""
    from musevae.train.recipes import recipe_config

    return recipe_config("auto", [dataset_ref] if dataset_ref else [])


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class TrainPanel(QWidget):
    def __init__(
        self,
        session: TrainSession,
        settings: Settings,
        dialogs: Dialogs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.settings, self.dialogs = session, settings, dialogs
        self.data = DataChooser(session, settings, dialogs)
        self.model = ModelForm()
        recipe = recipe_defaults(self.data.current_ref())
        self.epochs = spin(1, 10_000, recipe.epochs)
        self.epochs.setToolTip(
            "Training stops earlier once the validation score has not improved for "
            f"{recipe.patience} epochs; the best model so far is always kept."
            if recipe.patience else "Training runs all its epochs; the best model is kept."
        )
        self.batch, self.crop = spin(1, 4096, recipe.batch_size), spin(2, 10_000, recipe.seq_len)
        self.lr = QDoubleSpinBox(decimals=5, minimum=1e-5, maximum=1.0, singleStep=1e-4,
                                 value=recipe.lr)  # fmt: skip
        self.device = QComboBox()
        self.device.addItems(DEVICES)
        self.device.setCurrentText(settings.get("train/device"))
        self.device_label = QLabel("device: chosen when training starts")
        self.precision = QComboBox()
        for text, value in PRECISIONS:
            self.precision.addItem(text, value)
        self.precision.setCurrentIndex(max(0, self.precision.findData(settings.get("train/precision"))))
        self.precision.setToolTip("bfloat16 runs the wide multiplies 1.4-1.7x faster where the "
                                  "CPU or GPU has it natively, for about the same ELBO")  # fmt: skip
        self.buttons = {n: QPushButton(n) for n in ("Start", "Pause", "Cancel", "Resume…")}
        self.run_progress = RunProgress("Not training.")
        self._layout()
        self._connect()
        self._on_status(session.status)

    def _layout(self) -> None:
        run = QGroupBox("Training")
        settings = QFormLayout(run)
        settings.addRow("Epochs (at most):", self.epochs)
        settings.addRow("Batch size:", self.batch)
        settings.addRow("Crop length (steps):", self.crop)
        settings.addRow("Learning rate:", self.lr)
        settings.addRow("Device:", self.device)
        settings.addRow(self.device_label)
        settings.addRow("Precision:", self.precision)
        buttons = QGridLayout()
        for i, button in enumerate(self.buttons.values()):
            buttons.addWidget(button, i // 2, i % 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.data)
        layout.addWidget(self.model)
        layout.addWidget(run)
        layout.addLayout(buttons)
        layout.addWidget(self.run_progress)
        layout.addStretch(1)

    def _connect(self) -> None:
        s = self.session
        s.statusChanged.connect(self._on_status)
        s.progressChanged.connect(self._on_progress)
        s.deviceChanged.connect(lambda device: self.device_label.setText(f"device: {device}"))
        s.runDirChanged.connect(lambda path: self._on_status(s.status))
        s.catalogueChanged.connect(self._show_catalogue)
        self.device.currentTextChanged.connect(lambda d: self.settings.set("train/device", d))
        self.precision.currentIndexChanged.connect(
            lambda i: self.settings.set("train/precision", self.precision.itemData(i)))
        self.buttons["Start"].clicked.connect(self.start)
        self.buttons["Pause"].clicked.connect(s.toggle_pause)
        self.buttons["Cancel"].clicked.connect(s.cancel)
        self.buttons["Resume…"].clicked.connect(self.resume)

    # --- the model catalogue arrives once torch is loaded (session.catalogueChanged) -----
    def _show_catalogue(self, catalogue: tasks.Catalogue) -> None:
        self.model.show_catalogue(catalogue)
        gpu = f"a GPU is present ({catalogue.gpu})" if catalogue.gpu else "no GPU: the CPU trains"
        self.device_label.setText(f"device: auto — {gpu}")
        native = catalogue.bfloat16 or bool(catalogue.gpu)
        item = self.precision.model().item(self.precision.findData("bfloat16"))
        item.setEnabled(native)
        if not native and self.precision.currentData() == "bfloat16":
            self.precision.setCurrentIndex(self.precision.findData("float32"))
        item.setToolTip("" if native else "this CPU multiplies bfloat16 only by emulation, "
                        "slower than float32")  # fmt: skip
        self._on_status(self.session.status)

    # --- actions ------------------------------------------------------------------------
    def request(self) -> tasks.TrainRequest | None:
        """The run the form describes (None, with a message, if no data is chosen)."""
        dataset = self.data.current_ref()
        if dataset is None:
            self.session.notifier.warning("Training", "Choose a dataset or a MIDI folder first.")
            return None
        return tasks.TrainRequest(
            dataset=dataset,
            kind=self.model.kind.currentText(),
            sizes=self.model.settings(),
            config={"epochs": self.epochs.value(), "batch_size": self.batch.value(),
                    "seq_len": self.crop.value(), "lr": self.lr.value(),
                    "precision": self.precision.currentData()},  # fmt: skip
            device=self.device.currentText(),
            data_dir=self.data.data_dir(),
        )

    def start(self) -> None:
        if not self.data.ready_to_train():
            return
        request = self.request()
        if request is not None:
            self.session.start(request)

    def resume(self) -> None:
        run_dir = self.session.run_dir
        if run_dir is None:
            start = self.settings.get("folders/models")
            run_dir = self.dialogs.folder("Resume which training run?", start)
            if run_dir is None:
                return
        device, data_dir = self.device.currentText(), self.data.data_dir()
        self.session.resume(run_dir, self.epochs.value(), device, data_dir)

    # --- showing state --------------------------------------------------------------------
    def _on_status(self, status: str) -> None:
        busy = self.session.busy or status == LOADING
        ready = self.session.catalogue is not None
        b = self.buttons
        b["Pause"].setText("Continue" if status == "paused" else "Pause")
        form = (self.data, self.epochs, self.batch, self.crop, self.lr, self.device,
                self.precision, *self.model.widgets())  # fmt: skip
        states = {b["Start"]: ready and not busy, b["Pause"]: status in ("running", "paused"),
                  b["Cancel"]: busy, b["Resume…"]: ready and not busy,
                  **dict.fromkeys(form, not busy)}  # fmt: skip
        set_enabled(states, focus_to=b["Cancel"] if busy else b["Start"])
        if status in ("done", "cancelled", "failed", "idle"):
            self._on_progress(status)

    def _on_progress(self, status: Any = None) -> None:
        s = self.session
        if s.status == LOADING:
            text = "Loading the data…"
        elif s.total_updates == 0:
            text = "Not training." if s.status == "idle" else f"Training {s.status}."
        else:
            text = (f"{s.status} · epoch {min(s.epoch, s.epochs)} of {s.epochs} · update "
                    f"{s.updates} of {s.total_updates}")  # fmt: skip
            if s.status in ("running", "paused"):  # a stopped run has nothing left to wait for
                text += f" · ETA {clock(s.eta_s)}"
        self.run_progress.show_updates(s.updates, s.total_updates, text)
        self.run_progress.show_run("run", s.run_dir)
