"""Editing the piece on the roll: drawing notes, selecting steps, and undo/redo.

Every edit, a drawn stroke or a regenerated passage, is one :class:`Passage` written
through :meth:`GenerationState.write`, so the roll, the lane, playback and export all see
it through the state's ``edited`` signal, and the Passage the write returns is the undo.
The QUndoStack holds one command per edit; a new piece clears it, since the old edits
no longer have anything to apply to.

Mouse, on the roll: with Draw on, a press toggles the key under it (adds a note where
there is none, removes one where there is) and a drag carries that on along the key;
Shift+drag selects steps [a, b) whether Draw is on or not; a plain click seeks, as before.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from musevae.gui.generate.state import GenerationState
from musevae.gui.roll.key_axis import KeyAxis
from musevae.gui.generate.step_buffer import Passage
from musevae.gui.roll.timeline import TimeAxis

SELECTION = QColor(60, 120, 220, 40)


class Selection(QObject):
    """Steps ``[start, stop)`` chosen on the roll (empty when start == stop); ``changed``."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.start = self.stop = 0

    def __bool__(self) -> bool:
        return self.stop > self.start

    def set(self, a: int, b: int) -> None:
        start, stop = min(a, b), max(a, b)
        if (start, stop) != (self.start, self.stop):
            self.start, self.stop = start, stop
            self.changed.emit()

    def clear(self) -> None:
        self.set(0, 0)


class WriteCommand(QUndoCommand):
    """One edit: ``new`` written on redo, ``old`` (what it replaced) on undo."""

    def __init__(self, generation: GenerationState, old: Passage, new: Passage, text: str) -> None:
        super().__init__(text)
        self.generation, self.old, self.new = generation, old, new

    def redo(self) -> None:
        self.generation.write(self.new)

    def undo(self) -> None:
        self.generation.write(self.old)


class Stroke:
    """A press-and-drag of the pencil on one key: every step between the press and the
    pointer is set to the value the press chose. ``before`` is the shown candidate as it
    was at the press, so dragging back restores the steps the stroke leaves."""

    def __init__(self, generation: GenerationState, step: int, key: int) -> None:
        self.before = generation.passage(0, generation.steps)
        self.anchor, self.key = step, key
        self.value = not bool(self.before.notes[step, key])
        self.low, self.high = step, step + 1  # every step written so far

    def to(self, step: int) -> Passage:
        """The passage that draws the stroke from the press to ``step``."""
        lo, hi = min(self.anchor, step), max(self.anchor, step) + 1
        self.low, self.high = min(self.low, lo), max(self.high, hi)
        passage = self.old()
        passage.notes[lo - self.low : hi - self.low, self.key] = self.value
        passage.probs[lo - self.low : hi - self.low, self.key] = float(self.value)  # drawn: sure
        return passage

    def old(self) -> Passage:
        b = self.before
        span = slice(self.low, self.high)
        return Passage(b.candidate, self.low, b.notes[span].copy(), b.probs[span].copy())


class RollEditor(QObject):
    """The undo stack, the Draw mode (``drawingChanged``), the selection, and the mouse
    on the roll (an event filter, so the roll widget itself only paints)."""

    drawingChanged = Signal(bool)

    def __init__(
        self, generation: GenerationState, axis: TimeAxis, keys: KeyAxis, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.generation, self.axis, self.keys = generation, axis, keys
        self.stack = QUndoStack(self)
        self.selection = Selection(self)
        self.drawing = False
        self._stroke: Stroke | None = None
        self._select_from: int | None = None
        generation.started.connect(self.stack.clear)
        generation.started.connect(self.selection.clear)

    def set_drawing(self, drawing: bool) -> None:
        if drawing != self.drawing:
            self.drawing = drawing
            self.drawingChanged.emit(drawing)

    def apply(self, passage: Passage, text: str) -> None:
        """Write ``passage`` as one undoable edit."""
        old = self.generation.buffer.read(passage.candidate, passage.start, passage.stop,
                                          tuple(passage.lanes))  # fmt: skip
        self.stack.push(WriteCommand(self.generation, old, passage, text))

    # --- the mouse on the roll ----------------------------------------------------------
    def attach(self, roll: QWidget) -> None:
        roll.installEventFilter(self)
        SelectionOverlay(self.selection, self.axis, roll)

    def eventFilter(self, roll: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                        QEvent.Type.MouseButtonRelease) or not self.generation.steps:  # fmt: skip
            return False
        assert isinstance(event, QMouseEvent) and isinstance(roll, QWidget)
        x, y = event.position().x(), event.position().y()
        step = min(max(0, int(self.axis.step_at(x))), self.generation.steps - 1)
        if kind == QEvent.Type.MouseButtonPress:
            return self._press(event, step, self.keys.key_at(y, roll.height()))
        if self._select_from is not None:  # both the pressed step and this one selected
            a = self._select_from
            self.selection.set(min(a, step), max(a, step) + 1)
            if kind == QEvent.Type.MouseButtonRelease:
                self._select_from = None
            return True
        if self._stroke is not None:
            drawn = self._stroke.to(step)
            if kind != QEvent.Type.MouseButtonRelease:
                self.generation.write(drawn)  # seen while dragging, undone as one edit
                return True
            stroke, self._stroke = self._stroke, None
            what = "Draw" if stroke.value else "Erase"
            self.stack.push(WriteCommand(self.generation, stroke.old(), drawn, f"{what} notes"))
            return True
        return False

    def _press(self, event: QMouseEvent, step: int, key: int) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._select_from = step
            self.selection.set(step, step + 1)
            return True
        if self.drawing:
            self._stroke = Stroke(self.generation, step, key)
            self.generation.write(self._stroke.to(step))
            return True
        return False


class SelectionOverlay(QWidget):
    """A band over the selected steps, laid over the roll; the mouse passes through."""

    def __init__(self, selection: Selection, axis: TimeAxis, roll: QWidget) -> None:
        super().__init__(roll)
        self.selection, self.axis = selection, axis
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        roll.installEventFilter(self)  # follow the roll's size
        for signal in (selection.changed, axis.changed):
            signal.connect(self.update)
        self.resize(roll.size())

    def eventFilter(self, roll: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(roll, QWidget):
            self.resize(roll.size())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.selection:
            return
        x0 = self.axis.x_of(self.selection.start)
        x1 = self.axis.x_of(self.selection.stop)
        painter = QPainter(self)
        painter.fillRect(QRectF(x0, 0, x1 - x0, self.height()), SELECTION)
        painter.setPen(QColor(60, 120, 220, 160))
        for x in (x0, x1):
            painter.drawLine(int(x), 0, int(x), self.height())
        painter.end()
