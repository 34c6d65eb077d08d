"""The Qt adapter of the core player: it only replaces the player's hooks.

``musevae.playback.Player`` owns scheduling and calls ``on_step(index)``,
``on_finish()`` and ``on_error(error)`` on its own thread; here each hook emits a
signal, which Qt delivers queued on the GUI thread (Frescobaldi's player split).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal


class QtPlayer(QObject):
    """``stepped(index)``, ``finished()`` and ``failed(error)`` from a core Player."""

    stepped = Signal(int)
    finished = Signal()
    failed = Signal(object)

    def __init__(self, player: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.player = player
        player.on_step = self.stepped.emit
        player.on_finish = self.finished.emit
        player.on_error = self.failed.emit
