"""Dragging a clip out: the grip, a candidate's tab and Ctrl+drag on the roll each start
a drag whose mime data is one file URL to a ``.mid``, and that file reads back as the
notes dragged (the shown candidate, the tab's candidate, or the selected steps).

QDrag.exec would wait for a drop that never comes offscreen, so it is replaced by one
that records what the drag carries and returns at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QDrag
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from musevae.data.midi_io import read_midi
from musevae.gui.roll.clip_drag import ClipHandle, clip_file
from tests.gui.roll.test_roll_editing import LEFT, MIDDLE_C, SHIFT, at, panel_with_piece

CTRL = Qt.KeyboardModifier.ControlModifier
NONE = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def drags(monkeypatch) -> list[tuple[QWidget, list[QUrl]]]:
    """Each drag started: its source widget and the URLs its mime data carries."""
    started: list[tuple[QWidget, list[QUrl]]] = []

    def exec_(drag: QDrag, *args: object) -> Qt.DropAction:
        started.append((drag.source(), drag.mimeData().urls()))
        return Qt.DropAction.CopyAction

    monkeypatch.setattr(QDrag, "exec", exec_)
    return started


def dropped_file(urls: list[QUrl]) -> Path:
    (url,) = urls  # one file, as a file manager or a DAW expects
    assert url.isLocalFile()
    path = Path(url.toLocalFile())
    assert path.is_file() and path.suffix == ".mid"
    return path


def drag(widget: QWidget, start: QPoint, to: QPoint, modifier=NONE) -> None:
    QTest.mousePress(widget, LEFT, modifier, start)
    QTest.mouseMove(widget, to)
    QTest.mouseRelease(widget, LEFT, modifier, to)


def far() -> QPoint:
    return QPoint(0, 3 * QApplication.startDragDistance())


def grip(panel) -> ClipHandle:
    handle = ClipHandle(panel.generation, panel.playback, panel.editor.selection, panel)
    handle.show()
    return handle


def test_dragging_the_grip_carries_the_shown_candidate_as_a_midi_file(qtbot, drags):
    panel = panel_with_piece(qtbot, steps=20)
    g = panel.generation
    g.set_candidate(1)
    handle = grip(panel)
    drag(handle, QPoint(5, 5), QPoint(5, 5) + far())
    ((source, urls),) = drags
    path = dropped_file(urls)
    assert source is handle and "seed3-2" in path.name
    roll = read_midi(path, step_beats=g.step_beats).roll
    assert np.array_equal(roll.keys, g.notes())  # all 20 steps, the silent last one too
    assert roll.keys[::2, MIDDLE_C + 1].all() and roll.tempo == panel.playback.tempo


def test_with_steps_selected_the_grip_drags_the_selection(qtbot, drags):
    panel = panel_with_piece(qtbot, steps=20)
    g = panel.generation
    panel.editor.selection.set(4, 10)
    drag(grip(panel), QPoint(5, 5), QPoint(5, 5) + far())
    path = dropped_file(drags[0][1])
    assert path.name.endswith("-steps4-10.mid")
    roll = read_midi(path, step_beats=g.step_beats).roll
    assert np.array_equal(roll.keys, g.notes()[4:10])
    assert roll.keys[[0, 2, 4], MIDDLE_C].all()  # steps 4, 6, 8


def test_a_move_shorter_than_the_drag_distance_starts_no_drag(qtbot, drags):
    panel = panel_with_piece(qtbot)
    tab = panel.candidates.tabRect(1).center()
    drag(panel.candidates, tab, tab + QPoint(0, QApplication.startDragDistance() // 2))
    drag(panel.roll, at(panel, 3, MIDDLE_C), at(panel, 3, MIDDLE_C) + QPoint(1, 0), CTRL)
    assert drags == []
    assert panel.generation.candidate == 1  # the press chose the tab, as a click does


def test_a_candidates_tab_drags_that_candidate(qtbot, drags):
    panel = panel_with_piece(qtbot)
    g, tabs = panel.generation, panel.candidates
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["1", "2"]
    assert "Candidate 2 of 2" in tabs.tabToolTip(1)
    panel.editor.selection.set(4, 10)  # a tab is the whole candidate, selection or not
    start = tabs.tabRect(1).center()
    drag(tabs, start, start + far())
    ((source, urls),) = drags
    path = dropped_file(urls)
    assert source is tabs and path.name == "musevae-seed3-2.mid"
    roll = read_midi(path, step_beats=g.step_beats).roll
    assert np.array_equal(roll.keys, g.buffer.notes[1, : g.steps])
    assert roll.keys[::2, MIDDLE_C + 1].all() and not roll.keys[:, MIDDLE_C].any()


def test_a_clip_of_a_candidate_not_shown(qtbot):
    panel = panel_with_piece(qtbot)
    g = panel.generation
    assert g.candidate == 0
    roll = read_midi(clip_file(g, 120.0, candidate=1), step_beats=g.step_beats).roll
    assert np.array_equal(roll.keys, g.buffer.notes[1, : g.steps]) and g.candidate == 0
    with pytest.raises(IndexError, match="no candidate 3 of 2"):
        g.roll(120.0, candidate=2)


def test_ctrl_drag_on_the_roll_drags_the_shown_candidate_and_draws_nothing(qtbot, drags):
    panel = panel_with_piece(qtbot)
    g, roll = panel.generation, panel.roll
    panel.editor.set_drawing(True)
    before = g.notes().copy()
    key = MIDDLE_C + 5  # an empty row: a plain press here would draw
    drag(roll, at(panel, 3, key), at(panel, 9, key), CTRL)
    ((source, urls),) = drags
    assert source is roll
    read = read_midi(dropped_file(urls), step_beats=g.step_beats).roll
    assert np.array_equal(read.keys, before)  # the whole candidate, 20 steps
    assert np.array_equal(g.notes(), before) and panel.editor.stack.count() == 0
    assert not panel.editor.selection


def test_ctrl_drag_on_the_roll_drags_only_the_selected_steps(qtbot, drags):
    panel = panel_with_piece(qtbot)
    g, roll = panel.generation, panel.roll
    g.set_candidate(1)
    drag(roll, at(panel, 9, MIDDLE_C), at(panel, 4, MIDDLE_C), SHIFT)  # select steps 4..9
    drag(roll, at(panel, 15, MIDDLE_C), at(panel, 18, MIDDLE_C), CTRL)  # from anywhere
    path = dropped_file(drags[0][1])
    assert path.name == "musevae-seed3-2-steps4-10.mid"
    read = read_midi(path, step_beats=g.step_beats).roll
    assert np.array_equal(read.keys, g.notes()[4:10])
    assert read.keys[[0, 2, 4], MIDDLE_C + 1].all() and not read.keys[1::2].any()
    assert (panel.editor.selection.start, panel.editor.selection.stop) == (4, 10)


def test_holding_ctrl_over_the_roll_shows_an_open_hand(qtbot):
    panel = panel_with_piece(qtbot)
    roll = panel.roll
    assert "Ctrl+drag" in roll.toolTip()
    QTest.keyPress(roll, Qt.Key.Key_Control)
    assert roll.cursor().shape() == Qt.CursorShape.OpenHandCursor
    QTest.keyRelease(roll, Qt.Key.Key_Control)
    assert roll.cursor().shape() == Qt.CursorShape.ArrowCursor
