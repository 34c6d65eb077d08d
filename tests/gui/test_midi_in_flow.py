"""MIDI input in the window, through real JACK ports (the playback tests' private jackd,
keyboard and recorder): a keyboard plugged in appears in the input chooser by itself,
its notes show on the roll, Continue primes the model with them, and call and response
answers a phrase through a JACK output."""

from __future__ import annotations

from typing import Any

from musevae.gui.playback_session import port_key
from tests.gui.conftest import TIMEOUT_MS
from tests.playback.conftest import jack_server, recorder  # noqa: F401  (fixtures reused)
from tests.playback.test_midi_in import Keyboard


def _plug_in(window: Any, qtbot: Any) -> Keyboard:
    """A JACK keyboard, plugged in after the window is up, chosen as its input."""
    keyboard = Keyboard()
    key = port_key("jack", f"{keyboard.client}:out")
    combo = window.transport.input
    qtbot.waitUntil(lambda: combo.findData(key) >= 0, timeout=TIMEOUT_MS)  # no refresh press
    combo.setCurrentIndex(combo.findData(key))
    assert window.playback.input == key
    return keyboard


def test_a_keyboard_plugged_in_appears_in_the_input_chooser(window, qtbot, jack_server):  # noqa: F811
    keyboard = _plug_in(window, qtbot)
    assert window.settings.get("playback/input") == window.playback.input  # remembered
    keyboard.unplug()
    key = window.playback.input
    qtbot.waitUntil(lambda: all(k != key for k, _ in window.player.inputs), timeout=TIMEOUT_MS)
    assert window.transport.input.currentText().endswith("(not found)")  # chosen, gone
