"""The Train tab's "Model" box: the kind, its sizes, and the settings every kind shares
(emission, recurrence) plus its regularisers, shown in words rather than setting names.

It is filled from the worker's :class:`~musevae.gui.workers.tasks.Catalogue` once torch
has loaded, so the window never imports the model code itself. What it returns from
:meth:`ModelForm.settings` is exactly what ``musevae train --set NAME=VALUE`` takes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QSpinBox, QWidget

from musevae.gui.shell.widgets import spin
from musevae.gui.workers.tasks import Catalogue

# How each choice reads in the box; a value missing here shows as itself.
WORDS = {
    "bernoulli": "independent keys (Bernoulli)",
    "nade": "keys in turn (NADE: counts voices)",
    "gru": "GRU",
    "lstm": "LSTM (faster on a CPU)",
    "low-high": "low to high",
    "high-low": "high to low (top voice first)",
}
TIPS = {
    "emission": "NADE draws the keys one after another, each knowing the ones already on, "
    "so chords and voice counts come out right; it scores about a nat per frame better "
    "on the chorales and trains a little slower.",
    "rnn": "The cell of every recurrence. On a CPU an LSTM trains about twice as fast as a "
    "GRU of the same width (PyTorch sends LSTMs to oneDNN).",
    "nade_hidden": "Hidden units of the NADE over the 88 keys.",
    "key_order": "High to low draws the top voice first, so Harmonise conditions on a "
    "melody exactly; low to high is the published RNN-NADE's order.",
    "dropout": "Silences a random share of units while training (never while generating). "
    "Small sets that overfit, such as the chorales, gain from 0.3 or so.",
}


class ModelForm(QGroupBox):
    """Kind, sizes, emission, recurrence, NADE settings and dropout of a new run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Model", parent)
        self.catalogue: Catalogue | None = None
        self.kind = QComboBox()
        self.kind.setPlaceholderText("loading models…")
        self.kind.setMinimumContentsLength(8)
        self.emission, self.rnn, self.key_order = QComboBox(), QComboBox(), QComboBox()
        self.nade_hidden = spin(1, 4096, 150, TIPS["nade_hidden"])
        self.dropout = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=0.95, singleStep=0.05)
        self.sizes: dict[str, QSpinBox] = {}
        for name in ("emission", "rnn", "key_order", "dropout"):
            getattr(self, name).setToolTip(TIPS[name])
        self.form = QFormLayout(self)
        self.form.addRow("Type:", self.kind)
        self.form.addRow("Emission:", self.emission)
        self.form.addRow("Recurrence:", self.rnn)
        self.form.addRow("NADE hidden:", self.nade_hidden)
        self.form.addRow("Keys drawn:", self.key_order)
        self.form.addRow("Dropout:", self.dropout)
        self.kind.currentTextChanged.connect(self._show_kind)
        self.emission.currentIndexChanged.connect(lambda _: self._show_rows())
        self._show_rows()

    def widgets(self) -> list[QWidget]:
        """Every field, for the panel to lock while a run is busy."""
        fields = [self.kind, self.emission, self.rnn, self.nade_hidden, self.key_order]
        return [*fields, self.dropout, *self.sizes.values()]

    def show_catalogue(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        for name in ("emission", "rnn", "key_order"):
            box: QComboBox = getattr(self, name)
            box.clear()
            for value in catalogue.choices.get(name, ()):
                box.addItem(WORDS.get(value, value), value)
            box.setCurrentIndex(max(0, box.findData(catalogue.shared.get(name))))
        self.nade_hidden.setValue(catalogue.shared.get("nade_hidden", self.nade_hidden.value()))
        self.kind.clear()
        self.kind.addItems(list(catalogue.sizes))
        self.kind.setCurrentText("srnn" if "srnn" in catalogue.sizes else self.kind.itemText(0))

    def settings(self) -> dict[str, Any]:
        """The model settings the form shows: sizes, choices and rates by setting name."""
        chosen: dict[str, Any] = {name: box.value() for name, box in self.sizes.items()}
        chosen |= {"emission": self.emission.currentData(), "rnn": self.rnn.currentData()}
        if chosen["emission"] == "nade":
            chosen |= {"nade_hidden": self.nade_hidden.value(),
                       "key_order": self.key_order.currentData()}  # fmt: skip
        if self._has_dropout():
            chosen["dropout"] = round(self.dropout.value(), 2)
        return {name: value for name, value in chosen.items() if value is not None}

    def _has_dropout(self) -> bool:
        rates = self.catalogue.rates.get(self.kind.currentText(), {}) if self.catalogue else {}
        return "dropout" in rates

    def _show_kind(self, kind: str) -> None:
        for box in self.sizes.values():
            self.form.removeRow(box)
        catalogue = self.catalogue
        defaults = catalogue.sizes.get(kind, {}) if catalogue else {}
        self.sizes = {name: spin(1, 4096, value) for name, value in defaults.items()}
        first = self.form.getWidgetPosition(self.rnn)[0] + 1  # the sizes follow the cell
        for row, (name, box) in enumerate(self.sizes.items(), first):
            self.form.insertRow(row, f"{name}:", box)
        rates = catalogue.rates.get(kind, {}) if catalogue else {}
        self.dropout.setValue(rates.get("dropout", 0.0))
        self._show_rows()

    def _show_rows(self) -> None:
        nade = self.emission.currentData() == "nade"
        self.form.setRowVisible(self.nade_hidden, nade)
        self.form.setRowVisible(self.key_order, nade)
        self.form.setRowVisible(self.dropout, self._has_dropout())
