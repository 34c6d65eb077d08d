"""Training through the window: a MIDI folder picked and imported, a tiny model trained
to the end; and a run paused, cancelled (leaving a usable checkpoint) and resumed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from musevae.train.checkpoint import load_model
from tests.gui.conftest import TIMEOUT_MS
from tests.gui.pausing import pause_then_continue


def _choose_folder_and_tiny_rnn(window: Any, dialogs: Any, folder: Path, qtbot: Any) -> Any:
    panel = window.train_panel
    dialogs.script("folder", folder)
    with qtbot.waitSignal(window.training.importReported, timeout=TIMEOUT_MS) as imported:
        panel.data.folder_button.click()
    panel.model.kind.setCurrentText("rnn")
    panel.model.sizes["hidden"].setValue(6)
    panel.batch.setValue(3)
    panel.crop.setValue(12)
    panel.device.setCurrentText("cpu")
    return imported.args[0]


def test_a_tiny_model_trains_to_the_end_and_lands_in_the_library(
    window, dialogs, midi_folder, qtbot
):
    report = _choose_folder_and_tiny_rnn(window, dialogs, midi_folder.path, qtbot)
    assert [path for path, _ in report.skipped] == [midi_folder.garbage]
    assert "skipped broken.mid" in window.train_panel.data.report.toPlainText()
    window.train_panel.epochs.setValue(2)
    with qtbot.waitSignal(window.training.finished, timeout=TIMEOUT_MS) as finished:
        window.train_panel.buttons["Start"].click()
    card = finished.args[0]
    model, saved = load_model(card)
    assert saved["training"]["finished"] and saved["training"]["epochs"] == 2
    assert saved["dataset"]["ref"] == str(midi_folder.path.resolve())
    assert window.training.device == "cpu"
    window.charts.redraw()
    assert window.charts.elbo.points("validation") == 2  # one per epoch
    assert window.charts.elbo.points("train") == window.training.updates

    def chosen() -> bool:  # the new model, not the default the app started with
        return getattr(window.library.current, "card_path", None) == card

    qtbot.waitUntil(chosen, timeout=TIMEOUT_MS)
    assert window.generate_panel.buttons["Generate"].isEnabled()


def test_pause_blocks_the_worker_and_cancel_leaves_a_resumable_checkpoint(
    window, dialogs, midi_folder, qtbot
):
    session, panel = window.training, window.train_panel
    _choose_folder_and_tiny_rnn(window, dialogs, midi_folder.path, qtbot)
    panel.epochs.setValue(500)
    panel.buttons["Start"].click()
    qtbot.waitUntil(lambda: len(session.valid_curve) >= 1, timeout=TIMEOUT_MS)
    assert not any(w.isEnabled() for w in panel.model.widgets())  # locked while it runs

    pause_then_continue(session, panel.buttons["Pause"], qtbot)

    panel.buttons["Cancel"].click()
    qtbot.waitUntil(lambda: session.status == "cancelled", timeout=TIMEOUT_MS)
    assert "ETA" not in panel.run_progress.label.text() and session.eta_s is None
    assert panel.run_progress.label.text().startswith("cancelled · epoch")
    run_dir = session.run_dir
    load_model(run_dir / "model.json")  # usable at once
    done = json.loads((run_dir / "resume.json").read_text())["progress"]["epochs"]
    assert 1 <= done < 500
    assert panel.buttons["Resume…"].isEnabled()

    panel.epochs.setValue(done + 1)
    with qtbot.waitSignal(session.finished, timeout=TIMEOUT_MS) as finished:
        panel.buttons["Resume…"].click()
    assert finished.args[0] == run_dir / "model.json"
    _, card = load_model(finished.args[0])
    assert card["training"]["epochs"] == done + 1 and card["training"]["finished"]
