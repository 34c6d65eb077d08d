"""Generating through the window: steps stream into the roll and the lane, candidates
switch, export writes a MIDI file that reads back as the piece, and bad files (a garbage
MIDI prime, a corrupt checkpoint) give a message while the app goes on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent
from PySide6.QtTest import QTest

from musevae.data.midi_io import read_midi
from tests.gui.conftest import TIMEOUT_MS


def open_model(window: Any, dialogs: Any, card: Path, qtbot: Any) -> None:
    dialogs.script("open_file", card)
    with qtbot.waitSignal(window.library.currentChanged, timeout=TIMEOUT_MS):
        window.action["open"].trigger()


def generate(window: Any, qtbot: Any, steps: int, candidates: int, seed: int = 7) -> None:
    panel = window.generate_panel
    panel.steps.setValue(steps)
    panel.candidates.setValue(candidates)
    panel.random_seed.setChecked(False)
    panel.seed.setValue(seed)
    with qtbot.waitSignal(window.generating.busyChanged, timeout=TIMEOUT_MS,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        window.activateWindow()
        QTest.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)


def colourful_pixels(widget: Any) -> int:
    """Pixels that are neither grey (background, grid) nor at the playhead's x."""
    image = widget.grab().toImage()
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(4, image.width(), 2):
            if QColor(image.pixel(x, y)).hsvSaturationF() > 0.25:
                count += 1
    return count


def test_steps_stream_into_the_roll_and_the_lane(window, dialogs, tiny_model, qtbot):
    open_model(window, dialogs, tiny_model, qtbot)
    grown: list[int] = []
    window.generation.grown.connect(grown.append)
    empty = colourful_pixels(window.roll_panel.roll)
    generate(window, qtbot, steps=40, candidates=3)
    assert grown == list(range(1, 41))  # one signal per sampled step, as they came
    assert window.generation.candidates == 3 and window.generation.seed == 7
    lanes = window.generation.lanes()
    assert set(lanes) == {"entropy", "disagreement"}  # an RNN has no latent spread
    assert lanes["entropy"].shape == (40,) and np.isfinite(lanes["entropy"]).all()
    window.roll_panel._fit()
    assert empty == 0 and colourful_pixels(window.roll_panel.roll) > 20
    assert "entropy" in window.roll_panel.lane.readout(5)

    window.roll_panel.candidates.setCurrentIndex(2)
    assert window.generation.candidate == 2
    assert np.array_equal(window.generation.notes(), window.generation.buffer.notes[2, :40])


def test_export_writes_the_shown_candidate_as_midi(window, dialogs, tiny_model, qtbot, tmp_path):
    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=24, candidates=2)
    window.roll_panel.candidates.setCurrentIndex(1)
    target = tmp_path / "out" / "piece"  # no suffix: the app adds .mid
    target.parent.mkdir()
    dialogs.script("save_file", target)
    with qtbot.waitSignal(window.notifier.posted, timeout=TIMEOUT_MS) as posted:
        QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert posted.args[0].title == "Exported"
    roll = read_midi(target.with_suffix(".mid"), step_beats=window.generation.step_beats).roll
    assert np.array_equal(roll.keys, window.generation.buffer.notes[1, :24])
    assert roll.tempo == window.playback.tempo


def _drop(window: Any, path: Path) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    window.dropEvent(event)


def test_a_garbage_midi_file_dropped_as_prime_is_refused_and_the_app_goes_on(
    window, dialogs, tiny_model, qtbot, tmp_path
):
    garbage = tmp_path / "song.mid"
    garbage.write_bytes(b"\x00\xffnot midi" * 50)
    _drop(window, garbage)
    last = window.notifier.messages[-1]
    assert last.level == "error" and "song.mid" in last.text and not last.detail
    assert window.generating.prime is None
    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=8, candidates=1)
    assert window.generation.steps == 8


def test_a_good_midi_file_dropped_becomes_the_prime(window, dialogs, tiny_model, qtbot, tmp_path):
    from tests.gui.pieces import chord_piece
    from musevae.data.midi_io import write_midi

    prime = tmp_path / "prime.mid"
    write_midi(chord_piece(0, 12), prime)
    _drop(window, prime)
    assert window.generating.prime == prime
    assert window.generate_panel.prime_label.text() == "prime.mid"
    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=6, candidates=1)
    assert window.generation.prime is not None and len(window.generation.prime) == 12


def test_a_corrupt_checkpoint_gives_a_message(window, dialogs, qtbot, tmp_path):
    card = tmp_path / "bad.json"
    card.write_text('{"format": "musevae-model", "format_version": 1}')
    before = window.library.current  # the default the app started with
    dialogs.script("open_file", card)
    with qtbot.waitSignal(window.notifier.posted, timeout=TIMEOUT_MS) as posted:
        window.action["open"].trigger()
    assert posted.args[0].level == "error" and "lacks the model" in posted.args[0].text
    assert window.library.current is before  # not chosen, and the choice is kept


def test_export_wav_and_everything(window, dialogs, tiny_model, qtbot, tmp_path):
    from musevae.playback.wav import read_wav

    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=16, candidates=2)
    dialogs.script("save_file", tmp_path / "piece.wav", tmp_path / "all.mid")
    with qtbot.waitSignal(window.notifier.posted, timeout=TIMEOUT_MS):
        window.action["export_wav"].trigger()
    samples, rate = read_wav(tmp_path / "piece.wav")
    seconds = window.generation.roll(window.playback.tempo).duration_seconds
    # the piece, then its release (FluidSynth, when installed, adds a reverb tail)
    assert seconds <= len(samples) / rate <= seconds + 10 and np.abs(samples).max() > 0.01
    with qtbot.waitSignal(window.notifier.posted, timeout=TIMEOUT_MS) as posted:
        window.action["export_all"].trigger()
    assert posted.args[0].title == "Exported"
    lanes = np.load(tmp_path / "all.npz")
    assert lanes["notes"].shape == (2, 16, 88) and lanes["seed"] == window.generation.seed
    assert np.array_equal(lanes["notes"], window.generation.buffer.notes[:, :16])
