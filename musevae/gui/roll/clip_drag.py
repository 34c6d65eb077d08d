"""Dragging the piece out of the app: a ``.mid`` of the shown candidate (or of the
selected steps) through standard drag and drop, as a file URL in QMimeData.

DAWs and file managers take a dropped file, not MIDI bytes, so the clip is written to a
temporary file first; it is left there after the drop, because the receiver may read
it only once the drop has returned. The same file serves "Continue this piece", which
primes the model with the edited piece.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDrag, QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from musevae.gui.generate.state import GenerationState
from musevae.gui.playback.state import PlaybackState
from musevae.gui.roll.editing import Selection


def clip_file(
    generation: GenerationState, tempo: float, selection: Selection | None = None
) -> Path:
    """Write the shown candidate (only the selected steps, when there are some) to a
    ``.mid`` in the temporary folder, named after the piece; returns its path."""
    from musevae.data.midi_io import write_midi

    roll = generation.roll(tempo)
    name = f"musevae-seed{generation.seed}-{generation.candidate + 1}"
    if selection:
        roll = roll[selection.start : selection.stop]
        name += f"-steps{selection.start}-{selection.stop}"
    folder = Path(tempfile.gettempdir()) / "musevae-clips"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.mid"
    write_midi(roll, path)
    return path


def clip_mime(path: Path) -> QMimeData:
    """Mime data a DAW or a file manager takes as a dropped ``.mid``."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    return mime


class ClipHandle(QLabel):
    """A grip next to the candidate chooser: drag it onto a DAW track or the desktop and
    the shown candidate (or the selection) arrives there as a ``.mid``."""

    def __init__(
        self, generation: GenerationState, playback: PlaybackState, selection: Selection,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__("⠿ Drag clip", parent)
        self.generation, self.playback, self.selection = generation, playback, selection
        self.setToolTip("Drag the shown candidate, or the selected steps, into a DAW or a folder")
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self._pressed: QPoint | None = None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.generation.steps:
            self._pressed = event.position().toPoint()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._pressed = None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pressed is None:
            return
        moved = (event.position().toPoint() - self._pressed).manhattanLength()
        if moved >= QApplication.startDragDistance():
            self._pressed = None
            self.drag().exec(Qt.DropAction.CopyAction)

    def drag(self) -> QDrag:
        """The drag of the current clip (written now, so it is the piece as shown)."""
        drag = QDrag(self)
        drag.setMimeData(clip_mime(clip_file(self.generation, self.playback.tempo,
                                             self.selection)))  # fmt: skip
        return drag
