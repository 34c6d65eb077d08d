"""Tuning through the window: a tiny model tuned to the end from the Tune tab, listed in
the Library and generated from next to its base; a run paused (the worker blocked),
continued and cancelled, leaving a loadable tuned copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from musevae.paths import user_models_dir
from musevae.train.checkpoint import load_model
from tests.gui.conftest import TIMEOUT_MS
from tests.gui.pausing import pause_then_continue


def _current_is(window: Any, card: Path) -> bool:
    current = window.library.current
    return current is not None and current.card_path.resolve() == card.resolve()


def _tiny_model_as_base(window: Any, tiny_model: Path, qtbot: Any) -> Any:
    window.library.open_checkpoint(tiny_model)
    qtbot.waitUntil(lambda: _current_is(window, tiny_model), timeout=TIMEOUT_MS)  # not the default
    panel = window.tune_panel
    panel.choose_base(window.library.current.card_path)
    assert panel.base.currentText() == window.library.current.name
    window.settings.set("train/device", "cpu")
    window.tabs.setCurrentWidget(window.tune_tab)
    assert window.centre.currentWidget() is window.tune_charts
    return panel


def _listed(window: Any, card: Path) -> bool:
    return any(e.card_path.resolve() == card.resolve() for e in window.library.all_entries())


def test_a_tiny_tune_runs_to_the_end_and_the_tuned_copy_generates(window, tiny_model, qtbot):
    panel = _tiny_model_as_base(window, tiny_model, qtbot)
    assert panel.buttons["Generate with tuned"].isEnabled() is False
    ticks = {name: tick for name, (tick, _) in panel.rules.items()}
    for name in ("voices", "parallels", "consonance", "leaps", "repeats", "cadence"):
        ticks[name].setChecked(False)
    panel.rules["in-key"][1].setValue(2.5)
    panel.kl_weight.setValue(0.5)
    panel.steps.setValue(3)
    with qtbot.waitSignal(window.tuning.finished, timeout=TIMEOUT_MS) as finished:
        panel.buttons["Start"].click()
    card = finished.args[0]
    _, saved = load_model(card)  # a normal model
    tuning = saved["tuning"]
    assert tuning["kl_weight"] == 0.5 and saved["tuning"]["config"]["updates"] == 3
    assert tuning["config"]["weights"]["in-key"] == 2.5
    assert tuning["config"]["weights"]["voices"] == 0.0
    assert Path(tuning["base"]["card"]) == tiny_model.resolve()
    assert card.parent.parent == user_models_dir()  # the window's library has no own folder

    session = window.tuning
    assert [u for u, *_ in session.curve] == [1, 2, 3]
    assert set(session.terms) == {"in-key"}  # only the ticked rule is rewarded
    assert "in-key" in panel.rates_label.text()
    qtbot.waitUntil(lambda: session.status == "done", timeout=TIMEOUT_MS)  # after Done
    assert panel.run_progress.label.text().startswith("done · update 3 of 3")
    window.tune_charts.redraw()
    assert window.tune_charts.reward.points("reward") == 3
    assert window.tune_charts.kl.points("KL") == 3

    qtbot.waitUntil(lambda: _listed(window, card), timeout=TIMEOUT_MS)
    assert panel.base.findData(str(card)) >= 0  # a tuned copy can be a base in turn
    with qtbot.waitSignal(window.generating.busyChanged, timeout=TIMEOUT_MS):
        panel.buttons["Generate with tuned"].click()
    assert window.library.current.card_path.resolve() == card.resolve()
    assert window.tabs.currentIndex() == 2  # the Generate tab, the piece in the centre
    qtbot.waitUntil(lambda: not window.generating.busy, timeout=TIMEOUT_MS)
    panel.buttons["Generate with base"].click()
    assert window.library.current.card_path.resolve() == tiny_model.resolve()
    qtbot.waitUntil(lambda: not window.generating.busy, timeout=TIMEOUT_MS)


def test_pause_blocks_the_tuner_and_cancel_leaves_a_loadable_copy(window, tiny_model, qtbot):
    session = window.tuning
    panel = _tiny_model_as_base(window, tiny_model, qtbot)
    panel.steps.setValue(100_000)
    panel.buttons["Start"].click()
    assert not panel.buttons["Start"].isEnabled() and not panel.kl_weight.isEnabled()
    qtbot.waitUntil(lambda: session.updates >= 1, timeout=TIMEOUT_MS)

    pause_then_continue(session, panel.buttons["Pause"], qtbot)

    panel.buttons["Cancel"].click()
    qtbot.waitUntil(lambda: session.status == "cancelled", timeout=TIMEOUT_MS)
    card = session.run_dir / "model.json"
    assert session.tuned == card
    load_model(card)  # usable at once
    done = json.loads(card.read_text())["tuning"]["updates"]
    assert 1 <= done < 100_000
    assert panel.buttons["Start"].isEnabled() and panel.buttons["Generate with tuned"].isEnabled()
    qtbot.waitUntil(lambda: _listed(window, card), timeout=TIMEOUT_MS)

    # Resume… continues the cancelled run, curves and all, to the Updates now shown
    curve = list(session.curve)
    assert panel.buttons["Resume…"].isEnabled()
    panel.steps.setValue(done + 2)
    with qtbot.waitSignal(session.finished, timeout=TIMEOUT_MS) as finished:
        panel.buttons["Resume…"].click()
    assert finished.args[0] == card
    assert session.curve[: len(curve)] == curve  # the updates before the pause, kept
    assert [u for u, *_ in session.curve] == list(range(1, done + 3))
    assert session.base.resolve() == tiny_model.resolve()
    saved = json.loads(card.read_text())["tuning"]
    assert saved["updates"] == done + 2 and saved["finished"]


def test_resume_asks_for_a_run_and_a_folder_that_is_not_one_fails_clearly(
    window, dialogs, tiny_model, qtbot, tmp_path
):
    panel = _tiny_model_as_base(window, tiny_model, qtbot)
    dialogs.script("folder", None)  # the user closes the dialog: nothing happens
    panel.buttons["Resume…"].click()
    assert dialogs.asked[-1] == ("folder", "Resume which tuning run?")
    assert window.tuning.status == "idle"
    dialogs.script("folder", tmp_path)  # an empty folder
    panel.buttons["Resume…"].click()
    qtbot.waitUntil(lambda: window.tuning.status == "failed", timeout=TIMEOUT_MS)
    message = window.notifier.messages[-1]
    assert (message.level, message.title) == ("error", "Tuning stopped")
    assert message.text == f"{tmp_path} holds no tuning run to resume (tune.json is missing)"
    assert message.detail == ""  # a clear message, not a traceback
