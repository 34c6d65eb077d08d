"""The Qt adapter of the core metronome: its hooks become signals, which Qt delivers
queued on the GUI thread (as ``QtPlayer`` does for the player)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal


class QtMetronome(QObject):
    """``clicked(Click)`` after each click and ``failed(error)`` from a core Metronome."""

    clicked = Signal(object)
    failed = Signal(object)

    def __init__(self, metronome: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.metronome = metronome
        metronome.on_click = self.clicked.emit
        metronome.on_error = self.failed.emit
