"""The roll panel around a piece: the header names the model that made it, the hover
line and read-out go with the piece they describe, and the key view chosen (Fit, 88)
survives switching candidates and the end of sampling."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from musevae.data.pianoroll import KEY_COUNT
from musevae.generate.sampler import GeneratedStep
from musevae.gui.generate.state import GenerationState
from musevae.gui.playback.state import PlaybackState
from musevae.gui.roll.panel import RollPanel
from musevae.gui.roll.timeline import TimeAxis
from tests.gui.generate.test_generate_flow import generate, open_model
from tests.gui.test_views import fed_generation


def shown_panel(qtbot) -> tuple[RollPanel, GenerationState]:
    generation = GenerationState()
    panel = RollPanel(generation, TimeAxis(10.0), PlaybackState())
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    return panel, generation


def sample(generation: GenerationState, steps: int, model: str = "", n: int = 3) -> None:
    """A piece as the session writes one: begin, running, the steps, done."""
    fed = fed_generation(steps, n=n)
    generation.begin(n, 5, 0.5, None, model, Path("/models") / f"{model}.json")
    generation.set_running(True)
    for t in range(steps):
        b = fed.buffer
        generation.add(GeneratedStep(t, b.notes[:, t], b.probs[:, t],
                                     b.lanes["entropy"][:, t], None, 0.5))  # fmt: skip
    generation.set_running(False)


def hover(lane, step: int, qtbot) -> None:
    """The mouse over ``step`` (moved there from elsewhere: QTest sends no move event
    to where the cursor already is)."""
    QTest.mouseMove(lane, QPoint(2, 2))
    QTest.mouseMove(lane, QPoint(int(lane.axis.x_of(step + 0.5)), 40))
    qtbot.waitUntil(lambda: lane.hover_step == step)


def grey_pixels(lane, x: int) -> int:
    """Dark grey pixels (the hover line's colour, not a lane's) in column ``x``."""
    image = lane.grab().toImage()
    colours = [QColor(image.pixel(x, y)) for y in range(20, lane.height() - 4)]
    return sum(c.hsvSaturationF() < 0.1 and c.lightness() < 200 for c in colours)


def test_the_header_names_the_model_of_the_piece_on_screen(window, dialogs, tiny_model, qtbot):
    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=10, candidates=1)
    name = window.library.current.name
    info = window.roll_panel.info
    assert info.text() == f"{name} · 10 steps · seed 7"
    assert str(tiny_model) in info.toolTip()


def test_a_new_piece_clears_the_hover_line_and_its_read_out(qtbot):
    panel, generation = shown_panel(qtbot)
    sample(generation, 40, "first")
    lane = panel.lane
    hover(lane, 7, qtbot)
    assert panel.readout.text().startswith("step 7 ·")
    x = int(lane.axis.x_of(7.5))
    assert grey_pixels(lane, x) > 10  # the dashed hover line
    sample(generation, 20, "second")
    assert lane.hover_step is None and panel.readout.text().strip() == ""
    assert grey_pixels(lane, x) == 0, "the old piece's hover line is still drawn"
    assert panel.info.text().startswith("second · 20 steps")


def test_switching_candidates_keeps_the_hover_step_and_reads_the_new_candidate(qtbot):
    panel, generation = shown_panel(qtbot)
    sample(generation, 30)
    hover(panel.lane, 7, qtbot)
    generation.buffer.lanes["entropy"][2, 7] = 42.0  # so candidate 3 reads differently
    panel.candidates.setCurrentIndex(2)
    assert panel.lane.hover_step == 7 and "entropy 42 nats" in panel.readout.text()


def test_the_key_view_chosen_survives_candidates_and_the_end_of_sampling(qtbot):
    panel, generation = shown_panel(qtbot)
    sample(generation, 30)
    fitted = (panel.keys.low, panel.keys.high)
    assert fitted != (0, KEY_COUNT - 1)  # the end of sampling fits the keys to the piece
    panel._all_keys()  # the 88 button
    panel.axis.zoom(2.0)
    zoom = panel.axis.px_per_step
    for candidate in (1, 2, 0):
        panel.candidates.setCurrentIndex(candidate)
        assert (panel.keys.low, panel.keys.high) == (0, KEY_COUNT - 1)
        assert panel.axis.px_per_step == zoom
    # 88 pressed while the next piece is sampled: it is not fitted away at the end
    fed = fed_generation(10, n=2)
    generation.begin(2, 6, 0.5, None)
    generation.set_running(True)
    generation.add(GeneratedStep(0, fed.buffer.notes[:, 0], fed.buffer.probs[:, 0],
                                 fed.buffer.lanes["entropy"][:, 0], None, 0.5))  # fmt: skip
    panel._fit()  # the Fit button, then 88 again
    panel._all_keys()
    panel.candidates.setCurrentIndex(1)
    generation.set_running(False)
    assert (panel.keys.low, panel.keys.high) == (0, KEY_COUNT - 1)
