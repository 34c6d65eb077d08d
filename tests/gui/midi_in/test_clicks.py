"""The built-in sound's metronome clicks: which messages strike a click, and the click."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject

from musevae.gui.midi_in.clicks import SAMPLE_RATE, SoundClicks, click_wave


def test_only_the_metronome_s_drum_note_ons_strike_a_click(qtbot: Any, tmp_path: Path) -> None:
    owner = QObject()
    clicks = SoundClicks(tmp_path, owner)
    struck: list[int] = []
    clicks.sounds.struck.connect(struck.append)
    clicks.note_on(9, 76, 100)  # the accent, on channel 10
    clicks.note_off(9, 76)
    clicks.note_on(0, 77, 100)  # a piano note, not a click
    clicks.note_on(9, 40, 100)  # a drum the metronome never plays
    clicks.note_on(9, 77, 100)
    clicks.panic([9])
    qtbot.waitUntil(lambda: len(struck) == 2)
    assert struck == [76, 77]


def test_a_click_is_a_short_tick_that_dies_away() -> None:
    wave = click_wave(1760.0)
    assert len(wave) == round(0.03 * SAMPLE_RATE)
    assert 0.5 < np.abs(wave).max() <= 0.8  # loud at once, never clipping
    assert np.abs(wave[-100:]).max() < 0.01  # silent by its end: no click from a cut
