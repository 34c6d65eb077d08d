"""The candidate switcher: one tab per candidate, so a candidate can be shown by a
click (or the arrow keys, with the tabs focused) and dragged out by its tab as a
``.mid``, shown or not."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QTabBar, QWidget

from musevae.gui.generate.state import GenerationState
from musevae.gui.playback.state import PlaybackState
from musevae.gui.roll.clip_drag import ClipDragStarter, clip_file


class CandidateTabs(QTabBar):
    """Tabs "1", "2", ...; ``currentChanged(index)`` when one is chosen. The tabs are
    rebuilt by :meth:`show_candidates` without emitting it."""

    def __init__(
        self, generation: GenerationState, playback: PlaybackState, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.generation, self.playback = generation, playback
        self.setToolTip("Which candidate the roll and the lane show")
        self.setDocumentMode(True)
        self.setDrawBase(False)
        self.setExpanding(False)
        self.setUsesScrollButtons(True)  # many candidates scroll rather than widen the bar
        self.starter = ClipDragStarter(self)

    def show_candidates(self, n: int) -> None:
        """One tab per candidate of a new piece, the first current."""
        self.blockSignals(True)
        while self.count():
            self.removeTab(0)
        for i in range(n):
            self.addTab(str(i + 1))
            self.setTabToolTip(i, f"Candidate {i + 1} of {n}: click to show it, drag it into "
                                  "a DAW or a folder for a .mid of it")  # fmt: skip
        self.setCurrentIndex(0)
        self.blockSignals(False)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        pos = event.position().toPoint()
        index = self.tabAt(pos)
        if event.button() == Qt.MouseButton.LeftButton and index >= 0 and self.generation.steps:
            g, playback = self.generation, self.playback
            self.starter.press(pos, lambda: clip_file(g, playback.tempo, candidate=index))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        self.starter.move(event.position().toPoint())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.starter.release()
        super().mouseReleaseEvent(event)
