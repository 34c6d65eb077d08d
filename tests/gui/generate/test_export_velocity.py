"""The loudness of a MIDI export: the dialog offers both choices with their numbers, every
note at the CLI's default velocity unless asked, and by the model's confidence never
below the floor (1..127 once made notes at 1 and 5); the choice is remembered."""

from __future__ import annotations

from pathlib import Path

import mido

from musevae.generate.export import DEFAULT_VELOCITY, VELOCITY_FLOOR
from musevae.gui.generate.export_actions import CONFIDENCE, velocity_filters
from tests.gui.conftest import TIMEOUT_MS
from tests.gui.generate.test_generate_flow import generate, open_model


def velocities(path: Path) -> list[int]:
    return [m.velocity for t in mido.MidiFile(path).tracks for m in t if m.type == "note_on"]


def export(window, qtbot, action: str) -> None:
    with qtbot.waitSignal(window.notifier.posted, timeout=TIMEOUT_MS) as posted:
        window.action[action].trigger()
    assert posted.args[0].title == "Exported", posted.args[0].text


def test_the_dialog_shows_the_choice_and_the_default_is_the_cli_velocity(
    window, dialogs, tiny_model, qtbot, tmp_path
):
    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=48, candidates=2)
    dialogs.script("save_file", tmp_path / "plain.mid")
    export(window, qtbot, "export")
    filters, offered = dialogs.offered[-1]
    assert filters.split(";;") == list(velocity_filters("MIDI file").values())
    assert offered == filters.split(";;")[0] and f"velocity {DEFAULT_VELOCITY}" in offered
    assert f"{VELOCITY_FLOOR}–127" in filters
    assert set(velocities(tmp_path / "plain.mid")) == {DEFAULT_VELOCITY} == {80}


def test_velocity_by_confidence_has_a_floor_and_is_remembered(
    window, dialogs, tiny_model, qtbot, tmp_path
):
    open_model(window, dialogs, tiny_model, qtbot)
    generate(window, qtbot, steps=48, candidates=2)
    by_confidence = velocity_filters("MIDI file")[CONFIDENCE]
    dialogs.script("save_file", (tmp_path / "soft.mid", by_confidence))
    export(window, qtbot, "export")
    soft = velocities(tmp_path / "soft.mid")
    assert len(set(soft)) > 1 and min(soft) >= VELOCITY_FLOOR == 40 and max(soft) <= 127
    # offered first next time, for all candidates too
    dialogs.script("save_file", tmp_path / "all.mid")
    export(window, qtbot, "export_all")
    _, offered = dialogs.offered[-1]
    assert offered == velocity_filters("MIDI, every candidate a track, + lanes")[CONFIDENCE]
    assert min(velocities(tmp_path / "all.mid")) >= VELOCITY_FLOOR
