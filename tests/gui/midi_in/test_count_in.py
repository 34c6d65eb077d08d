"""The count-in and metronome of Continue: the controls and their settings, the clicks
through a real JACK output, the countdown, and a take whose step 0 is the downbeat."""

from __future__ import annotations

import threading
import time
from typing import Any

from musevae.data.midi_io import read_midi
from musevae.gui.midi_in.panel import KeyboardBar
from musevae.gui.playback.audio import audio_problem
from musevae.gui.playback.session import port_key
from musevae.gui.playback.state import BUILT_IN
from tests.gui.conftest import TIMEOUT_MS
from tests.gui.generate.test_generate_flow import open_model
from tests.gui.midi_in.test_midi_in_flow import _connected, _plug_in
from tests.playback.jack import note_ons, stuck_notes
from tests.playback.remote_keyboard import RemoteKeyboard as Keyboard

ON, OFF, DRUM_ON = 0x90, 0x80, 0x99
BPM = 120.0  # a beat every 0.5 s
# what play_around plays, on the grid from the downbeat: 60 (struck during the count-in)
# is dropped, 62 (a quarter step early) snaps to step 0
PLAYED = [[62], [62], [], [], [64], [64]]
COUNTED = ["Count-in 4…", "Count-in 3…", "Count-in 2…", "Count-in 1…", ""]


def test_the_count_in_and_metronome_controls_are_remembered(window: Any) -> None:
    bar, settings = window.keyboard_bar, window.settings
    assert [bar.count_in.itemText(i) for i in range(bar.count_in.count())] == [
        "Off", "1 bar", "2 bars"
    ]  # fmt: skip
    assert bar.count_in.currentText() == "Off" and not bar.metronome.isChecked()  # defaults
    bar.count_in.setCurrentIndex(2)
    bar.metronome.setChecked(True)
    assert settings.get("midi_in/count_in") == 2 and settings.get("midi_in/metronome") is True
    again = KeyboardBar(window.midi_in, settings)  # as the next session's window builds it
    assert again.count_in.currentText() == "2 bars" and again.metronome.isChecked()
    settings.set("midi_in/count_in", 1)  # a change elsewhere shows in both
    assert bar.count_in.currentText() == again.count_in.currentText() == "1 bar"
    again.deleteLater()


def play_around(keyboard: Keyboard, downbeat: float, step: float) -> threading.Thread:
    """Play PLAYED (and a note to drop) at times from ``downbeat``, on a thread of its
    own so the window's event loop runs meanwhile."""
    timeline = [(-2.4, ON, 60, 90), (-0.25, ON, 62, 90), (1, OFF, 60, 0), (2, OFF, 62, 0),
                (4, ON, 64, 90), (6, ON, 64, 0)]  # fmt: skip

    def run() -> None:
        for steps, *message in timeline:
            time.sleep(max(0.0, downbeat + steps * step - time.perf_counter()))
            keyboard.send(*message)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _record_after_count_in(window: Any, keyboard: Keyboard, qtbot: Any) -> list[str]:
    """Continue with the count-in set up; returns the countdown shown."""
    step = 60.0 / BPM * window.generate_panel.request().step_beats
    counted: list[str] = []
    window.midi_in.countInChanged.connect(counted.append)
    window.keyboard_bar.continue_action.trigger()
    downbeat = window.midi_in.downbeat
    assert downbeat is not None and window.midi_in.take.start_time == downbeat
    assert 3 * 0.5 < downbeat - time.perf_counter() < 4 * 0.5 + 0.05  # a bar of four beats
    with qtbot.waitSignal(window.generating.busyChanged, timeout=TIMEOUT_MS,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        playing = play_around(keyboard, downbeat, step)
    playing.join()
    step_beats = window.generate_panel.request().step_beats
    assert read_midi(window.generating.prime, step_beats=step_beats).roll.to_notes() == PLAYED
    assert window.generation.prime.to_notes() == PLAYED
    assert window.midi_in.metronome is None and window.keyboard_bar.counting.text() == ""
    return counted


def _hold_the_ports_still(window: Any, qtbot: Any) -> None:
    """Stop the hot-plug refresh for the timed part. Its port listing opens and closes
    JACK clients in a worker thread that holds the GIL meanwhile; the --sync test server
    then waits on this process's input client, whose callback waits for the GIL, and
    everything stalls for seconds (a faulthandler dump caught it; one run in four)."""
    window.player._watch.stop()
    qtbot.waitUntil(lambda: all(job.isFinished() for job in window.player.jobs),
                    timeout=TIMEOUT_MS)  # fmt: skip


def _set_up(window: Any, dialogs: Any, tiny_model: Any, qtbot: Any) -> Keyboard:
    open_model(window, dialogs, tiny_model, qtbot)
    keyboard = _plug_in(window, qtbot)
    window.transport.tempo.setValue(BPM)
    # the phrase pauses 2 steps between its notes; a take that ended there on a loaded
    # machine (CI) lost the rest, so the silence that ends it is well above that
    window.keyboard_bar.silence.setValue(1.5)
    window.keyboard_bar.count_in.setCurrentIndex(1)
    window.generate_panel.steps.setValue(8)
    return keyboard


def test_a_count_in_clicks_on_the_jack_output_and_the_take_starts_on_the_downbeat(
    window, dialogs, tiny_model, qtbot, recorder
):
    keyboard = _set_up(window, dialogs, tiny_model, qtbot)
    output = port_key("jack", recorder.port)
    qtbot.waitUntil(lambda: window.transport.port.findData(output) >= 0, timeout=TIMEOUT_MS)
    window.transport.port.setCurrentIndex(window.transport.port.findData(output))
    window.keyboard_bar.metronome.setChecked(True)  # and clicks on while recording
    _hold_the_ports_still(window, qtbot)
    _connected(window, keyboard, qtbot)
    began = time.perf_counter()
    assert _record_after_count_in(window, keyboard, qtbot) == COUNTED
    ended = time.perf_counter()
    assert recorder.wait_for(lambda got: note_ons(got) and not stuck_notes(got), 10)
    clicks = [(t, m) for t, m in note_ons(recorder.received()) if m[0] == DRUM_ON]
    notes = [m[1] for _, m in clicks]
    assert notes[:5] == [76, 77, 77, 77, 76] and len(notes) >= 6  # the count-in, bar 1 on
    assert all(t < ended for t, _ in clicks)  # none once the take ended
    gaps = [b - a for (a, _), (b, _) in zip(clicks, clicks[1:])]
    assert all(abs(gap - 0.5) < 0.08 for gap in gaps), gaps
    assert began < clicks[0][0] < began + 0.5
    time.sleep(0.6)
    assert len([m for _, m in note_ons(recorder.received()) if m[0] == DRUM_ON]) == len(clicks)
    keyboard.unplug()


def test_with_the_built_in_sound_the_count_in_still_counts_and_aligns(
    window, dialogs, tiny_model, qtbot, jack_server
):
    keyboard = _set_up(window, dialogs, tiny_model, qtbot)
    assert window.playback.port == BUILT_IN
    _hold_the_ports_still(window, qtbot)
    _connected(window, keyboard, qtbot)
    assert _record_after_count_in(window, keyboard, qtbot) == COUNTED
    silent = [m for m in window.notifier.messages if m.title == "Metronome"]
    assert len(silent) == (audio_problem() is not None)  # said once, where clicks can't sound
    keyboard.unplug()
