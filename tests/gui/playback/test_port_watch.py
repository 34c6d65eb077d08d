"""The hot-plug port refresh waits while MIDI input is timing-critical (a take, call and
response): listing JACK ports holds Python's lock, which would delay the notes played."""

from __future__ import annotations

from typing import Any

from tests.gui.conftest import TIMEOUT_MS


def _settle(window: Any, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: all(job.isFinished() for job in window.player.jobs),
                    timeout=TIMEOUT_MS)  # fmt: skip


def test_the_periodic_refresh_waits_while_a_take_or_call_and_response_holds(
    window, qtbot, monkeypatch
):
    player, midi_in, looks = window.player, window.midi_in, []
    _settle(window, qtbot)
    monkeypatch.setattr(player, "refresh_ports", lambda: looks.append(1))
    player._watch.timeout.emit()
    assert len(looks) == 1  # watching: every tick looks
    midi_in.recordingChanged.emit(True)  # a take starts
    midi_in.answeringChanged.emit(True)  # and call and response
    player._watch.timeout.emit()
    assert len(looks) == 1  # held
    midi_in.recordingChanged.emit(False)
    player._watch.timeout.emit()
    assert len(looks) == 1  # call and response still holds
    midi_in.answeringChanged.emit(False)
    player._watch.timeout.emit()
    assert len(looks) == 2  # released


def test_the_refresh_button_still_refreshes_while_held(window, qtbot):
    _settle(window, qtbot)
    window.player.hold_watching("take", True)
    window.player.refresh_ports()
    assert any(not job.isFinished() for job in window.player.jobs)  # a look under way
    window.player.hold_watching("take", False)
    _settle(window, qtbot)
