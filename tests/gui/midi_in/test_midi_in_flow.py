"""MIDI input in the window, through real JACK ports (the playback tests' private jackd,
keyboard and recorder): a keyboard plugged in appears in the input chooser by itself,
its notes show on the roll, Continue primes the model with them, and call and response
answers a phrase through a JACK output."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtGui import QColor

from musevae.data.midi_io import read_midi
from musevae.gui.playback.session import port_key
from musevae.gui.roll.piano_roll import LIVE
from tests.gui.conftest import TIMEOUT_MS
from tests.gui.generate.test_generate_flow import open_model
from tests.playback.jack import note_ons, stuck_notes
from tests.playback.remote_keyboard import RemoteKeyboard as Keyboard

ON, OFF = 0x90, 0x80
STEP_S = 0.25  # each test sets the tempo so that one step lasts this long
PLAYED = [[60], [60], [62], [62], [64], [64]]  # what play() plays, on the step grid


def _plug_in(window: Any, qtbot: Any) -> Keyboard:
    """A JACK keyboard, plugged in after the window is up, chosen as its input."""
    keyboard = Keyboard()
    key = port_key("jack", f"{keyboard.client}:out")
    combo = window.transport.input
    qtbot.waitUntil(lambda: combo.findData(key) >= 0, timeout=TIMEOUT_MS)  # no refresh press
    combo.setCurrentIndex(combo.findData(key))
    assert window.playback.input == key
    return keyboard


def _connected(window: Any, keyboard: Keyboard, qtbot: Any) -> None:
    """Wait until the keyboard's notes reach the window: one probe note, heard, then its
    take left to end in silence. Without it the first note of the phrase was lost in
    about one whole-file run in two (before any Python callback saw it), right after the
    app had opened its input or a new JACK client; with it, none in four runs (the probe
    was heard at its first sending each time, so the settling time is what helps)."""
    heard = False
    while not heard:
        keyboard.send(ON, 108, 64)
        keyboard.send(ON, 108, 0)
        try:
            qtbot.waitUntil(lambda: window.midi_in.notes().any(), timeout=1000)
            heard = True
        except AssertionError:  # (pytest-qt's timeout) not connected yet: again
            continue
    qtbot.wait(int(1000 * window.settings.get("midi_in/silence")) + 300)


def test_a_keyboard_plugged_in_appears_in_the_input_chooser(window, qtbot, jack_server):
    keyboard = _plug_in(window, qtbot)
    assert window.settings.get("playback/input") == window.playback.input  # remembered
    keyboard.unplug()
    key = window.playback.input
    qtbot.waitUntil(lambda: all(k != key for k, _ in window.player.inputs), timeout=TIMEOUT_MS)
    assert window.transport.input.currentText().endswith("(not found)")  # chosen, gone


def _tempo_for(step_beats: float) -> float:
    return 60.0 * step_beats / STEP_S


def play(keyboard: Keyboard) -> None:
    """Three notes of two steps each (PLAYED), sent as a keyboard does in real time."""
    for note in (60, 62, 64):
        keyboard.send(ON, note, 90)
        time.sleep(2 * STEP_S)
        keyboard.send(ON, note, 0)  # a note-on of velocity 0 releases, as keyboards send


def live_pixels(widget: Any) -> int:
    image = widget.grab().toImage()
    return sum(QColor(image.pixel(x, y)).green() > 140 and QColor(image.pixel(x, y)).red() < 90
               for y in range(0, image.height(), 2) for x in range(0, image.width(), 2))


def test_notes_played_show_on_the_roll_on_the_step_grid(window, qtbot, jack_server):
    keyboard = _plug_in(window, qtbot)
    window.transport.tempo.setValue(_tempo_for(window.generation.step_beats))
    assert window.midi_in.notes().shape == (0, 88) and live_pixels(window.roll_panel.roll) == 0
    play(keyboard)
    qtbot.waitUntil(lambda: len(window.midi_in.notes()) == 6, timeout=TIMEOUT_MS)
    shown = window.midi_in.notes()
    assert [sorted(int(k) + 21 for k in row.nonzero()[0]) for row in shown] == PLAYED
    assert live_pixels(window.roll_panel.roll) > 20  # drawn (none before), in green
    assert LIVE.green() > 140 and LIVE.red() < 90  # (which is what live_pixels counts)
    silence_ms = int(1000 * window.settings.get("midi_in/silence"))
    qtbot.waitUntil(lambda: live_pixels(window.roll_panel.roll) == 0, timeout=silence_ms + 2000)
    assert window.midi_in.notes().shape == (0, 88)  # the phrase ended: no longer live
    keyboard.unplug()


def test_continue_primes_the_model_with_what_was_played(
    window, dialogs, tiny_model, qtbot, jack_server
):
    open_model(window, dialogs, tiny_model, qtbot)
    keyboard = _plug_in(window, qtbot)
    step_beats = window.generate_panel.request().step_beats
    window.transport.tempo.setValue(_tempo_for(step_beats))
    window.keyboard_bar.silence.setValue(0.5)
    window.generate_panel.steps.setValue(8)
    _connected(window, keyboard, qtbot)
    window.keyboard_bar.continue_action.trigger()
    assert window.keyboard_bar.continue_action.isChecked()  # recording
    with qtbot.waitSignal(window.generating.busyChanged, timeout=TIMEOUT_MS,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        play(keyboard)
    assert not window.keyboard_bar.continue_action.isChecked()
    prime = read_midi(window.generating.prime, step_beats=step_beats).roll
    assert prime.to_notes() == PLAYED  # the take, as a prime file
    assert window.generation.prime.to_notes() == PLAYED  # and the model was primed with it
    assert window.generation.steps == 8  # then continued for the Generate tab's steps
    assert window.midi_in.notes().shape == (0, 88)  # not drawn over the continuation
    keyboard.unplug()


def test_call_and_response_answers_through_a_jack_output(
    window, dialogs, tiny_model, qtbot, recorder
):
    open_model(window, dialogs, tiny_model, qtbot)
    keyboard = _plug_in(window, qtbot)
    output = port_key("jack", recorder.port)
    qtbot.waitUntil(lambda: window.transport.port.findData(output) >= 0, timeout=TIMEOUT_MS)
    window.transport.port.setCurrentIndex(window.transport.port.findData(output))
    window.transport.tempo.setValue(_tempo_for(window.generate_panel.request().step_beats))
    window.keyboard_bar.silence.setValue(0.4)
    window.generate_panel.polyphony.setValue(4)  # keep the tiny model's answer sparse
    _connected(window, keyboard, qtbot)
    with qtbot.waitSignal(window.generating.listening, timeout=TIMEOUT_MS):
        window.keyboard_bar.answer_action.trigger()  # the model loads, then it listens
    assert window.midi_in.answering and window.keyboard_bar.answer_action.isChecked()
    # the answer's new JACK output client changes the graph; events sent while the dummy
    # driver reorders it can be dropped (a whole period's), so let it settle first
    qtbot.wait(500)
    with qtbot.waitSignal(window.generating.answered, timeout=TIMEOUT_MS) as answered:
        play(keyboard)
    exchange = answered.args[0].exchange
    assert exchange.call.roll.to_notes() == PLAYED, (exchange.call, exchange.call.roll.to_notes())
    assert window.generation.prime.to_notes() == PLAYED  # the roll shows the answer to it
    assert window.generation.steps == len(exchange.answer) == 6  # a phrase of the same length
    assert recorder.wait_for(lambda got: note_ons(got) and not stuck_notes(got), 10)
    heard = sorted(message[1] for _, message in note_ons(recorder.received()))
    assert heard == sorted(int(key) + 21 for key, _, _ in exchange.answer.note_runs())
    assert window.generation.notes().tolist() == exchange.answer.keys.tolist()
    with qtbot.waitSignal(window.midi_in.answeringChanged, timeout=TIMEOUT_MS):
        window.keyboard_bar.answer_action.trigger()  # off: the job ends, listening stops
    assert not window.generating.busy and not window.keyboard_bar.answer_action.isChecked()
    keyboard.unplug()
