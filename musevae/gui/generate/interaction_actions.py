"""The Edit menu: undo and redo, Draw, and the interactions that start from the piece on
screen — regenerate the selected steps, harmonise the shown piece or a melody file,
continue the (edited) piece. Each is a QAction, window-wide, so a shortcut works
whichever panel has the focus; the work itself runs in the generate session's job."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from musevae.gui.roll.clip_drag import clip_file
from musevae.gui.shell.dialogs import MIDI_FILTER, Dialogs
from musevae.gui.generate.session import GenerateSession
from musevae.gui.generate.state import GenerationState
from musevae.gui.playback.state import PlaybackState
from musevae.gui.generate.panel import GeneratePanel
from musevae.gui.roll.editing import RollEditor


class InteractionActions(QObject):
    """``actions`` in menu order (None marks a separator)."""

    def __init__(
        self, editor: RollEditor, generation: GenerationState, session: GenerateSession,
        panel: GeneratePanel, playback: PlaybackState, dialogs: Dialogs,
        parent: QObject | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.editor, self.generation, self.session = editor, generation, session
        self.panel, self.playback, self.dialogs = panel, playback, dialogs
        self.undo = editor.stack.createUndoAction(self, "Undo")
        self.undo.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo = editor.stack.createRedoAction(self, "Redo")
        self.redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.draw = QAction("Draw notes", self, checkable=True)
        self.draw.setToolTip("Click or drag on the roll to add or remove notes "
                             "(Shift+drag selects steps, with Draw on or off)")  # fmt: skip
        self.draw.toggled.connect(editor.set_drawing)
        editor.drawingChanged.connect(self.draw.setChecked)
        self.regenerate = self._action("Regenerate selection", self.regenerate_selection, "Ctrl+R")
        self.harmonize = self._action("Harmonise the shown piece", self.harmonize_shown, "Ctrl+H")
        self.harmonize_file = self._action("Harmonise a melody file…", self.harmonize_melody_file)
        self.continue_piece = self._action("Continue this piece", self.continue_shown)
        self.actions: list[QAction | None] = [self.undo, self.redo, None, self.draw, None,
                                              self.regenerate, self.harmonize,
                                              self.harmonize_file, self.continue_piece]  # fmt: skip
        for action in (self.undo, self.redo, self.draw):
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        session.regenerated.connect(
            lambda passage: editor.apply(passage, f"Regenerate steps {passage.start}–{passage.stop}")
        )

    def fill(self, menu: QMenu, window: QWidget) -> None:
        """Put the actions in ``menu``, and on ``window`` so their shortcuts work even
        with the menu bar hidden or a dock floating."""
        for action in self.actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
                window.addAction(action)

    def _action(self, text: str, slot: Callable[[], object], shortcut: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        return action

    def _has_piece(self, what: str) -> bool:
        if self.generation.steps == 0:
            self.session.notifier.warning(what, "Nothing on the roll yet: generate a piece first.")
        return self.generation.steps > 0

    def regenerate_selection(self) -> None:
        """Resample the selected steps of the shown candidate, joining both sides."""
        selection = self.editor.selection
        if not self._has_piece("Regenerate"):
            return
        if not selection:
            self.session.notifier.warning(
                "Regenerate", "Select the steps first: Shift+drag across the roll."
            )
            return
        request = self.panel.request()
        if request is not None:
            piece = self.generation.roll(self.playback.tempo)
            self.session.regenerate(request, piece, selection.start, selection.stop,
                                    self.generation.candidate)  # fmt: skip

    def harmonize_shown(self) -> None:
        """Voices under the shown candidate's top line (drawn notes included)."""
        if self._has_piece("Harmonise"):
            self._harmonize(self.generation.roll(self.playback.tempo))

    def harmonize_melody_file(self) -> None:
        path = self.dialogs.open_file_in(self.panel.settings, "folders/melody",
                                         "Harmonise a melody", MIDI_FILTER)  # fmt: skip
        if path is not None:
            self._harmonize(Path(path))

    def _harmonize(self, melody: object) -> None:
        request = self.panel.request()
        if request is not None:
            self.session.harmonize(request, melody)

    def continue_shown(self) -> None:
        """Prime the model with the shown piece as it is now, edits and all, and generate."""
        if self._has_piece("Continue") and self.session.set_prime(
            clip_file(self.generation, self.playback.tempo)
        ):
            self.panel.generate()
