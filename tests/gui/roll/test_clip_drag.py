"""Dragging a clip out: the grip's drag carries a file URL to a ``.mid`` of the shown
candidate, or of the selected steps, and that file reads back as those notes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData

from musevae.data.midi_io import read_midi
from musevae.gui.roll.clip_drag import ClipHandle
from tests.gui.roll.test_roll_editing import MIDDLE_C, panel_with_piece


def dropped_file(mime: QMimeData) -> Path:
    (url,) = mime.urls()  # one file, as a file manager or a DAW expects
    assert url.isLocalFile()
    return Path(url.toLocalFile())


def grip(panel) -> ClipHandle:
    handle = ClipHandle(panel.generation, panel.playback, panel.editor.selection)
    handle.setParent(panel)
    return handle


def test_the_drag_carries_the_shown_candidate_as_a_midi_file(qtbot):
    panel = panel_with_piece(qtbot, steps=20)
    g = panel.generation
    g.set_candidate(1)
    path = dropped_file(grip(panel).drag().mimeData())
    assert path.suffix == ".mid" and "seed3-2" in path.name
    roll = read_midi(path, step_beats=g.step_beats).roll
    assert np.array_equal(roll.keys, g.notes())  # all 20 steps, the silent last one too
    assert roll.keys[::2, MIDDLE_C + 1].all() and roll.tempo == panel.playback.tempo


def test_with_steps_selected_the_clip_is_the_selection(qtbot):
    panel = panel_with_piece(qtbot, steps=20)
    g = panel.generation
    panel.editor.selection.set(4, 10)
    path = dropped_file(grip(panel).drag().mimeData())
    assert path.name.endswith("-steps4-10.mid")
    roll = read_midi(path, step_beats=g.step_beats).roll
    assert np.array_equal(roll.keys, g.notes()[4:10])
    assert roll.keys[[0, 2, 4], MIDDLE_C].all()  # steps 4, 6, 8
