"""The questions the app asks (file pickers, names, confirmations), in one replaceable place.

Every view asks through a :class:`Dialogs` object instead of calling QFileDialog itself,
so tests hand the window one with scripted answers and no modal dialog ever blocks them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

MIDI_FILTER = "MIDI files (*.mid *.midi)"
CARD_FILTER = "Model cards (*.json);;Weights (*.safetensors)"


class Dialogs:
    """Modal questions for a person at the screen; each returns None when cancelled."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def open_file(self, title: str, start: str, filters: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self.parent, title, start, filters)
        return Path(name) if name else None

    def save_file(self, title: str, start: str, filters: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.parent, title, start, filters)
        return Path(name) if name else None

    def folder(self, title: str, start: str) -> Path | None:
        name = QFileDialog.getExistingDirectory(self.parent, title, start)
        return Path(name) if name else None

    def text(self, title: str, label: str, value: str) -> str | None:
        text, ok = QInputDialog.getText(self.parent, title, label, text=value)
        return text if ok else None

    def confirm(self, title: str, question: str) -> bool:
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        answer = QMessageBox.question(self.parent, title, question, buttons)
        return answer == QMessageBox.StandardButton.Yes
