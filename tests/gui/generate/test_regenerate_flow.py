"""Regenerating a selection through the window: Shift+drag selects steps, "Regenerate
selection" resamples them in the worker, exactly as the core does with the same seed,
leaves every other step and candidate as it was, and undo/redo swap the passage."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.gui.conftest import TIMEOUT_MS
from tests.gui.generate.test_generate_flow import generate, open_model
from tests.gui.roll.test_roll_editing import LEFT, SHIFT, at


def test_regenerate_selection_replaces_the_passage_and_is_undoable(
    window, dialogs, tiny_model, qtbot
):
    from musevae.generate import Controls
    from musevae.generate.regenerate import regenerate
    from musevae.train.checkpoint import load_model

    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=24, candidates=2, seed=7)
    panel, g = window.roll_panel, window.generation
    panel._fit()
    g.set_candidate(1)
    QTest.mousePress(panel.roll, LEFT, SHIFT, at(panel, 8, 40))
    QTest.mouseMove(panel.roll, at(panel, 15, 40))
    QTest.mouseRelease(panel.roll, LEFT, SHIFT, at(panel, 15, 40))
    assert (panel.editor.selection.start, panel.editor.selection.stop) == (8, 16)
    before = g.buffer.notes[:, :24].copy()
    entropy_before = g.lanes()["entropy"].copy()
    piece = g.roll(window.playback.tempo)

    with qtbot.waitSignal(g.edited, timeout=TIMEOUT_MS) as edited:
        QTest.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert edited.args == [8, 16]
    after = g.buffer.notes[:, :24]
    assert np.array_equal(after[0], before[0])  # the other candidate is untouched
    assert np.array_equal(after[1, :8], before[1, :8]) and np.array_equal(after[1, 16:], before[1, 16:])

    # the same passage the core draws with the panel's seed and controls
    model = load_model(tiny_model)[0]
    core = regenerate(model, piece, 8, 16, controls=Controls(**window.generate_panel.controls()),
                      seed=7)  # fmt: skip
    expected = core.proposals.rolls[core.chosen[0]].keys
    assert np.array_equal(after[1, 8:16], expected)
    assert np.allclose(g.lanes()["entropy"][8:16], core.proposals.entropy[core.chosen[0]])
    assert np.array_equal(g.lanes()["entropy"][:8], entropy_before[:8])
    assert "proposals counted" in window.statusBar().currentMessage()

    window.interaction.undo.trigger()
    assert np.array_equal(g.buffer.notes[:, :24], before)
    assert np.array_equal(g.lanes()["entropy"], entropy_before)
    window.interaction.redo.trigger()
    assert np.array_equal(g.buffer.notes[1, 8:16], expected)


def test_regenerate_without_a_selection_says_how_to_make_one(window, dialogs, tiny_model, qtbot):
    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=8, candidates=1)
    with qtbot.waitSignal(window.notifier.posted) as posted:
        window.interaction.regenerate.trigger()
    assert "Shift+drag" in posted.args[0].text and not window.generating.busy
