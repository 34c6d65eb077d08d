"""The questions the app asks (file pickers, names, confirmations), in one replaceable place.

Every view asks through a :class:`Dialogs` object instead of calling QFileDialog itself,
so tests hand the window one with scripted answers and no modal dialog ever blocks them.
After each question the window is active again with its focus back (``focus_returns``),
so its shortcuts work at once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from musevae.gui.shell.focus import focus_returns
from musevae.gui.shell.settings import Settings

MIDI_FILTER = "MIDI files (*.mid *.midi)"
CARD_FILTER = "Model cards (*.json);;Weights (*.safetensors)"


class Dialogs:
    """Modal questions for a person at the screen; each returns None when cancelled."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def open_file(self, title: str, start: str, filters: str) -> Path | None:
        with focus_returns(self.parent):
            name, _ = QFileDialog.getOpenFileName(self.parent, title, start, filters)
        return Path(name) if name else None

    def open_file_in(self, settings: Settings, key: str, title: str, filters: str) -> Path | None:
        """``open_file`` from the folder ``settings`` keeps under ``key``, which then
        becomes the chosen file's folder, so the next question starts there."""
        path = self.open_file(title, settings.get(key), filters)
        if path is not None:
            settings.set(key, str(Path(path).parent))
        return path

    def save_file(
        self, title: str, start: str, filters: str, selected: str = ""
    ) -> tuple[Path, str] | None:
        """The path and the filter chosen (``filters`` is ";;"-separated, ``selected``
        the one offered first); a filter may carry a choice, such as MIDI velocities."""
        with focus_returns(self.parent):
            name, chosen = QFileDialog.getSaveFileName(self.parent, title, start, filters, selected)
        return (Path(name), chosen) if name else None

    def folder(self, title: str, start: str) -> Path | None:
        with focus_returns(self.parent):
            name = QFileDialog.getExistingDirectory(self.parent, title, start)
        return Path(name) if name else None

    def text(self, title: str, label: str, value: str) -> str | None:
        with focus_returns(self.parent):
            text, ok = QInputDialog.getText(self.parent, title, label, text=value)
        return text if ok else None

    def confirm(self, title: str, question: str) -> bool:
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        with focus_returns(self.parent):
            answer = QMessageBox.question(self.parent, title, question, buttons)
        return answer == QMessageBox.StandardButton.Yes
