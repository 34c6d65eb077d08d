"""Each view on its own: keyboard, piano roll, uncertainty lane, roll panel, library,
train and generate panels, transport. Driven by real state objects fed by hand."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from musevae.generate.sampler import GeneratedStep
from musevae.gui.generate.state import GenerationState
from musevae.gui.playback.state import PlaybackState
from musevae.gui.roll.key_axis import KeyAxis
from musevae.gui.roll.keyboard import KeyboardWidget, note_name
from musevae.gui.roll.lanes import UncertaintyLane
from musevae.gui.roll.piano_roll import PianoRollWidget
from musevae.gui.roll.panel import RollPanel
from musevae.gui.roll.timeline import TimeAxis

MIDDLE_C = 39  # roll key of MIDI 60


def fed_generation(steps: int, n: int = 2) -> GenerationState:
    """Candidate c holds middle C + c on every even step, probability 0.9."""
    generation = GenerationState()
    generation.begin(n, seed=11, step_beats=0.5, prime=None)
    for t in range(steps):
        notes = np.zeros((n, 88), bool)
        if t % 2 == 0:
            notes[np.arange(n), MIDDLE_C + np.arange(n)] = True
        generation.add(GeneratedStep(t, notes, np.full((n, 88), 0.9, np.float32),
                                     np.full(n, 1.0 + t, np.float32), None, 0.5))  # fmt: skip
    return generation


def test_key_axis_fits_a_range_to_whole_octaves(qtbot):
    keys = KeyAxis()
    assert (keys.low, keys.high, keys.row_top(87, 880), keys.row_top(0, 880)) == (0, 87, 0, 870)
    keys.fit((60, 67))  # C4..G4 -> C4..B4, widened to 25 keys around it
    assert keys.count == 25 and keys.low <= MIDDLE_C and keys.high >= MIDDLE_C + 11
    keys.fit((50, 80))  # D3..G#5 -> C3..B5
    assert (keys.low, keys.high) == (MIDDLE_C - 12, MIDDLE_C + 23)
    assert keys.key_at(keys.row_top(MIDDLE_C, 360) + 1, 360) == MIDDLE_C
    keys.scroll(100)
    assert keys.high == 87 and keys.count == 36


def test_keyboard_names_and_rows(qtbot):
    assert note_name(MIDDLE_C) == "C4" and note_name(0) == "A0" and note_name(87) == "C8"
    keys = KeyAxis()
    keyboard = KeyboardWidget(keys)
    qtbot.addWidget(keyboard)
    keyboard.resize(48, 880)
    image = keyboard.grab().toImage()
    c_sharp = keys.row_top(MIDDLE_C + 1, 880) + 5  # a black key: dark at the left edge
    assert QColor(image.pixel(5, int(c_sharp))).lightness() < 80
    assert QColor(image.pixel(5, int(keys.row_top(MIDDLE_C, 880) + 5))).lightness() > 200


def test_piano_roll_draws_notes_where_they_are_and_seeks_on_click(qtbot):
    generation, axis, playback = fed_generation(40), TimeAxis(10.0), PlaybackState()
    keys = KeyAxis()
    roll = PianoRollWidget(generation, axis, keys, playback)
    qtbot.addWidget(roll)
    roll.resize(400, 880)
    image = roll.grab().toImage()
    y = int(keys.row_top(MIDDLE_C, 880) + 5)
    # step 2 is a note (x 20..30), step 3 is not (x 30..40)
    assert QColor(image.pixel(25, y)).hsvSaturationF() > 0.4
    assert QColor(image.pixel(35, y)).hsvSaturationF() < 0.1
    with qtbot.waitSignal(roll.seekRequested) as seek:
        QTest.mouseClick(roll, Qt.MouseButton.LeftButton, pos=QPoint(125, 100))
    assert seek.args == [12.0]


def test_piano_roll_paints_only_the_visible_range_of_a_long_piece(qtbot):
    generation = fed_generation(12_000, n=1)
    axis, keys, playback = TimeAxis(0.05), KeyAxis(), PlaybackState()
    roll = PianoRollWidget(generation, axis, keys, playback)
    qtbot.addWidget(roll)
    roll.resize(600, 500)
    assert axis.visible(600) == (0, 12_000)
    image = roll.grab().toImage()  # 20 steps a pixel: notes merge into one bar
    assert QColor(image.pixel(300, int(keys.row_top(MIDDLE_C, 500) + 2))).hsvSaturationF() > 0.4


def test_the_lane_reads_out_the_step_under_the_mouse(qtbot):
    generation, axis, playback = fed_generation(20), TimeAxis(10.0), PlaybackState()
    lane = UncertaintyLane(generation, axis, playback)
    qtbot.addWidget(lane)
    lane.resize(300, 90)
    lane.show()
    with qtbot.waitSignal(lane.hovered) as hovered:
        QTest.mouseMove(lane, QPoint(75, 40))
    assert hovered.args == ["step 7 · entropy 8 nats · disagreement 0.5 var"]
    assert lane.hover_step == 7


def test_roll_panel_switches_candidates_and_fits(qtbot):
    generation, axis, playback = GenerationState(), TimeAxis(8.0), PlaybackState()
    panel = RollPanel(generation, axis, playback)
    qtbot.addWidget(panel)
    panel.resize(900, 700)
    panel.show()
    fed = fed_generation(30, n=3)
    generation.begin(3, 5, 0.5, None)
    for t in range(30):
        generation.add(GeneratedStep(t, fed.buffer.notes[:, t], fed.buffer.probs[:, t],
                                     fed.buffer.lanes["entropy"][:, t], None, 0.5))  # fmt: skip
    assert panel.candidates.count() == 3 and "30 steps" in panel.info.text()
    panel.candidates.setCurrentIndex(2)
    assert generation.candidate == 2 and generation.notes()[0, MIDDLE_C + 2]
    panel._fit()
    assert axis.visible(panel.roll.width())[1] >= 30 and panel.scroll.maximum() <= 1
    # C4..D4 used -> C4..B4 (12 keys), widened to 25: 6 keys below, 7 above
    assert (panel.keys.low, panel.keys.high) == (MIDDLE_C - 6, MIDDLE_C + 18)


def test_library_panel_lists_models_and_problems(window, dialogs, tiny_model, qtbot):
    import shutil

    from musevae.paths import bundled_models_dir, user_models_dir

    run = user_models_dir() / "my-run"
    run.mkdir(parents=True)
    for part in ("model.json", "model.safetensors"):
        shutil.copy(tiny_model.parent / part, run / part)
    broken = user_models_dir() / "broken-run"
    broken.mkdir()
    (broken / "model.json").write_text("{not json")
    with qtbot.waitSignal(window.library.changed, timeout=60_000):
        window.library_panel.buttons["Refresh"].click()
    panel = window.library_panel
    groups = {panel.tree.topLevelItem(i).text(0): panel.tree.topLevelItem(i)
              for i in range(panel.tree.topLevelItemCount())}  # fmt: skip
    shipped = sorted(bundled_models_dir().glob("*.json"))
    assert set(groups) == {"Yours", "Cannot be used"} | ({"Shipped"} if shipped else set())
    mine = groups["Yours"].child(0)
    assert (mine.text(0), mine.text(1)) == ("my-run", "RNN")
    if shipped:  # models/ is never changed by the app
        panel.tree.setCurrentItem(groups["Shipped"].child(0))
        assert window.library.current.bundled and not panel.buttons["Delete…"].isEnabled()
        assert not panel.buttons["Rename…"].isEnabled()
    assert "not JSON" in groups["Cannot be used"].child(0).text(1)
    panel.tree.setCurrentItem(groups["Yours"].child(0))
    assert window.library.current.name == "my-run" and panel.buttons["Delete…"].isEnabled()

    dialogs.script("text", "renamed-run")
    with qtbot.waitSignal(window.library.currentChanged, timeout=60_000,
                          check_params_cb=lambda e: e is not None and e.name == "renamed-run"):
        panel.buttons["Rename…"].click()
    dialogs.script("confirm", True)
    with qtbot.waitSignal(window.library.changed, timeout=60_000):
        panel.buttons["Delete…"].click()
    assert not (user_models_dir() / "renamed-run").exists() and window.library.current is None


def test_train_panel_builds_the_request_from_its_widgets(window):
    panel = window.train_panel
    assert set(window.training.catalogue.sizes) >= {"rnn", "srnn"}
    panel.model.kind.setCurrentText("rnn")
    assert list(panel.model.sizes) == ["hidden"]
    panel.model.sizes["hidden"].setValue(12)
    panel.epochs.setValue(3)
    panel.data.combo.setCurrentIndex(panel.data.combo.findData("jsb"))
    request = panel.request()
    assert (request.dataset, request.kind) == ("jsb", "rnn")
    assert request.sizes == {"hidden": 12, "emission": "bernoulli", "rnn": "gru", "dropout": 0.0}
    assert request.config["epochs"] == 3 and request.device == panel.device.currentText()


def test_a_missing_benchmark_is_offered_for_download(window, dialogs, qtbot, tmp_path):
    window.settings.set("folders/data", str(tmp_path / "empty-data"))
    panel = window.train_panel
    panel.data.refresh()
    panel.data.combo.setCurrentIndex(panel.data.combo.findData("jsb"))
    assert "not downloaded" in panel.data.combo.currentText()
    assert panel.data.fetch_button.isEnabled()
    dialogs.script("confirm", False)
    panel.buttons["Start"].click()
    assert dialogs.asked[-1] == ("confirm", "Dataset missing") and not window.training.busy


def test_generate_panel_turns_widgets_into_controls(window):
    panel = window.generate_panel
    panel.temperature.setValue(0.8)
    panel.polyphony.setValue(4)
    panel.lowest.setValue(70)
    panel.highest.setValue(40)  # given the wrong way round: the range is still 40..70
    panel.key.setCurrentText("G")
    assert panel.controls() == {"temperature": 0.8, "max_polyphony": 4, "lowest_note": 40,
                                "highest_note": 70, "min_note_steps": 1, "key": 7}  # fmt: skip
    from musevae.generate import Controls

    Controls(**panel.controls())  # the core accepts them
    window.library.select(None)  # as when models/ holds no model with test metrics
    assert not panel.buttons["Generate"].isEnabled()  # no model chosen


def test_transport_follows_and_sets_the_playback_state(window):
    bar = window.transport
    bar.tempo.setValue(90.0)
    assert window.playback.tempo == 90.0 and window.settings.get("playback/tempo") == 90.0
    window.playback.set_loop(True)
    assert bar.loop_action.isChecked()
    window.playback.set_port("jack:gone:in")
    assert bar.port.currentText() == "jack:gone:in (not found)"
    bar.port.setCurrentIndex(bar.port.findData(""))
    assert window.playback.port == "" and window.settings.get("playback/port") == ""


def test_window_state_persists_and_shortcuts_exist(window, settings, dialogs, qtbot):
    keys = {a.shortcut().toString() for a in window.actions()}
    assert {"Space", "Ctrl+G", "Ctrl+E"} <= keys
    window.resize(700, 500)  # smaller than the default 1280 x 800
    size = window.size()
    window.close()
    from musevae.gui.shell.app import create_window

    again = create_window(settings=settings, dialogs=dialogs, popups=False)
    qtbot.addWidget(again)
    assert again.size() == size and (size.width(), size.height()) == (700, 500)


def test_generate_without_a_model_says_what_to_do(window):
    window.library.select(None)  # as when models/ holds no model with test metrics
    window.generate_panel.generate()
    assert window.notifier.messages[-1].text == "Choose a model in the Library first."
    assert not window.generating.busy


@pytest.mark.needs_data
def test_fetch_downloads_a_missing_benchmark_with_progress(window, qtbot, tmp_path, data_dir):
    """The shared data folder as the download mirror (a file:// URL, no network)."""
    window.settings.set("folders/data", str(tmp_path / "data"))
    window.settings.set("data/mirror", data_dir.resolve().as_uri())
    panel = window.train_panel.data
    panel.refresh()
    panel.combo.setCurrentIndex(panel.combo.findData("jsb"))
    progress: list[tuple[str, int, int]] = []
    window.training.dataProgress.connect(lambda *args: progress.append(args))
    with qtbot.waitSignal(window.training.datasetsChanged, timeout=60_000):
        panel.fetch_button.click()
    size = (data_dir / "JSB Chorales.pickle").stat().st_size
    assert progress[-1] == ("bytes", size, size)
    assert (tmp_path / "data" / "JSB Chorales.pickle").is_file()
    assert "not downloaded" not in panel.combo.currentText() and not panel.fetch_button.isEnabled()
