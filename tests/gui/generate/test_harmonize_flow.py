"""Harmonising through the window: the shown piece's top line (drawn notes included) or
a melody file becomes the top voice of several new candidates, each with its lanes; the
melody is conditioned on, so every candidate keeps it and plays nothing above it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from musevae.data.midi_io import write_midi
from musevae.data.pianoroll import PianoRoll
from tests.gui.conftest import TIMEOUT_MS
from tests.gui.generate.test_generate_flow import generate, open_model


def harmonise(window, qtbot, trigger) -> None:
    with qtbot.waitSignal(window.generating.busyChanged, timeout=TIMEOUT_MS,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        trigger()


def keeps_the_melody_on_top(notes: np.ndarray, line: np.ndarray) -> bool:
    """Each candidate ``(N, T, 88)`` sounds the melody's key and nothing above it."""
    for t, key in enumerate(line):
        if key >= 0 and not (notes[:, t, key].all() and not notes[:, t, key + 1 :].any()):
            return False
    return True


def test_harmonise_the_shown_piece_puts_voices_under_its_top_line(
    window, dialogs, tiny_model, qtbot
):
    from musevae.generate.harmonize import top_line

    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=16, candidates=1)
    g = window.generation
    melody = top_line(g.roll(window.playback.tempo)).keys
    line = np.where(melody.any(1), melody.argmax(1), -1)  # (T,) the melody key, -1 at rests
    window.generate_panel.candidates.setValue(3)
    harmonise(window, qtbot, lambda: QTest.keyClick(
        window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier))  # fmt: skip
    assert g.candidates == 3 and g.steps == 16
    notes = g.buffer.notes[:, :16]
    assert keeps_the_melody_on_top(notes, line)
    assert (line >= 0).any() and notes.sum() > melody.sum() * 3  # voices were added below
    assert window.roll_panel.candidates.count() == 3
    for c in range(3):
        g.set_candidate(c)
        assert np.isfinite(g.lanes()["entropy"]).all() and g.lanes()["entropy"].shape == (16,)


def test_harmonise_a_melody_file_chosen_in_a_dialog(window, dialogs, tiny_model, qtbot, tmp_path):
    open_model(window, dialogs, tiny_model, qtbot)
    keys = np.zeros((12, 88), bool)
    line = np.array([51, 51, 53, 53, 55, 55, -1, -1, 56, 56, 58, 58])  # C5 D5 E5, rest, F5 G5
    keys[np.flatnonzero(line >= 0), line[line >= 0]] = True
    path = tmp_path / "melody.mid"
    write_midi(PianoRoll(keys, 0.5, 120.0), path)
    window.generate_panel.candidates.setValue(2)
    dialogs.script("open_file", path)
    harmonise(window, qtbot, window.interaction.harmonize_file.trigger)
    g = window.generation
    assert dialogs.asked[-1] == ("open_file", "Harmonise a melody")
    assert window.settings.get("folders/melody") == str(tmp_path)  # the next one starts here
    assert g.candidates == 2 and g.steps == 12
    assert keeps_the_melody_on_top(g.buffer.notes[:, :12], line)
