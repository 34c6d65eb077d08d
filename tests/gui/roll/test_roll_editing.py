"""Drawing on the roll: a press toggles the key under it, a drag carries the stroke
along the key, Shift+drag selects steps, and one undo takes back one stroke; in the
window, Ctrl+Z / Ctrl+Shift+Z do it and export writes the edited piece."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from musevae.data.midi_io import read_midi
from musevae.generate.sampler import GeneratedStep
from musevae.gui.generate.state import GenerationState
from musevae.gui.playback.state import PlaybackState
from musevae.gui.roll.panel import RollPanel
from musevae.gui.roll.timeline import TimeAxis
from tests.gui.conftest import TIMEOUT_MS
from tests.gui.generate.test_generate_flow import generate, open_model

MIDDLE_C = 39  # roll key of MIDI 60
SHIFT = Qt.KeyboardModifier.ShiftModifier
LEFT = Qt.MouseButton.LeftButton


def panel_with_piece(qtbot: Any, steps: int = 20) -> RollPanel:
    """A roll panel at 10 px a step showing 2 candidates: candidate c holds middle C + c
    on every even step, probability 0.9."""
    generation = GenerationState()
    panel = RollPanel(generation, TimeAxis(10.0), PlaybackState())
    qtbot.addWidget(panel)
    panel.resize(900, 700)
    panel.show()
    generation.begin(2, 3, 0.5, None)
    for t in range(steps):
        notes = np.zeros((2, 88), bool)
        notes[[0, 1], [MIDDLE_C, MIDDLE_C + 1]] = t % 2 == 0
        generation.add(GeneratedStep(t, notes, np.full((2, 88), 0.9, np.float32),
                                     np.ones(2, np.float32), None, 0.5))  # fmt: skip
    return panel


def at(panel: RollPanel, step: int, key: int) -> QPoint:
    """The middle of the cell of ``step`` and ``key`` on the roll."""
    roll, keys = panel.roll, panel.keys
    h = keys.row_height(roll.height())
    return QPoint(int(panel.axis.x_of(step + 0.5)), int(keys.row_top(key, roll.height()) + h / 2))


def test_a_stroke_draws_along_a_key_and_one_undo_takes_it_back(qtbot):
    panel = panel_with_piece(qtbot)
    g, roll = panel.generation, panel.roll
    before = g.notes().copy()
    edited: list[tuple[int, int]] = []
    g.edited.connect(lambda a, b: edited.append((a, b)))
    panel.editor.set_drawing(True)
    key = MIDDLE_C + 5  # an empty row
    QTest.mousePress(roll, LEFT, pos=at(panel, 3, key))
    QTest.mouseMove(roll, at(panel, 6, key))
    QTest.mouseRelease(roll, LEFT, pos=at(panel, 6, key))
    after = g.notes()
    assert after[3:7, key].all() and not after[:3, key].any() and not after[7:, key].any()
    assert np.array_equal(np.delete(after, key, 1), np.delete(before, key, 1))  # nothing else
    assert (g.probs()[3:7, key] == 1.0).all()  # a drawn note is certain, not the model's
    assert edited and edited[-1] == (3, 7)
    assert panel.editor.stack.count() == 1  # the whole stroke is one edit

    panel.editor.stack.undo()
    assert np.array_equal(g.notes(), before) and (g.probs()[3:7, key] == np.float32(0.9)).all()
    panel.editor.stack.redo()
    assert g.notes()[3:7, key].all()


def test_a_press_on_a_note_erases_it_and_undo_returns_to_its_candidate(qtbot):
    panel = panel_with_piece(qtbot)
    g, roll = panel.generation, panel.roll
    g.set_candidate(1)
    panel.editor.set_drawing(True)
    assert g.notes()[4, MIDDLE_C + 1]
    QTest.mouseClick(roll, LEFT, pos=at(panel, 4, MIDDLE_C + 1))
    assert not g.notes()[4, MIDDLE_C + 1] and g.notes()[2, MIDDLE_C + 1]
    assert g.buffer.notes[0, 4, MIDDLE_C]  # the other candidate is untouched
    g.set_candidate(0)
    panel.editor.stack.undo()
    assert g.candidate == 1 and g.notes()[4, MIDDLE_C + 1]  # undone where it was made


def test_shift_drag_selects_steps_and_a_plain_click_still_seeks(qtbot):
    panel = panel_with_piece(qtbot)
    roll, selection = panel.roll, panel.editor.selection
    QTest.mousePress(roll, LEFT, SHIFT, at(panel, 9, MIDDLE_C))
    QTest.mouseMove(roll, at(panel, 4, MIDDLE_C))
    QTest.mouseRelease(roll, LEFT, SHIFT, at(panel, 4, MIDDLE_C))
    assert (selection.start, selection.stop) == (4, 10)  # steps 4..9, dragged leftwards
    assert not panel.editor.stack.count()  # selecting edits nothing
    with qtbot.waitSignal(roll.seekRequested) as seek:  # Draw is off: a click seeks
        QTest.mouseClick(roll, LEFT, pos=at(panel, 12, MIDDLE_C))
    assert seek.args == [12.0]
    panel.generation.begin(1, 0, 0.5, None)  # a new piece: nothing to undo or keep selected
    assert not selection and panel.editor.stack.count() == 0


def test_in_the_window_ctrl_z_undoes_and_export_writes_the_edited_piece(
    window, dialogs, tiny_model, qtbot, tmp_path
):
    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=16, candidates=1)
    panel, g = window.roll_panel, window.generation
    panel._fit()
    window.interaction.draw.trigger()  # the Edit menu's and the toolbar's Draw
    assert panel.editor.drawing
    panel.keys.fit(None)
    start = g.notes().copy()
    key = 87  # the top key; a barely trained model may play anything, so it may sound
    value = not start[2, key]  # the press toggles the key under it, the drag carries that on
    QTest.mousePress(panel.roll, LEFT, pos=at(panel, 2, key))
    QTest.mouseMove(panel.roll, at(panel, 5, key))
    QTest.mouseRelease(panel.roll, LEFT, pos=at(panel, 5, key))
    drawn = g.notes().copy()
    assert (drawn[2:6, key] == value).all()
    assert np.array_equal(np.delete(drawn, np.s_[2:6], 0), np.delete(start, np.s_[2:6], 0))
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert np.array_equal(g.notes(), start)
    QTest.keyClick(window, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | SHIFT)  # fmt: skip
    assert np.array_equal(g.notes(), drawn)

    target = tmp_path / "edited.mid"
    dialogs.script("save_file", target)
    with qtbot.waitSignal(window.notifier.posted, timeout=TIMEOUT_MS) as posted:
        window.action["export"].trigger()
    assert posted.args[0].title == "Exported"
    roll = read_midi(target, step_beats=g.step_beats).roll
    assert np.array_equal(roll.keys, drawn[: len(roll)]) and not drawn[len(roll) :].any()


def test_continue_this_piece_primes_the_model_with_the_edited_piece(
    window, dialogs, tiny_model, qtbot
):
    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=12, candidates=1)
    g = window.generation
    g.buffer.notes[0, :12] = False  # a hand edit: silence, then one drawn C
    window.roll_panel.editor.set_drawing(True)
    window.roll_panel.keys.fit(None)
    QTest.mouseClick(window.roll_panel.roll, LEFT, pos=at(window.roll_panel, 11, MIDDLE_C))
    edited = g.notes().copy()
    window.generate_panel.steps.setValue(6)
    with qtbot.waitSignal(window.generating.busyChanged, timeout=TIMEOUT_MS,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        window.interaction.continue_piece.trigger()
    assert window.generating.prime is not None and window.generating.prime.suffix == ".mid"
    assert g.prime is not None and np.array_equal(g.prime.keys, edited)  # what it continued
    assert g.steps == 6
