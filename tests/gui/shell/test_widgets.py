"""The panels' shared widget makers."""

from __future__ import annotations

from typing import Any

from musevae.gui.shell.widgets import spin


def test_spin_keeps_a_value_above_the_default_maximum_of_99(qtbot: Any) -> None:
    box = spin(21, 108, 108, "Highest MIDI note allowed")
    qtbot.addWidget(box)
    assert (box.minimum(), box.maximum(), box.value()) == (21, 108, 108)
    assert box.toolTip() == "Highest MIDI note allowed"


def test_spin_clamps_a_value_outside_its_range(qtbot: Any) -> None:
    high, low = spin(1, 16, 40), spin(21, 108, 0)
    qtbot.addWidget(high)
    qtbot.addWidget(low)
    assert (high.value(), low.value()) == (16, 21)  # 40 > 16; 0 < 21
    assert high.toolTip() == ""
