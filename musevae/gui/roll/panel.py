"""The roll area: candidate tabs and zoom buttons, which model made the piece,
keyboard + roll, the uncertainty lane, one scroll bar, and a read-out line. It wires
views to state and owns none."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from musevae.gui.generate.state import GenerationState
from musevae.gui.roll.candidate_tabs import CandidateTabs
from musevae.gui.roll.clip_drag import RollClipDrag
from musevae.gui.roll.key_axis import KeyAxis
from musevae.gui.playback.state import PlaybackState
from musevae.gui.roll.keyboard import KeyboardWidget
from musevae.gui.roll.lanes import UncertaintyLane
from musevae.gui.roll.piano_roll import PianoRollWidget
from musevae.gui.roll.editing import RollEditor
from musevae.gui.roll.timeline import TimeAxis


class RollPanel(QWidget):
    def __init__(
        self,
        generation: GenerationState,
        axis: TimeAxis,
        playback: PlaybackState,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.generation, self.axis, self.playback = generation, axis, playback
        self.keys = KeyAxis(self)
        self.candidates = CandidateTabs(generation, playback)
        self.follow = QCheckBox("Follow")
        self.follow.setChecked(True)
        self.follow.setToolTip("Keep the newest step, or the playhead, on screen")
        self.info = QLabel()  # model · steps · seed of the piece on screen
        self.readout = QLabel(" ")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.keyboard = KeyboardWidget(self.keys)
        self.roll = PianoRollWidget(generation, axis, self.keys, playback)
        self.editor = RollEditor(generation, axis, self.keys, self)  # drawing, selection, undo
        self.editor.attach(self.roll)
        self.clip_drag = RollClipDrag(generation, playback, self.editor.selection, self.roll)
        self.lane = UncertaintyLane(generation, axis, playback)
        self.scroll = QScrollBar(Qt.Orientation.Horizontal)
        self._layout()
        self._connect()

    def _layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Candidate"))
        bar.addWidget(self.candidates)
        for text, tip, action in (
            ("−", "Zoom out (Ctrl+wheel)", lambda: self._zoom(0.8)),
            ("+", "Zoom in (Ctrl+wheel)", lambda: self._zoom(1.25)),
            ("Fit", "Show the whole piece and just its keys", self._fit),
            ("88", "Show all 88 keys (Shift+wheel scrolls the keys)", self._all_keys),
        ):
            button = QToolButton(text=text, toolTip=tip)
            button.clicked.connect(action)
            bar.addWidget(button)
        bar.addWidget(self.follow)
        bar.addStretch(1)
        bar.addWidget(self.info)
        grid = QGridLayout()
        grid.setSpacing(0)
        grid.addWidget(self.keyboard, 0, 0)
        grid.addWidget(self.roll, 0, 1)
        grid.addWidget(self.lane, 1, 1)
        grid.addWidget(self.scroll, 2, 1)
        grid.setRowStretch(0, 1)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addLayout(grid, 1)
        layout.addWidget(self.readout)

    def _connect(self) -> None:
        g = self.generation
        g.started.connect(self._on_started)
        g.grown.connect(self._on_grown)
        g.candidateChanged.connect(self.candidates.setCurrentIndex)
        g.runningChanged.connect(
            lambda running: running or self.keys.fit_piece(self.generation.key_range())
        )
        self.candidates.currentChanged.connect(g.set_candidate)
        self.axis.changed.connect(self._sync_scroll)
        self.scroll.valueChanged.connect(lambda value: self.axis.scroll_to(float(value)))
        self.lane.hovered.connect(self.readout.setText)
        self.playback.positionChanged.connect(self._on_position)

    def _on_started(self) -> None:
        self.candidates.show_candidates(self.generation.candidates)
        self.axis.scroll_to(0.0)
        self.readout.setText(" ")  # the last piece's values are stale
        self.keys.new_piece()
        card = self.generation.card
        self.info.setToolTip("" if card is None else f"made by {card}")
        self._on_grown(0)

    def _on_grown(self, steps: int) -> None:
        g = self.generation
        made_by = [g.model] if g.model else []
        self.info.setText(" · ".join([*made_by, f"{steps:,} steps", f"seed {g.seed}"]))
        if self.follow.isChecked() and self.generation.running:
            self.axis.follow(steps, self.roll.width())
        self._sync_scroll()

    def _on_position(self, step: float) -> None:
        if self.follow.isChecked() and self.playback.playing:
            self.axis.follow(step, self.roll.width())

    def _sync_scroll(self) -> None:
        t0, t1 = self.axis.visible(self.roll.width())
        page = max(1, t1 - t0)
        self.scroll.blockSignals(True)
        self.scroll.setRange(0, max(0, self.generation.steps - page + 1))
        self.scroll.setPageStep(page)
        self.scroll.setValue(int(self.axis.first))
        self.scroll.blockSignals(False)

    def _zoom(self, factor: float) -> None:
        self.axis.zoom(factor, self.roll.width() / 2)

    def _fit(self) -> None:
        self.axis.fit(max(1, self.generation.steps), self.roll.width())
        self._fit_keys()

    def _fit_keys(self) -> None:
        self.keys.fit(self.generation.key_range())

    def _all_keys(self) -> None:
        self.keys.fit(None)
