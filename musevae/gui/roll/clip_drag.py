"""Dragging the piece out of the app: a ``.mid`` of a candidate (or of the selected
steps) through standard drag and drop, as a file URL in QMimeData.

DAWs and file managers take a dropped file, not MIDI bytes, so the clip is written to a
temporary file first; it is left there after the drop, because the receiver may read
it only once the drop has returned. The same file serves "Continue this piece", which
primes the model with the edited piece.

Three places start the drag: the grip in the transport bar, a candidate's tab, and
Ctrl+drag on the roll. :class:`ClipDragStarter` is the press-then-move they share.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, Qt, QUrl
from PySide6.QtGui import QDrag, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from musevae.gui.generate.state import GenerationState
from musevae.gui.playback.state import PlaybackState
from musevae.gui.roll.editing import Selection

# Ctrl+drag on the roll drags a clip; it never draws, selects or seeks
ROLL_GESTURE, ROLL_KEY = Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_Control


def clip_file(
    generation: GenerationState,
    tempo: float,
    selection: Selection | None = None,
    candidate: int | None = None,
) -> Path:
    """Write candidate ``candidate`` (the shown one by default; only the selected steps,
    when there are some) to a ``.mid`` in the temporary folder, named after the piece;
    returns its path."""
    from musevae.data.midi_io import write_midi

    c = generation.candidate if candidate is None else candidate
    roll = generation.roll(tempo, c)
    name = f"musevae-seed{generation.seed}-{c + 1}"
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


class ClipDragStarter:
    """A press that remembers where it was and which clip it would carry; a move past
    the platform's start distance then drags that clip out of ``source``. The clip is
    written when the drag starts, so it is the piece as it is then."""

    def __init__(self, source: QWidget) -> None:
        self.source = source
        self._pressed: QPoint | None = None
        self._clip: Callable[[], Path] | None = None

    @property
    def pressed(self) -> bool:
        return self._pressed is not None

    def press(self, pos: QPoint, clip: Callable[[], Path]) -> None:
        self._pressed, self._clip = pos, clip

    def release(self) -> None:
        self._pressed = self._clip = None

    def move(self, pos: QPoint) -> bool:
        """Start the drag once the pointer is far enough from the press; True while a
        press is being followed (the caller's own handling of the move is then moot)."""
        if self._pressed is None or self._clip is None:
            return False
        if (pos - self._pressed).manhattanLength() >= QApplication.startDragDistance():
            clip = self._clip
            self.release()
            drag = QDrag(self.source)
            drag.setMimeData(clip_mime(clip()))
            drag.exec(Qt.DropAction.CopyAction)
        return True


class ClipHandle(QLabel):
    """A grip next to the roll's tools: drag it onto a DAW track or the desktop and the
    shown candidate (or the selection) arrives there as a ``.mid``."""

    def __init__(
        self, generation: GenerationState, playback: PlaybackState, selection: Selection,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__("⠿ Drag clip", parent)
        self.generation, self.playback, self.selection = generation, playback, selection
        self.setToolTip(
            "Drag the shown candidate, or the selected steps, into a DAW or a folder "
            "(Ctrl+drag on the roll does too; a candidate's tab drags that candidate)"
        )
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.starter = ClipDragStarter(self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.generation.steps:
            g, playback, selection = self.generation, self.playback, self.selection
            self.starter.press(event.position().toPoint(),
                               lambda: clip_file(g, playback.tempo, selection))  # fmt: skip

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.starter.release()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.starter.move(event.position().toPoint())


class RollClipDrag(QObject):
    """Ctrl+drag on the roll drags the selected steps out, or the whole shown candidate
    when none are selected; the cursor is an open hand while Ctrl is held over the roll.
    An event filter installed after the editor's, so it sees the press first and the
    editor neither draws nor selects on it."""

    def __init__(
        self, generation: GenerationState, playback: PlaybackState, selection: Selection,
        roll: QWidget,
    ) -> None:  # fmt: skip
        super().__init__(roll)
        self.generation, self.playback, self.selection = generation, playback, selection
        self.roll = roll
        self.starter = ClipDragStarter(roll)
        roll.setToolTip("Ctrl+drag: the selected steps, or the whole candidate, into a DAW "
                        "or a folder as a .mid")  # fmt: skip
        roll.setMouseTracking(True)  # the cursor follows Ctrl as the pointer moves in
        roll.installEventFilter(self)

    def eventFilter(self, roll: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            assert isinstance(event, QKeyEvent)
            if event.key() == ROLL_KEY:
                self._show_hand(kind == QEvent.Type.KeyPress)
            return False
        if kind not in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                        QEvent.Type.MouseButtonRelease):  # fmt: skip
            return False
        assert isinstance(event, QMouseEvent)
        pos = event.position().toPoint()
        if kind == QEvent.Type.MouseButtonPress:
            if event.button() != Qt.MouseButton.LeftButton or not (
                event.modifiers() & ROLL_GESTURE and self.generation.steps
            ):
                return False
            g, playback, selection = self.generation, self.playback, self.selection
            self.starter.press(pos, lambda: clip_file(g, playback.tempo, selection))
            self.roll.setCursor(Qt.CursorShape.ClosedHandCursor)
            return True
        if kind == QEvent.Type.MouseButtonRelease:
            followed = self.starter.pressed
            self.starter.release()
            self._show_hand(bool(event.modifiers() & ROLL_GESTURE))
            return followed
        if self.starter.move(pos):
            if not self.starter.pressed:  # the drag ran and has ended
                self._show_hand(bool(QApplication.keyboardModifiers() & ROLL_GESTURE))
            return True
        if not event.buttons():
            self._show_hand(bool(event.modifiers() & ROLL_GESTURE))
        return False

    def _show_hand(self, held: bool) -> None:
        if held and self.generation.steps:
            self.roll.setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            self.roll.unsetCursor()
