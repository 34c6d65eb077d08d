"""Playback from the window: through a real JACK MIDI loopback (the playback tests'
private jackd and recorder, imported from tests/playback), and the built-in sound or
the message that says it cannot play here."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from musevae.gui.playback.audio import audio_problem
from musevae.gui.playback.session import port_key
from tests.gui.conftest import TIMEOUT_MS
from tests.gui.generate.test_generate_flow import generate, open_model
from tests.playback.jack import note_ons, stuck_notes


def _choose_port(window: Any, key: str, qtbot: Any) -> None:
    with qtbot.waitSignal(window.player.portsChanged, timeout=TIMEOUT_MS):
        window.transport.refresh_action.trigger()
    combo = window.transport.port
    index = combo.findData(key)
    assert index >= 0, [combo.itemData(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)
    assert window.playback.port == key


def test_space_plays_the_piece_through_a_jack_loopback(
    window, dialogs, tiny_model, qtbot, recorder
):
    open_model(window, dialogs, tiny_model, qtbot)
    window.generate_panel.polyphony.setValue(4)  # an untrained model is dense; keep JACK's
    generate(window, qtbot, steps=16, candidates=1, seed=3)  # MIDI buffer far from full
    window.transport.tempo.setValue(400.0)  # an eighth note is 75 ms: the test takes ~1 s
    _choose_port(window, port_key("jack", recorder.port), qtbot)
    positions: list[float] = []
    window.playback.positionChanged.connect(positions.append)
    with qtbot.waitSignal(window.playback.playingChanged, timeout=TIMEOUT_MS,
                          check_params_cb=lambda playing: not playing):  # fmt: skip
        QTest.keyClick(window, Qt.Key.Key_Space)
    roll = window.generation.roll(400.0)
    assert recorder.wait_for(lambda got: not stuck_notes(got)), stuck_notes(recorder.received())
    played = sorted(message[1] for _, message in note_ons(recorder.received()))
    expected = sorted(int(key) + 21 for key, _, _ in roll.note_runs())
    assert played == expected and played  # every note of the piece, once
    assert max(positions) == 15.0  # the playhead reached the last step
    assert window.playback.position == 0.0  # and went home at the end


def test_a_port_that_is_not_there_gives_a_message(
    window, dialogs, tiny_model, qtbot, jack_server
):
    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=4, candidates=1)
    window.playback.set_port(port_key("jack", "no-such-synth:in"))
    window.transport.play_action.trigger()
    last = window.notifier.messages[-1]
    assert (last.level, last.title) == ("error", "MIDI output")
    assert "no-such-synth" in last.text and not window.playback.playing


def test_built_in_sound_plays_or_says_why_it_cannot(window, dialogs, tiny_model, qtbot):
    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=8, candidates=1)
    window.playback.set_port("")
    problem = audio_problem()
    if problem is None:
        with qtbot.waitSignal(window.playback.playingChanged, timeout=TIMEOUT_MS):
            window.transport.play_action.trigger()
        window.player.stop()
    else:
        window.transport.play_action.trigger()
        last = window.notifier.messages[-1]
        assert (last.level, last.title) == ("warning", "No built-in sound")
        assert problem in last.text and "export" in last.text
    assert not window.playback.playing
